"""The brandname gateway channel against the local fake provider over HTTP, in both documented
profiles (eSMS.vn and SpeedSMS): send, idempotency by RequestId, delivery by callback and by
polling, each error class, forged and unknown callbacks, routing to Twilio, and the monthly
budget (issue 19)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.utils import timezone

from outreach import gateway, routing
from outreach.models import Campaign, Channel, ChannelBudget, Message, OptOut, SmsRate
from outreach.services import budgets, dispatch
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
)

pytestmark = pytest.mark.django_db
S = Message.Status
PROFILES = ["esms", "speedsms"]
# Provider codes per error class in each profile (MESSAGING.md section 10).
CODES = {
    "esms": {"transient": "103", "permanent": "146", "fallback": "177", "opt_out": "99"},
    "speedsms": {"transient": "300", "permanent": "110", "fallback": "105"},
}


@pytest.fixture(params=PROFILES)
def gw(request, fake):
    with override_settings(
        OUTREACH_SMS_GATEWAY=request.param,
        OUTREACH_GATEWAY_BASE_URL=fake.url,
        OUTREACH_GATEWAY_API_KEY="fake-gateway-key",
        OUTREACH_GATEWAY_SECRET_KEY="fake-gateway-secret",
        OUTREACH_GATEWAY_BRANDNAME="CA SON LA",
        OUTREACH_GATEWAY_POLL_AFTER_SECONDS=600,
    ):
        routing.clear_caches()
        fake.profile = request.param
        yield fake
    routing.clear_caches()


def campaign_to(officer, editor, approver, manager, *phones, channels=None) -> Campaign:
    for p in phones:
        person_with_consent(officer, p, channel="sms")
    campaign = running_campaign(
        manager, approver, approved_content(editor, approver), channels=channels or [Channel.SMS]
    )
    launch_and_write(manager, campaign)
    return campaign


def reports(fake) -> list[dict]:
    return fake.control("reports")["reports"]


def replay(client, report: dict):
    """Deliver a report the fake would have sent, to our endpoint, as the provider sends it."""
    parts = urlsplit(report["url"])
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if report["method"] == "GET":
        return client.get(path)
    return client.post(path, data=report["json"], content_type="application/json")


class GatewaySendTests:
    def test_it_sends_a_vietnamese_mobile_through_the_gateway_with_our_id(
        self, gw, officer, editor, approver, manager
    ):
        campaign = campaign_to(officer, editor, approver, manager, "0961234567", "0912345678")
        assert dispatch.dispatch(budget_seconds=10).sent == 2
        rows = {m.destination: m for m in Message.objects.filter(campaign=campaign)}
        received = {r["to"]: r for r in gw.received()}
        assert set(received) == {"+84961234567", "+84912345678"}
        for phone, row in rows.items():
            assert (row.status, row.provider) == (S.SENT, gw.profile)
            assert received[phone]["route"] == gw.profile
            assert received[phone]["id"] == row.uuid.hex  # our id is the RequestId
            assert received[phone]["provider_id"] == row.provider_id
            assert received[phone]["sender"] == "CA SON LA"
        assert rows["+84961234567"].carrier == "viettel"
        assert rows["+84912345678"].carrier == "vinaphone"

    def test_a_duplicate_request_id_is_refused_without_a_second_message(
        self, gw, officer, editor, approver, manager
    ):
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        message = Message.objects.get(campaign=campaign)
        backend = gateway.gateway_backend(gw.profile)
        first = backend.send(message)
        with pytest.raises(Exception) as refused:
            backend.send(message)
        assert refused.value.code == "duplicate"
        assert len(gw.received()) == 1
        # Through the dispatcher: the first answer was lost (the row still waits), the retry is
        # refused as a duplicate and read as "already accepted" — still one message.
        assert dispatch.dispatch(budget_seconds=10).failed == 1
        message.refresh_from_db()
        assert (message.status, message.provider_status) == (S.SENT, "duplicate")
        assert len(gw.received()) == 1
        assert first

    def test_a_report_by_callback_delivers_the_message_and_names_the_carrier(
        self, gw, client, officer, editor, approver, manager
    ):
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        (report,) = reports(gw)
        message = Message.objects.get(campaign=campaign)
        assert f"/outreach/hooks/gateway/{gw.profile}/{message.uuid}/" in report["url"]
        response = replay(client, report)
        assert response.status_code == 200, response.content
        message.refresh_from_db()
        assert message.status == S.DELIVERED
        assert message.carrier == "viettel"
        # Providers repeat reports: the second changes nothing.
        assert replay(client, report).status_code == 200
        assert message.receipts.count() == 1

    def test_an_undelivered_report_is_a_permanent_failure(
        self, gw, client, officer, editor, approver, manager
    ):
        gw.faults({"route": gw.profile, "kind": "undelivered"})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        replay(client, reports(gw)[0])
        assert Message.objects.get(campaign=campaign).status == S.PERMANENT_FAILURE

    def test_a_message_without_a_report_is_delivered_by_polling_after_the_set_time(
        self, gw, officer, editor, approver, manager
    ):
        gw.faults({"route": gw.profile, "kind": "no_report"})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567", "0912345678")
        dispatch.dispatch(budget_seconds=10)
        assert reports(gw) == []
        sent_at = Message.objects.filter(campaign=campaign).first().sent_at
        # Too early: nothing is polled.
        assert dispatch.gateway_poll(now=sent_at + dt.timedelta(seconds=60))["polled"] == 0
        later = sent_at + dt.timedelta(seconds=601)
        assert dispatch.gateway_poll(now=later) == {"polled": 2, "final": 2}
        assert set(Message.objects.filter(campaign=campaign).values_list("status", flat=True)) == {
            S.DELIVERED
        }
        # Final messages are never polled again.
        assert dispatch.gateway_poll(now=later + dt.timedelta(hours=1))["polled"] == 0


class GatewayErrorTests:
    def test_a_transient_error_is_retried_later(self, gw, officer, editor, approver, manager):
        code = CODES[gw.profile]["transient"]
        gw.faults({"route": gw.profile, "kind": f"error:{code}", "times": 1})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        result = dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        assert result.retried >= 1
        assert message.attempts >= 2 and message.status == S.SENT  # then it went through
        assert len(gw.received()) == 1

    def test_a_permanent_error_ends_the_message_once(self, gw, officer, editor, approver, manager):
        code = CODES[gw.profile]["permanent"]
        gw.faults({"route": gw.profile, "kind": f"error:{code}"})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.error_code, message.attempts) == (
            S.PERMANENT_FAILURE,
            code,
            1,
        )
        assert message.counted_at is None  # it gave its cap slot back
        assert gw.received() == []

    def test_a_number_the_gateway_cannot_reach_goes_through_twilio(
        self, gw, officer, editor, approver, manager
    ):
        code = CODES[gw.profile]["fallback"]
        gw.faults({"route": gw.profile, "kind": f"error:{code}"})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.provider) == (S.SENT, routing.TWILIO)
        assert [r["route"] for r in gw.received()] == ["twilio"]

    # SpeedSMS documents no opted-out code (MESSAGING.md section 10): eSMS only.
    @pytest.mark.parametrize("gw", ["esms"], indirect=True)
    def test_an_opted_out_number_is_recorded_and_never_retried(
        self, gw, officer, editor, approver, manager
    ):
        gw.faults({"route": gw.profile, "kind": "opted_out"})
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.error_code) == (S.PERMANENT_FAILURE, "99")
        assert OptOut.objects.filter(
            destination_index=message.destination_index, source=OptOut.Source.PROVIDER
        ).exists()
        assert gw.received() == []


class GatewayCallbackTests:
    def test_an_unknown_callback_id_is_refused(
        self, gw, client, officer, editor, approver, manager
    ):
        campaign = campaign_to(officer, editor, approver, manager, "0961234567")
        dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        import uuid

        stranger = str(uuid.uuid4())
        token = gateway.callback_token(gw.profile, stranger)
        base = f"/outreach/hooks/gateway/{gw.profile}"
        # A well-formed URL for an id we never sent: 404.
        assert client.get(f"{base}/{stranger}/{token}/?SendStatus=5").status_code == 404
        # Our message with a guessed token: 403.
        assert client.get(f"{base}/{message.uuid}/{'0' * 32}/?SendStatus=5").status_code == 403
        # Our message, right token, another provider id: 400.
        right = gateway.callback_token(gw.profile, str(message.uuid))
        assert (
            client.get(
                f"{base}/{message.uuid}/{right}/",
                {"SMSID": "not-ours", "tranId": "1", "SendStatus": "5", "status": "0"},
            ).status_code
            == 400
        )
        # Another gateway's URL for our message: 403 (the token names the gateway).
        other = "speedsms" if gw.profile == "esms" else "esms"
        assert client.get(
            f"/outreach/hooks/gateway/{other}/{message.uuid}/{right}/"
        ).status_code in (
            403,
            404,
        )
        message.refresh_from_db()
        assert message.status == S.SENT and message.receipts.count() == 0


class RoutingTests:
    def test_a_foreign_number_and_a_carrier_without_the_brandname_go_through_twilio(
        self, gw, officer, editor, approver, manager
    ):
        SmsRate.objects.create(
            provider=gw.profile, carrier="vinaphone", price_per_segment=800,
            brandname_registered=False,
        )  # fmt: skip
        campaign = campaign_to(officer, editor, approver, manager, "0961234567", "0912345678")
        dispatch.dispatch(budget_seconds=10)
        routes = {r["to"]: r["route"] for r in gw.received()}
        assert routes == {"+84961234567": gw.profile, "+84912345678": "twilio"}
        assert set(
            Message.objects.filter(campaign=campaign).values_list("provider", flat=True)
        ) == {gw.profile, "twilio"}

    def test_each_message_carries_its_cost_from_the_carrier_price(
        self, gw, officer, editor, approver, manager
    ):
        SmsRate.objects.create(provider=gw.profile, carrier="viettel", price_per_segment=795)
        SmsRate.objects.create(provider=gw.profile, carrier="", price_per_segment=850)
        campaign = campaign_to(officer, editor, approver, manager, "0961234567", "0912345678")
        dispatch.dispatch(budget_seconds=10)
        costs = dict(Message.objects.filter(campaign=campaign).values_list("carrier", "cost"))
        assert costs == {"viettel": 795, "vinaphone": 850}


class BudgetTests:
    def test_a_spent_budget_stops_the_campaign_with_its_reason(
        self, gw, officer, editor, approver, manager
    ):
        SmsRate.objects.create(provider=gw.profile, carrier="", price_per_segment=800)
        ChannelBudget.objects.create(provider=gw.profile, monthly_limit=2000)
        campaign = campaign_to(
            officer, editor, approver, manager, "0961234567", "0912345678", "0981234567"
        )
        dispatch.dispatch(budget_seconds=10)
        campaign.refresh_from_db()
        assert (campaign.status, campaign.paused_reason) == (
            Campaign.Status.PAUSED,
            f"budget:{gw.profile}",
        )
        statuses = sorted(
            Message.objects.filter(campaign=campaign).values_list("status", flat=True)
        )
        assert statuses == [S.CREATED, S.SENT, S.SENT]
        assert len(gw.received()) == 2
        assert budgets.status(gw.profile) == {"limit": 2000, "spent": 1600, "left": 400}
        # Nothing more goes while it is paused, even when dispatch runs again.
        dispatch.dispatch(budget_seconds=5)
        assert len(gw.received()) == 2
        # A raised budget and a resume send the rest.
        ChannelBudget.objects.filter(provider=gw.profile).update(monthly_limit=5000)
        from outreach.services.campaigns import campaign_resume

        campaign_resume(actor=manager, campaign=campaign)
        dispatch.dispatch(budget_seconds=5)
        assert len(gw.received()) == 3
        campaign.refresh_from_db()
        assert campaign.paused_reason == ""

    def test_the_budget_month_follows_vietnam_time(self):
        assert budgets.month_start(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)
        assert budgets.month_start(timezone.localdate()).day == 1


class ProfilePayloadTests:
    def test_the_esms_request_carries_type_unicode_request_id_and_callback(
        self, fake, officer, editor, approver, manager
    ):
        with override_settings(
            OUTREACH_SMS_GATEWAY="esms",
            OUTREACH_GATEWAY_API_KEY="k",
            OUTREACH_GATEWAY_SECRET_KEY="s",
            OUTREACH_GATEWAY_BRANDNAME="CA SON LA",
            OUTREACH_GATEWAY_SMS_TYPE="ads",
            OUTREACH_GATEWAY_UNICODE=True,
        ):
            campaign = campaign_to(officer, editor, approver, manager, "0961234567")
            message = Message.objects.get(campaign=campaign)
            payload = gateway.GatewayBackend("esms").payload(message)
        assert payload["Phone"] == "0961234567"
        assert (payload["ApiKey"], payload["SecretKey"]) == ("k", "s")
        assert (payload["SmsType"], payload["IsUnicode"]) == ("1", "1")
        assert payload["RequestId"] == message.uuid.hex and len(payload["RequestId"]) <= 50
        token = gateway.callback_token("esms", str(message.uuid))
        assert payload["CallbackUrl"].endswith(f"/gateway/esms/{message.uuid}/{token}/")
        assert payload["Content"] == message.body and "TempID" not in payload

    def test_a_template_id_profile_sends_the_template_and_its_parameters(
        self, fake, officer, editor, approver, manager
    ):
        profiles = {"esms": {"content_mode": "template", "template_id": "TB-001"}}
        with override_settings(OUTREACH_SMS_GATEWAY="esms", OUTREACH_GATEWAY_PROFILES=profiles):
            campaign = campaign_to(officer, editor, approver, manager, "0961234567")
            message = Message.objects.get(campaign=campaign)
            payload = gateway.GatewayBackend("esms").payload(message)
        assert payload["TempID"] == "TB-001" and payload["Params"] == [message.body]
        assert "Content" not in payload

    def test_speedsms_uses_basic_auth_a_list_of_84_numbers_and_reads_its_answer(
        self, fake, officer, editor, approver, manager
    ):
        with override_settings(OUTREACH_SMS_GATEWAY="speedsms"):
            campaign = campaign_to(officer, editor, approver, manager, "0961234567")
            payload = gateway.GatewayBackend("speedsms").payload(
                Message.objects.get(campaign=campaign)
            )
        assert payload["to"] == ["84961234567"] and payload["sms_type"] == 3
        assert "ApiKey" not in payload
