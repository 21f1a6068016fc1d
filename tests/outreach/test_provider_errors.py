"""Provider errors through the fake provider over HTTP (issue 6): transient errors (timeouts, 5xx,
429) are retried with backoff and then delivered; permanent errors fail after one attempt; a
retry window that runs out ends in technical_failure; Twilio 21610 opts the number out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from outreach import routing
from outreach.models import Channel, Message, OptOut
from outreach.services import dispatch
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
    zalo_tokens,
)

pytestmark = pytest.mark.django_db
S = Message.Status


@pytest.fixture
def one_sms(fake, officer, editor, approver, manager) -> Message:
    person_with_consent(officer, "0912345678", channel="")
    campaign = running_campaign(
        manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
    )
    launch_and_write(manager, campaign)
    return Message.objects.get(campaign=campaign)


def send_until_settled(rounds: int = 6) -> None:
    for _ in range(rounds):
        dispatch.dispatch(budget_seconds=5)
        # A read timeout waits for a callback; with none coming, the lease runs out (the clock
        # is moved by moving the lease) and the sweeper re-queues.
        Message.objects.filter(status=S.SENDING).update(
            lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
        dispatch.sweep()


class TransientErrorTests:
    @pytest.mark.parametrize("kind", ["500", "429"])
    def test_it_retries_then_delivers(self, fake, one_sms, kind):
        fake.faults({"route": "twilio", "kind": kind, "times": 2})
        send_until_settled()
        one_sms.refresh_from_db()
        assert one_sms.status == S.SENT
        assert one_sms.attempts == 3
        assert len(fake.received()) == 1

    def test_a_timeout_waits_for_a_callback_then_retries_once(self, fake, one_sms):
        fake.faults({"route": "twilio", "kind": "timeout", "times": 1})
        dispatch.dispatch(budget_seconds=5)
        one_sms.refresh_from_db()
        # Unknown outcome: still SENDING with a grace lease; not re-sent before the sweeper.
        assert (one_sms.status, one_sms.error_code) == (S.SENDING, "timeout")
        assert dispatch.dispatch(budget_seconds=2).sent == 0
        send_until_settled()
        one_sms.refresh_from_db()
        assert one_sms.status == S.SENT
        assert len(fake.received()) == 1

    def test_a_slow_accept_with_a_callback_is_never_sent_twice(self, fake, one_sms):
        from outreach.services.optouts import apply_receipt

        fake.faults({"route": "twilio", "kind": "slow_accept", "times": 1})
        dispatch.dispatch(budget_seconds=5)
        (accepted,) = fake.received()
        # The provider's callback arrives while we wait.
        apply_receipt(
            message_uuid=accepted["id"],
            provider_id=accepted["provider_id"],
            provider_status="delivered",
            status=S.DELIVERED,
        )
        send_until_settled()
        one_sms.refresh_from_db()
        assert one_sms.status == S.DELIVERED
        assert len(fake.received()) == 1

    def test_the_retry_window_ends_in_technical_failure(self, fake, one_sms):
        fake.faults({"route": "twilio", "kind": "500"})
        with override_settings(OUTREACH_RETRY_BASE_SECONDS=60, OUTREACH_RETRY_WINDOW_SECONDS=90):
            dispatch.dispatch(budget_seconds=5)
            one_sms.refresh_from_db()
            assert one_sms.status == S.CREATED  # first retry in 60 s fits the 90 s window
            Message.objects.filter(pk=one_sms.pk).update(next_attempt_at=timezone.now())
            dispatch.dispatch(budget_seconds=5)
        one_sms.refresh_from_db()
        assert (one_sms.status, one_sms.error_code) == (S.TECHNICAL_FAILURE, "20500")
        assert fake.received() == []


class PermanentErrorTests:
    def test_an_invalid_number_fails_after_one_attempt(self, fake, one_sms):
        fake.faults({"route": "twilio", "kind": "invalid_number"})
        send_until_settled()
        one_sms.refresh_from_db()
        assert (one_sms.status, one_sms.error_code, one_sms.attempts) == (
            S.PERMANENT_FAILURE,
            "21211",
            1,
        )

    def test_an_unsubscribed_recipient_is_opted_out(self, fake, one_sms):
        fake.faults({"route": "twilio", "kind": "opted_out"})
        dispatch.dispatch(budget_seconds=5)
        one_sms.refresh_from_db()
        assert one_sms.status == S.PERMANENT_FAILURE
        opt_out = OptOut.objects.get()
        assert (opt_out.source, opt_out.destination_index) == (
            OptOut.Source.PROVIDER,
            one_sms.destination_index,
        )

    def test_a_zns_invalid_phone_falls_back_to_sms(self, fake, officer, editor, approver, manager):
        zalo_tokens(fake)
        person_with_consent(officer, "0912345678", channel="")
        campaign = running_campaign(
            manager,
            approver,
            approved_content(editor, approver),
            channels=[Channel.ZALO_ZNS, Channel.SMS],
        )
        launch_and_write(manager, campaign)
        fake.faults({"route": "zns", "kind": "invalid_number"})
        send_until_settled(2)
        rows = dict(Message.objects.filter(campaign=campaign).values_list("channel", "status"))
        assert rows == {Channel.ZALO_ZNS: S.PERMANENT_FAILURE, Channel.SMS: S.SENT}


class LeaseRenewalTests:
    """Live workers renew their lease (issue 21): a dead worker's rows come back within about a
    lease, a live one's never do, and an expired lease is never revived."""

    def test_a_held_lease_is_renewed_and_an_expired_one_is_not(self, fake, one_sms):
        ids = dispatch.claim(limit=10)
        assert ids == [one_sms.id]
        one_sms.refresh_from_db()
        first = one_sms.lease_until
        assert dispatch.renew_lease([one_sms]) == {one_sms.id}
        assert one_sms.lease_until > first
        one_sms.refresh_from_db()
        assert one_sms.lease_until > first

        # Its lease ran out (the worker stalled): not renewed, the sweeper takes it back.
        Message.objects.filter(pk=one_sms.pk).update(
            lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
        one_sms.refresh_from_db()
        due = one_sms.next_attempt_at
        assert dispatch.renew_lease([one_sms]) == set()
        assert dispatch.recover_expired()["requeued"] == 1
        # Back in the queue at its old place, just ahead of the rows due with it.
        one_sms.refresh_from_db()
        assert one_sms.status == S.CREATED
        assert one_sms.next_attempt_at == due - dispatch.BACK_IN_QUEUE_AHEAD

    def test_a_row_handed_back_goes_before_its_campaigns_untried_rows(
        self, fake, officer, editor, approver, manager
    ):
        # A campaign's outbox rows share one due time; a dead worker's row, once its lease ran
        # out, is claimed before every untried one (it waited behind them all before: issue 21).
        for number in ("0912345601", "0912345602", "0912345603", "0912345604"):
            person_with_consent(officer, number, channel="")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        assert len(set(Message.objects.values_list("next_attempt_at", flat=True))) == 1
        (dead,) = dispatch.claim(limit=1)
        Message.objects.filter(pk=dead).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
        assert dispatch.recover_expired()["requeued"] == 1
        assert dispatch.claim(limit=1) == [dead]

        # A row released unsent (short of lease) keeps its place in the same way: claimed again
        # before the two rows still untried.
        taken = dispatch.claim(limit=1)
        assert dispatch._release(taken, timezone.now()) == 1
        assert dispatch.claim(limit=1) == taken

    def test_a_worker_whose_lease_was_taken_does_not_send(self, fake, one_sms):
        dispatch.claim(limit=10)
        one_sms.refresh_from_db()
        stale = Message.objects.get(pk=one_sms.pk)
        # The sweeper handed the row back and another worker claimed it under a new lease.
        Message.objects.filter(pk=one_sms.pk).update(
            lease_until=timezone.now() + dt.timedelta(seconds=60)
        )
        assert dispatch.renew_lease([stale]) == set()


def expire_leases() -> None:
    """The clock moved past the leases (a dead worker renews nothing)."""
    Message.objects.filter(status=S.SENDING).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )


