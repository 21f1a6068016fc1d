"""Delivery callbacks and webhooks (issue 6): Twilio signatures (valid, forged, missing, behind a
TLS proxy), the receipt state machine (terminal never overwritten, repeats and out-of-order
callbacks), Zalo events (delivery, follow, unfollow, opt-out keywords), driven by the recorded
payloads in fixtures/outreach/."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import override_settings
from twilio.request_validator import RequestValidator

from outreach.models import Channel, DeliveryReceipt, InboundMessage, Message, OptOut, ZaloFollower
from outreach.services import dispatch
from outreach.services.campaigns import zalo_user_index
from tests.outreach.conftest import (
    PUBLIC_BASE,
    TWILIO_TOKEN,
    approved_content,
    launch_and_write,
    payload,
    person_with_consent,
    running_campaign,
)

pytestmark = pytest.mark.django_db
S = Message.Status


@pytest.fixture
def sent_message(fake, officer, editor, approver, manager) -> Message:
    person_with_consent(officer, "0912345678", channel="sms")
    campaign = running_campaign(
        manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
    )
    launch_and_write(manager, campaign)
    dispatch.dispatch(budget_seconds=5)
    message = Message.objects.get(campaign=campaign)
    assert message.status == S.SENT
    return message


def status_path(message: Message) -> str:
    return f"/outreach/hooks/twilio/status/?m={message.uuid}"


def post_twilio(client, message: Message, name: str, *, signature: str | None = None, **extra):
    params = payload(name)
    params["MessageSid"] = params["SmsSid"] = message.provider_id
    path = status_path(message)
    if signature is None:
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + path, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, params, **headers, **extra)


class TwilioSignatureTests:
    def test_a_valid_signature_is_accepted(self, client, sent_message):
        assert post_twilio(client, sent_message, "twilio_status_delivered.json").status_code == 204
        sent_message.refresh_from_db()
        assert sent_message.status == S.DELIVERED

    def test_a_forged_signature_gets_403_and_changes_nothing(self, client, sent_message):
        forged = RequestValidator("not-the-token").compute_signature(
            PUBLIC_BASE + status_path(sent_message), payload("twilio_status_delivered.json")
        )
        response = post_twilio(
            client, sent_message, "twilio_status_delivered.json", signature=forged
        )
        assert response.status_code == 403
        sent_message.refresh_from_db()
        assert sent_message.status == S.SENT
        assert not DeliveryReceipt.objects.exists()

    def test_a_missing_signature_gets_403(self, client, sent_message):
        response = post_twilio(client, sent_message, "twilio_status_delivered.json", signature="")
        assert response.status_code == 403

    def test_a_tampered_body_gets_403(self, client, sent_message):
        params = payload("twilio_status_delivered.json")
        params["MessageSid"] = sent_message.provider_id
        path = status_path(sent_message)
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + path, params)
        params["MessageStatus"] = "failed"
        response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 403

    @override_settings(
        ALLOWED_HOSTS=["10.0.0.5", "testserver"],
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )
    def test_behind_a_tls_proxy_the_public_url_is_checked_not_the_host_header(
        self, client, sent_message
    ):
        # The proxy forwards to http://10.0.0.5:8000 with its own Host; Twilio signed the public
        # https URL. The signature must still match, and one computed for the internal URL not.
        internal = RequestValidator(TWILIO_TOKEN).compute_signature(
            "http://10.0.0.5:8000" + status_path(sent_message),
            {**payload("twilio_status_delivered.json"), "MessageSid": sent_message.provider_id},
        )
        proxied = {"HTTP_HOST": "10.0.0.5:8000", "HTTP_X_FORWARDED_PROTO": "https"}
        assert (
            post_twilio(
                client, sent_message, "twilio_status_delivered.json", signature=internal, **proxied
            ).status_code
            == 403
        )
        assert (
            post_twilio(client, sent_message, "twilio_status_delivered.json", **proxied).status_code
            == 204
        )


class ReceiptStateMachineTests:
    def test_out_of_order_sent_after_delivered_changes_nothing(self, client, sent_message):
        post_twilio(client, sent_message, "twilio_status_delivered.json")
        post_twilio(client, sent_message, "twilio_status_sent.json")
        sent_message.refresh_from_db()
        assert sent_message.status == S.DELIVERED
        assert DeliveryReceipt.objects.filter(message=sent_message, applied=False).count() == 1

    def test_a_terminal_status_is_never_overwritten(self, client, sent_message):
        post_twilio(client, sent_message, "twilio_status_undelivered.json")
        post_twilio(client, sent_message, "twilio_status_delivered.json")
        sent_message.refresh_from_db()
        # 30003 (handset unreachable) is temporary; the later "delivered" does not undo it.
        assert (sent_message.status, sent_message.error_code) == (S.TEMPORARY_FAILURE, "30003")

    def test_a_repeated_callback_is_recorded_once(self, client, sent_message):
        for _ in range(3):
            assert (
                post_twilio(client, sent_message, "twilio_status_delivered.json").status_code == 204
            )
        assert DeliveryReceipt.objects.filter(message=sent_message).count() == 1

    def test_a_callback_before_the_worker_records_the_id_marks_the_row_sent(self, sent_message):
        from outreach.services.optouts import apply_receipt

        Message.objects.filter(pk=sent_message.pk).update(status=S.SENDING, provider_id="")
        apply_receipt(
            message_uuid=sent_message.uuid,
            provider_id="SMearly",
            provider_status="sent",
            status=S.SENT,
        )
        dispatch._record_sent(sent_message, "SMearly", "sms")
        sent_message.refresh_from_db()
        assert (sent_message.status, sent_message.provider_id) == (S.SENT, "SMearly")
        # The sweeper never re-sends it.
        Message.objects.filter(pk=sent_message.pk).update(status=S.SENDING)
        assert dispatch.sweep(now=sent_message.updated_at.replace(year=2100))["requeued"] == 0

    def test_bad_input_gets_400_not_500(self, client, sent_message):
        path = status_path(sent_message)
        params = {"MessageSid": "x"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + path, params)
        assert client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 400


def zalo_post(client, event: dict, *, secret: str = "test-oa-secret"):
    raw = json.dumps(event).encode()
    mac = hashlib.sha256(
        b"test-app" + raw + str(event.get("timestamp", "")).encode() + secret.encode()
    ).hexdigest()
    return client.post(
        "/outreach/hooks/zalo/",
        raw,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
    )


class ZaloWebhookTests:
    def test_a_delivery_event_finds_the_message_by_tracking_id(self, client, sent_message):
        event = payload("zalo_user_received_message.json")
        event["message"]["tracking_id"] = sent_message.uuid.hex
        assert zalo_post(client, event).status_code == 200
        sent_message.refresh_from_db()
        assert sent_message.status == S.DELIVERED

    def test_a_forged_event_gets_403(self, client, fake):
        event = payload("zalo_unfollow.json")
        assert zalo_post(client, event, secret="wrong").status_code == 403
        assert not OptOut.objects.exists()

    def test_unfollow_opts_out_of_oa_and_follow_lifts_it(self, client, fake):
        follow, unfollow = payload("zalo_follow.json"), payload("zalo_unfollow.json")
        user_id = follow["follower"]["id"]
        assert zalo_post(client, follow).status_code == 200
        assert ZaloFollower.objects.get(user_id=user_id).following
        zalo_post(client, unfollow)
        assert not ZaloFollower.objects.get(user_id=user_id).following
        active = OptOut.objects.filter(
            destination_index=zalo_user_index(user_id), revoked_at__isnull=True
        )
        assert active.get().source == OptOut.Source.ZALO_UNFOLLOW
        zalo_post(client, follow)
        assert not active.exists()

    def test_a_tu_choi_message_opts_the_follower_out(self, client, fake):
        event = payload("zalo_user_send_text.json")
        assert zalo_post(client, event).status_code == 200
        inbound = InboundMessage.objects.get()
        assert inbound.action == "opt_out"
        assert OptOut.objects.get().source == OptOut.Source.ZALO_KEYWORD

    def test_garbage_gets_400(self, client, fake):
        raw = b"not json"
        mac = hashlib.sha256(b"test-app" + raw + b"test-oa-secret").hexdigest()
        response = client.post(
            "/outreach/hooks/zalo/",
            raw,
            content_type="application/json",
            HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
        )
        assert response.status_code in (400, 403)
