"""Zalo OA followers linked to people (issue 19): an officer issues a one-time code, the person
sends it to the OA, the webhook links the follower (audited, consent recorded); a campaign then
reaches them by OA through the fake provider; unfollowing unlinks and the next campaign falls
back to SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from outreach.models import Channel, Message, ZaloFollower, ZaloLinkCode
from outreach.services import dispatch
from outreach.services.zalo_links import find_code, link_code_issue
from registry.models import Consent
from registry.models.access import AccessEvent
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    payload,
    person_with_consent,
    running_campaign,
    zalo_tokens,
)
from tests.outreach.test_receipts import zalo_post

pytestmark = pytest.mark.django_db
S = Message.Status
USER_ID = "6295955865485264455"


def send_text(client, text: str, user_id: str = USER_ID):
    event = payload("zalo_user_send_text.json")
    event["sender"]["id"] = user_id
    event["message"]["text"] = text
    return zalo_post(client, event)


def follow(client, user_id: str = USER_ID, name: str = "zalo_follow.json"):
    event = payload(name)
    event["follower"]["id"] = user_id
    return zalo_post(client, event)


class ZaloLinkTests:
    def test_a_code_sent_to_the_oa_links_the_follower_then_a_campaign_reaches_them_by_oa(
        self, client, fake, officer, editor, approver, manager
    ):
        zalo_tokens(fake)
        person = person_with_consent(officer, "0961234567", channel="sms")
        issued = link_code_issue(actor=officer, person=person)
        assert follow(client).status_code == 200
        assert (
            send_text(client, f"Chào cán bộ, mã của tôi là {issued.code.lower()}").status_code
            == 200
        )

        follower = ZaloFollower.objects.get(user_id=USER_ID)
        assert follower.person == person and follower.linked_at is not None
        assert ZaloLinkCode.objects.get(person=person).used_at is not None
        assert Consent.objects.filter(
            person=person, channel=Consent.Channel.ZALO, status=Consent.Status.GIVEN
        ).exists()
        assert AccessEvent.objects.filter(username="zalo-oa", purpose="zalo link").exists()
        # The follower is told, on the OA.
        reply = Message.objects.get(campaign=None, channel=Channel.ZALO_OA)
        assert reply.destination == USER_ID

        campaign = running_campaign(
            manager, approver, approved_content(editor, approver),
            channels=[Channel.ZALO_OA, Channel.SMS],
        )  # fmt: skip
        launch_and_write(manager, campaign)
        row = Message.objects.get(campaign=campaign)
        assert (row.channel, row.destination) == (Channel.ZALO_OA, USER_ID)
        dispatch.dispatch(budget_seconds=10)
        row.refresh_from_db()
        assert row.status == S.SENT
        oa = [r for r in fake.received() if r["route"] == "oa" and r["id"] == ""]
        assert {r["to"] for r in oa} == {USER_ID}
        assert len([r for r in fake.received() if r["route"] == "twilio"]) == 0

    def test_unfollowing_unlinks_and_the_next_campaign_falls_back_to_sms(
        self, client, fake, officer, editor, approver, manager
    ):
        zalo_tokens(fake)
        person = person_with_consent(officer, "0961234567", channel="")
        issued = link_code_issue(actor=officer, person=person)
        follow(client)
        send_text(client, issued.code)
        assert ZaloFollower.objects.get(user_id=USER_ID).person == person

        assert follow(client, name="zalo_unfollow.json").status_code == 200
        follower = ZaloFollower.objects.get(user_id=USER_ID)
        assert (follower.person, follower.following) == (None, False)
        assert AccessEvent.objects.filter(
            username="zalo-oa", purpose="zalo unlink (unfollow)"
        ).exists()

        campaign = running_campaign(
            manager, approver, approved_content(editor, approver),
            channels=[Channel.ZALO_OA, Channel.SMS],
        )  # fmt: skip
        launch_and_write(manager, campaign)
        row = Message.objects.get(campaign=campaign)
        assert (row.channel, row.destination) == (Channel.SMS, "+84961234567")

    def test_a_wrong_spent_or_expired_code_links_nobody_and_guessing_is_limited(
        self, client, fake, officer
    ):
        person = person_with_consent(officer, "0961234567", channel="sms")
        issued = link_code_issue(actor=officer, person=person)
        send_text(client, "LK222222")
        assert ZaloFollower.objects.get(user_id=USER_ID).person is None
        # An expired code.
        ZaloLinkCode.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        send_text(client, issued.code)
        assert ZaloFollower.objects.get(user_id=USER_ID).person is None
        # Five wrong tries in an hour, then even a right code waits.
        fresh = link_code_issue(actor=officer, person=person)
        for _ in range(4):
            send_text(client, "LK333333")
        send_text(client, fresh.code)
        assert ZaloFollower.objects.get(user_id=USER_ID).person is None
        # A new code ends the earlier one.
        newer = link_code_issue(actor=officer, person=person)
        assert ZaloLinkCode.objects.filter(person=person, used_at__isnull=True).count() == 1
        assert newer.code != fresh.code

    def test_the_code_can_go_to_the_person_by_sms(self, fake, officer):
        person = person_with_consent(officer, "0961234567", channel="sms")
        issued = link_code_issue(actor=officer, person=person, send_sms=True)
        sms = Message.objects.get(channel=Channel.SMS, campaign=None)
        assert sms.destination == "+84961234567"
        assert issued.code in sms.body and "Zalo OA" in sms.body
        assert sms.body.isascii()
        dispatch.dispatch(budget_seconds=5)
        assert [r["to"] for r in fake.received()] == ["+84961234567"]

    def test_codes_are_found_in_what_people_type(self):
        assert find_code("ma cua toi: lk-7q2m9x nhe") == "LK7Q2M9X"
        assert find_code("LK 7Q2M9X") == "LK7Q2M9X"
        assert find_code("Tu choi") is None

    def test_only_officers_who_may_link_issue_codes(self, officer, manager):
        from django.core.exceptions import PermissionDenied

        person = person_with_consent(officer, "0961234567", channel="sms")
        with pytest.raises(PermissionDenied):
            link_code_issue(actor=manager, person=person)


class ZaloLinkRetentionTests:
    def test_spent_codes_go_after_a_day_and_retention_forgets_a_persons_codes(self, officer):
        from outreach.privacy import forget_expired_codes, forget_people

        person = person_with_consent(officer, "0961234567", channel="sms")
        link_code_issue(actor=officer, person=person)
        link_code_issue(actor=officer, person=person)  # ends the first
        ZaloLinkCode.objects.filter(used_at__isnull=False).update(
            used_at=timezone.now() - dt.timedelta(days=2)
        )
        assert forget_expired_codes() == 1
        assert ZaloLinkCode.objects.count() == 1
        forget_people([person.pk])
        assert not ZaloLinkCode.objects.exists()