class DeadWorkerInFlightTests:
    """A worker killed between the provider's answer and its own write leaves a row the provider
    holds but the outbox thinks unsent (the duplicate a kill -9 once produced in CI: Twilio
    takes no idempotency key, and the callback had not come when the lease ran out)."""

    @pytest.fixture
    def batch(self, fake, officer, editor, approver, manager) -> list[Message]:
        for number in ("0912345601", "0912345602", "0912345603"):
            person_with_consent(officer, number, channel="")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        ids = dispatch.claim(limit=10)
        return list(Message.objects.filter(id__in=ids).order_by(*dispatch.SEND_ORDER))

    def test_the_row_it_was_sending_is_found_at_twilio_and_not_sent_again(self, fake, batch):
        first, *rest = batch
        # The worker sent the first row of its batch, then died before recording Twilio's id.
        routing.backend_named(routing.TWILIO, Channel.SMS).send(first)
        (accepted,) = fake.received()
        expire_leases()

        assert dispatch.recover_expired() == {
            "accepted": 1,
            "requeued": 2,
            "exhausted": 0,
            "held": 0,
        }
        first.refresh_from_db()
        assert (first.status, first.provider_id, first.provider) == (
            S.SENT,
            accepted["provider_id"],
            routing.TWILIO,
        )
        rest_now = Message.objects.filter(id__in=[m.id for m in rest])
        assert set(rest_now.values_list("status", flat=True)) == {S.CREATED}

        dispatch.dispatch(budget_seconds=5)
        sent_ids = [r["id"] for r in fake.received()]
        assert sorted(sent_ids) == sorted(str(m.uuid) for m in batch)  # each once

    def test_the_row_it_had_not_sent_yet_goes_again(self, fake, batch):
        # Killed before the call reached Twilio: Twilio lists nothing, the row is sent.
        expire_leases()
        assert dispatch.recover_expired()["requeued"] == 3
        dispatch.dispatch(budget_seconds=5)
        assert sorted(r["id"] for r in fake.received()) == sorted(str(m.uuid) for m in batch)

    def test_twilio_not_answering_holds_the_row_and_asks_again(self, fake, batch):
        first = batch[0]
        routing.backend_named(routing.TWILIO, Channel.SMS).send(first)
        expire_leases()
        with override_settings(TWILIO_API_BASE_URL="http://127.0.0.1:9"):  # nothing listens
            routing.clear_caches()
            counts = dispatch.recover_expired()
        routing.clear_caches()
        assert (counts["held"], counts["requeued"]) == (1, 2)
        first.refresh_from_db()
        assert (first.status, first.error_code) == (S.SENDING, "unknown")
        assert first.lease_until > timezone.now()

        expire_leases()  # the grace ran out; Twilio answers now
        assert dispatch.recover_expired()["accepted"] == 1
        first.refresh_from_db()
        assert first.status == S.SENT
        assert len(fake.received()) == 1

    def test_a_provider_that_cannot_tell_gets_a_grace_for_its_callback(
        self, fake, officer, editor, approver, manager
    ):
        zalo_tokens(fake)
        person_with_consent(officer, "0912345678", channel="")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.ZALO_ZNS]
        )
        launch_and_write(manager, campaign)
        (row,) = dispatch.claim(limit=10)
        expire_leases()
        assert dispatch.recover_expired()["held"] == 1  # Zalo lists nothing: wait for a webhook
        message = Message.objects.get(pk=row)
        assert (message.status, message.error_code) == (S.SENDING, "unknown")

        expire_leases()  # no webhook within the grace: sent again
        assert dispatch.recover_expired()["requeued"] == 1
        assert Message.objects.get(pk=row).status == S.CREATED

    def test_the_same_text_sent_to_the_number_before_is_not_taken_for_it(
        self, fake, officer, editor, approver, manager
    ):
        # Two campaigns of one text to one person, a second apart: the first's message at Twilio
        # (its id recorded on its own row) must not pass for the second's lost send — that would
        # mark the second sent while nothing went out (the topology test caught it).
        person_with_consent(officer, "0912345601", channel="")
        content = approved_content(editor, approver)
        earlier = running_campaign(manager, approver, content, channels=[Channel.SMS])
        launch_and_write(manager, earlier)
        assert dispatch.dispatch(budget_seconds=5).sent == 1
        later = running_campaign(manager, approver, content, channels=[Channel.SMS])
        launch_and_write(manager, later)
        (row,) = dispatch.claim(limit=10)
        expire_leases()  # its worker died before it called Twilio

        assert dispatch.recover_expired()["requeued"] == 1
        assert Message.objects.get(pk=row).status == S.CREATED
        dispatch.dispatch(budget_seconds=5)
        assert len({r["provider_id"] for r in fake.received()}) == 2
