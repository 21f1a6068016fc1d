"""Campaign lifecycle (issue 6): approval pins the content version, pause holds messages, cancel
skips them, sandbox reaches only staff test numbers, relative campaigns write day-N events, the
campaign completes when nothing waits; SMS keywords opt out; the per-sender token bucket."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from outreach import limits
from outreach.models import Campaign, Channel, Message, OptOut, TestRecipient
from outreach.services import campaigns as campaign_services
from outreach.services import content as content_services
from outreach.services import dispatch
from outreach.services.campaigns import phone_index
from registry.models import CustodyRecord
from tests.outreach.conftest import (
    PUBLIC_BASE,
    TWILIO_TOKEN,
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
)

pytestmark = pytest.mark.django_db
S = Message.Status


class LifecycleTests:
    def test_approval_pins_the_version_that_is_sent(self, fake, officer, editor, approver, manager):
        person_with_consent(officer, "0912345678", channel="sms")
        content = approved_content(editor, approver)
        campaign = running_campaign(manager, approver, content, channels=[Channel.SMS])
        campaign.refresh_from_db()
        pinned = campaign.content_version
        # The editor changes the text afterwards: a new draft version, not what this campaign sends.
        content_services.content_save(actor=editor, item=content, body="Nội dung khác hẳn.")
        launch_and_write(manager, campaign)
        message = Message.objects.get(campaign=campaign)
        assert message.content_version == pinned
        assert "Ngan hang Chinh sach xa hoi" in message.body

    def test_only_the_provincial_police_approve_and_only_managers_launch(
        self, officer, editor, approver, manager
    ):
        content = approved_content(editor, approver)
        segment = campaign_services.segment_save(actor=manager, name="Tất cả", filters={})
        campaign = campaign_services.campaign_save(
            actor=manager, name="C", content=content, segment=segment, channels=[Channel.SMS]
        )
        campaign_services.campaign_submit(actor=manager, campaign=campaign)
        with pytest.raises(PermissionDenied):
            campaign_services.campaign_approve(actor=manager, campaign=campaign)
        campaign_services.campaign_approve(actor=approver, campaign=campaign)
        with pytest.raises(PermissionDenied):
            campaign_services.campaign_launch(actor=officer, campaign=campaign)

    def test_pause_holds_messages_resume_sends_and_completion_follows(
        self, fake, officer, editor, approver, manager
    ):
        person_with_consent(officer, "0912345678", channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        campaign_services.campaign_pause(actor=manager, campaign=campaign)
        assert dispatch.dispatch(budget_seconds=2).sent == 0
        campaign_services.campaign_resume(actor=manager, campaign=campaign)
        assert dispatch.dispatch(budget_seconds=5).sent == 1
        dispatch.sweep()
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.COMPLETED

    def test_cancel_skips_what_was_waiting(self, fake, officer, editor, approver, manager):
        person_with_consent(officer, "0912345678", channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        campaign_services.campaign_cancel(actor=manager, campaign=campaign)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.skip_reason) == (S.SKIPPED, Message.SkipReason.CANCELLED)
        assert dispatch.dispatch(budget_seconds=2).sent == 0

    def test_a_sandbox_campaign_reaches_only_staff_test_numbers(
        self, fake, officer, editor, approver, manager
    ):
        person_with_consent(officer, "0912345678", channel="sms")
        tester = TestRecipient(name="Cán bộ Lò Thị Mai", phone="+84987000111")
        tester.phone_index = phone_index(tester.phone)
        tester.save()
        content = approved_content(editor, approver)
        segment = campaign_services.segment_save(actor=manager, name="Tất cả", filters={})
        campaign = campaign_services.campaign_save(
            actor=manager,
            name="Thử",
            content=content,
            segment=segment,
            channels=[Channel.SMS],
            sandbox=True,
        )
        campaign_services.campaign_submit(actor=manager, campaign=campaign)
        campaign_services.campaign_approve(actor=approver, campaign=campaign)
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=5)
        (received,) = fake.received()
        assert received["to"] == "+84987000111"
        assert Message.objects.get(campaign=campaign).body.startswith("Chao Mai")

    def test_a_relative_campaign_writes_day_n_events_at_the_set_hour(
        self, fake, officer, editor, approver, manager
    ):
        today = timezone.localdate()
        day3 = person_with_consent(officer, "0912345678", channel="sms")
        day9 = person_with_consent(officer, "0987654321", channel="sms", name="Cà Văn Mạnh")
        CustodyRecord.objects.filter(person=day3).update(release_date=today - dt.timedelta(days=3))
        CustodyRecord.objects.filter(person=day9).update(release_date=today - dt.timedelta(days=9))
        content = approved_content(editor, approver)
        segment = campaign_services.segment_save(actor=manager, name="Mới về", filters={})
        campaign = campaign_services.campaign_save(
            actor=manager,
            name="Ngày 3 và 30",
            content=content,
            segment=segment,
            channels=[Channel.SMS],
            schedule=Campaign.Schedule.RELATIVE,
            relative_days=[3, 30],
            send_hour=9,
        )
        campaign_services.campaign_submit(actor=manager, campaign=campaign)
        campaign_services.campaign_approve(actor=approver, campaign=campaign)
        launch_and_write(manager, campaign)
        (message,) = Message.objects.filter(campaign=campaign)
        assert (message.person, message.event) == (day3, 3)
        local = timezone.localtime(message.next_attempt_at)
        assert local.date() >= today and (local.hour >= 9 or local.date() > today)
        # Running the daily job again writes nothing twice.
        campaign_services.campaign_schedule_events(campaign=campaign)
        assert Message.objects.filter(campaign=campaign).count() == 1


class KeywordOptOutTests:
    @override_settings(OUTREACH_SMS_ACCEPTS_REPLIES=True)
    def test_a_tu_choi_reply_opts_the_number_out_of_sms(self, client, fake):
        params = {"From": "+84912345678", "Body": "TU CHOI", "MessageSid": "SMin1"}
        path = "/outreach/hooks/twilio/inbound/"
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + path, params)
        response = client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200
        opt_out = OptOut.objects.get()
        assert (opt_out.channel, opt_out.source) == (Channel.SMS, OptOut.Source.SMS_KEYWORD)
        assert opt_out.destination_index == phone_index("0912345678")


class TokenBucketTests:
    @pytest.mark.parametrize("backend", ["local", "redis"])
    def test_tokens_are_never_closer_than_one_over_the_rate(self, backend, settings):
        import os

        if backend == "redis":
            url = os.environ.get("REDIS_URL")
            if not url:
                pytest.fail("REDIS_URL is not set: run the suite with `make test`")
            limiter = limits.RedisLimiter(url, "test-bucket")
        else:
            limiter = limits.LocalLimiter()
        limiter.reset()
        sender = limits.SenderLimits("sms-test", rate=50, daily_quota=2)
        started = time.monotonic()
        for _ in range(11):
            limiter.wait_for_token(sender)
        assert time.monotonic() - started >= 10 / 50 * 0.98  # ten gaps of 20 ms at least
        day = "2026-11-27"
        assert [limiter.take_quota(sender, day) for _ in range(3)] == [True, True, False]
        limiter.reset()
