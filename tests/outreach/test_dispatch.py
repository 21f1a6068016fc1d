"""The outbox end to end in one process: write, claim, rules, send to the fake provider over HTTP,
record, retry, fail, fall back, sweep (issue 6: the state machine and every send rule)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from outreach.models import Channel, Message, OptOut
from outreach.services import dispatch, optouts
from registry.models import Consent
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
    zalo_tokens,
)

pytestmark = pytest.mark.django_db
S = Message.Status


def sms_campaign(officer, editor, approver, manager, *phones, channels=None, consent="sms"):
    people = [person_with_consent(officer, p, channel=consent) for p in phones]
    content = approved_content(editor, approver)
    campaign = running_campaign(manager, approver, content, channels=channels or [Channel.SMS])
    launch_and_write(manager, campaign)
    return campaign, people


class DispatchTests:
    def test_it_sends_each_message_once_and_records_the_provider_id(
        self, fake, officer, editor, approver, manager
    ):
        campaign, _ = sms_campaign(
            officer, editor, approver, manager, "0912345678", "0987654321", "0321234567"
        )
        result = dispatch.dispatch(budget_seconds=10)
        assert result.sent == 3
        rows = list(Message.objects.filter(campaign=campaign))
        assert {m.status for m in rows} == {S.SENT}
        received = fake.received()
        assert sorted(r["id"] for r in received) == sorted(str(m.uuid) for m in rows)
        assert {m.provider_id for m in rows} == {r["provider_id"] for r in received}
        assert {r["to"] for r in received} == {"+84912345678", "+84987654321", "+84321234567"}
        # Nothing is due any more: a second pass sends nothing.
        assert dispatch.dispatch(budget_seconds=5).sent == 0
        assert len(fake.received()) == 3

    def test_the_sms_is_unaccented_and_personal(self, fake, officer, editor, approver, manager):
        sms_campaign(officer, editor, approver, manager, "0912345678")
        message = Message.objects.get()
        assert message.body.startswith("Chao Pang, Ngan hang Chinh sach xa hoi tai Phuong To Hieu")
        assert message.segments == 1

    def test_a_person_without_consent_is_skipped_then_zalo_falls_back_to_sms(
        self, fake, officer, editor, approver, manager
    ):
        zalo_tokens(fake)
        campaign, _ = sms_campaign(
            officer,
            editor,
            approver,
            manager,
            "0912345678",
            channels=[Channel.ZALO_ZNS, Channel.SMS],
            consent="sms",
        )
        dispatch.dispatch(budget_seconds=10)
        zns = Message.objects.get(campaign=campaign, channel=Channel.ZALO_ZNS)
        sms = Message.objects.get(campaign=campaign, channel=Channel.SMS)
        assert (zns.status, zns.skip_reason) == (S.SKIPPED, Message.SkipReason.NO_CONSENT)
        assert sms.status == S.SENT
        assert [r["route"] for r in fake.received()] == ["twilio"]

    def test_zns_goes_to_84_with_our_tracking_id(self, fake, officer, editor, approver, manager):
        zalo_tokens(fake)
        campaign, _ = sms_campaign(
            officer,
            editor,
            approver,
            manager,
            "0912345678",
            channels=[Channel.ZALO_ZNS],
            consent="zalo",
        )
        dispatch.dispatch(budget_seconds=10)
        message = Message.objects.get(campaign=campaign)
        (received,) = fake.received()
        assert received["to"] == "84912345678"
        assert received["id"] == message.uuid.hex
        assert message.status == S.SENT

    def test_an_opt_out_takes_effect_before_the_next_claim(
        self, fake, officer, editor, approver, manager
    ):
        campaign, (person,) = sms_campaign(officer, editor, approver, manager, "0912345678")
        optouts.opt_out_record(actor=officer, person=person, channel=OptOut.ALL_CHANNELS)
        dispatch.dispatch(budget_seconds=5)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.skip_reason) == (S.SKIPPED, Message.SkipReason.OPTED_OUT)
        assert fake.received() == []

    def test_a_withdrawn_consent_stops_the_message(self, fake, officer, editor, approver, manager):
        from registry import services

        campaign, (person,) = sms_campaign(officer, editor, approver, manager, "0912345678")
        for consent in Consent.objects.filter(person=person):
            services.consent_withdraw(actor=officer, consent=consent)
        dispatch.dispatch(budget_seconds=5)
        assert Message.objects.get(campaign=campaign).skip_reason == Message.SkipReason.NO_CONSENT

    def test_at_most_three_messages_per_person_per_24_hours(
        self, fake, officer, editor, approver, manager
    ):
        person = person_with_consent(officer, "0912345678", channel="sms")
        content = approved_content(editor, approver)
        for _ in range(4):
            campaign = running_campaign(manager, approver, content, channels=[Channel.SMS])
            launch_and_write(manager, campaign)
            dispatch.dispatch(budget_seconds=5)
        statuses = list(
            Message.objects.filter(person=person)
            .order_by("id")
            .values_list("status", "skip_reason")
        )
        assert statuses[:3] == [(S.SENT, "")] * 3
        assert statuses[3] == (S.SKIPPED, Message.SkipReason.DAILY_CAP)
        assert len(fake.received()) == 3

    def test_demo_people_never_reach_a_real_provider(
        self, fake, officer, editor, approver, manager
    ):
        campaign, (person,) = sms_campaign(officer, editor, approver, manager, "0912345678")
        type(person).objects.filter(pk=person.pk).update(is_demo=True)
        dispatch.dispatch(budget_seconds=5)
        assert Message.objects.get(campaign=campaign).skip_reason == Message.SkipReason.DEMO_PERSON
        assert fake.received() == []

    def test_outside_the_send_window_nothing_is_claimed_and_messages_wait(
        self, fake, officer, editor, approver, manager
    ):
        with override_settings(OUTREACH_SEND_WINDOW="07:00-22:00"):
            vn = timezone.get_current_timezone()
            late = dt.datetime(2026, 11, 27, 22, 30, tzinfo=vn)
            early = dt.datetime(2026, 11, 28, 6, 59, tzinfo=vn)
            opening = dt.datetime(2026, 11, 28, 7, 0, tzinfo=vn)
            assert dispatch.claim(limit=10, now=late) == []
            assert dispatch.claim(limit=10, now=early) == []
            from outreach.window import next_send_time

            assert next_send_time(late) == opening
            assert next_send_time(early) == opening
            assert next_send_time(opening) == opening

    def test_a_quota_exhausted_channel_skips_with_its_reason(
        self, fake, officer, editor, approver, manager
    ):
        zalo_tokens(fake)
        senders = {
            "sms": {"rate": 1000, "daily_quota": None},
            "zalo_zns": {"rate": 1000, "daily_quota": 1},
            "zalo_oa": {"rate": 1000, "daily_quota": None},
        }
        with override_settings(OUTREACH_SENDERS=senders):
            campaign, _ = sms_campaign(
                officer,
                editor,
                approver,
                manager,
                "0912345678",
                "0987654321",
                channels=[Channel.ZALO_ZNS],
                consent="",
            )
            dispatch.dispatch(budget_seconds=5)
        statuses = sorted(
            Message.objects.filter(campaign=campaign).values_list("status", "skip_reason")
        )
        assert statuses == [(S.SENT, ""), (S.SKIPPED, Message.SkipReason.QUOTA)]


class BatchSizeTests:
    """A batch is half a lease's worth at the slowest rate of the senders that really send."""

    SENDERS = {
        "sms": {"rate": 1000, "daily_quota": None},
        "esms": {"rate": 40, "daily_quota": None},
        "zalo_zns": {"rate": 10, "daily_quota": None},
        "zalo_oa": {"rate": 10, "daily_quota": None},
    }

    def test_a_channel_the_console_carries_does_not_bound_the_batch(self):
        # No Zalo app: Zalo rows go to the console, which has no rate; Twilio alone sends SMS.
        with override_settings(
            OUTREACH_SENDERS=self.SENDERS, ZALO_APP_ID="", OUTREACH_SMS_GATEWAY="",
            TWILIO_ACCOUNT_SID="ACtest", OUTREACH_BATCH_SIZE=200, OUTREACH_LEASE_SECONDS=15,
        ):  # fmt: skip
            assert dispatch.sending_rates() == [1000]
            assert dispatch.batch_size(dispatch.sending_rates()) == 200

    def test_the_gateway_and_zalo_rates_bound_it_when_they_send(self):
        with override_settings(
            OUTREACH_SENDERS=self.SENDERS, ZALO_APP_ID="app", OUTREACH_SMS_GATEWAY="esms",
            TWILIO_ACCOUNT_SID="ACtest", OUTREACH_BATCH_SIZE=200, OUTREACH_LEASE_SECONDS=15,
        ):  # fmt: skip
            assert sorted(dispatch.sending_rates()) == [10, 10, 40, 1000]
            assert dispatch.batch_size(dispatch.sending_rates()) == 75  # 10/s × 15 s / 2

    def test_the_console_alone_takes_the_configured_batch(self):
        with override_settings(
            ZALO_APP_ID="", OUTREACH_SMS_GATEWAY="", TWILIO_ACCOUNT_SID="", OUTREACH_BATCH_SIZE=100
        ):
            assert dispatch.sending_rates() == []
            assert dispatch.batch_size([]) == 100
