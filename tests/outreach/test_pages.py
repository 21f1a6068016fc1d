"""Outreach pages (issue 6): the whole flow through the web — content written, submitted,
approved with the discretion check; a segment with its live count (never names); a campaign
through the wizard, approval, launch and progress; a person's message history for roles that may
see the person (masked destinations, 404 outside the scope), and an officer's opt-out record."""

from __future__ import annotations

import pytest

from outreach.models import Campaign, Channel, ContentItem, Message, OptOut, Segment
from outreach.services import campaigns as campaign_services
from outreach.services import dispatch
from registry.models import AccessEvent, Role
from tests import factories
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
    user_with,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    factories.sign_in(client, user)
    return client


class PermissionTests:
    @pytest.mark.parametrize(
        ("role", "path", "expected"),
        [
            (Role.COMMUNE_POLICE, "/outreach/", 403),
            (Role.CONTENT_EDITOR, "/outreach/content/new/", 200),
            (Role.CONTENT_EDITOR, "/outreach/segments/new/", 403),
            (Role.OUTREACH_MANAGER, "/outreach/segments/new/", 200),
            (Role.OUTREACH_MANAGER, "/outreach/campaigns/new/", 200),
            (Role.OUTREACH_MANAGER, "/outreach/approvals/", 403),
            (Role.PROVINCIAL_POLICE, "/outreach/approvals/", 200),
            (Role.AUDITOR, "/outreach/", 403),
        ],
    )
    def test_each_role_reaches_only_its_pages(self, client, role, path, expected):
        signed_in(client, user_with(role, f"u-{role}"))
        assert client.get(path).status_code == expected

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = client.get("/outreach/")
        assert response.status_code == 302 and "/account/login/" in response["Location"]

    def test_an_editor_cannot_approve(self, client, editor):
        signed_in(client, editor)
        client.post("/outreach/content/new/", {"kind": "news", "title": "Tin", "body": "Chào"})
        item = ContentItem.objects.get()
        client.post(f"/outreach/content/{item.uuid}/submit/")
        response = client.post(f"/outreach/content/{item.uuid}/approve/")
        assert response.status_code == 403
        item.refresh_from_db()
        assert item.status == ContentItem.Status.IN_REVIEW


class ContentFlowTests:
    def test_write_preview_submit_and_approve_with_the_discretion_check(
        self, client, editor, approver
    ):
        signed_in(client, editor)
        response = client.post(
            "/outreach/content/new/",
            {
                "kind": "story",
                "title": "Anh Hùng làm lại cuộc đời",
                "body": "Sau khi ra tù, ((ten)) đã mở xưởng mộc.",
            },
        )
        item = ContentItem.objects.get()
        assert response.status_code == 302
        page = client.get(f"/outreach/content/{item.uuid}/").content.decode()
        assert "Sau khi ra tu, Hung da mo xuong moc." in page  # the SMS preview, sample name
        assert "ra tù" in page  # the discretion warning
        preview = client.post(
            "/outreach/content/preview/",
            {"kind": "news", "title": "t", "body": "Chào ((ten)) ở ((xa))"},
        ).json()
        assert preview["text"].startswith("Chao Hung o Phuong To Hieu")
        assert preview["segments"] == 1 and preview["encoding"] == "GSM-7"
        client.post(f"/outreach/content/{item.uuid}/submit/")

        signed_in(client, approver)
        refused = client.post(f"/outreach/content/{item.uuid}/approve/", {"note": ""})
        assert refused.status_code == 400
        assert "ra tù" in refused.content.decode()
        item.refresh_from_db()
        assert item.status == ContentItem.Status.IN_REVIEW
        client.post(
            f"/outreach/content/{item.uuid}/approve/", {"note": "Câu chuyện có đồng ý đăng"}
        )
        item.refresh_from_db()
        assert item.status == ContentItem.Status.APPROVED
        assert item.discretion_override == "Câu chuyện có đồng ý đăng"

    def test_an_unknown_placeholder_blocks_submission(self, client, editor):
        signed_in(client, editor)
        client.post("/outreach/content/new/", {"kind": "news", "title": "T", "body": "Chào ((ho))"})
        item = ContentItem.objects.get()
        response = client.post(f"/outreach/content/{item.uuid}/submit/")
        assert response.status_code == 400
        assert "((ho))" in response.content.decode()


class SegmentAndCampaignTests:
    def test_the_segment_count_shows_numbers_never_names(self, client, officer, manager):
        person_with_consent(officer, "0912345678", channel="sms", name="Lò Văn Pàng")
        person_with_consent(officer, "0987654321", channel=None, name="Cà Văn Mạnh")
        signed_in(client, manager)
        count = client.post("/outreach/segments/count/", {"consent_channel": "sms"}).json()
        assert count == {"count": 1}
        response = client.post(
            "/outreach/segments/new/",
            {"name": "Đã đồng ý SMS", "consent_channel": "sms", "save": "1"},
        )
        segment = Segment.objects.get()
        page = client.get(f"/outreach/segments/{segment.uuid}/").content.decode()
        assert response.status_code == 302
        assert "Pàng" not in page and "Mạnh" not in page

    def test_the_wizard_approval_launch_and_progress(
        self, client, officer, editor, approver, manager, fake
    ):
        person_with_consent(officer, "0912345678", channel="")
        content = approved_content(editor, approver)
        segment = campaign_services.segment_save(actor=manager, name="Tất cả", filters={})
        signed_in(client, manager)
        response = client.post(
            "/outreach/campaigns/new/",
            {
                "name": "Vay vốn tháng 12",
                "content": str(content.uuid),
                "segment": str(segment.uuid),
                "channels": "zalo_zns,sms",
                "schedule": "once",
                "send_hour": 9,
            },
        )
        campaign = Campaign.objects.get()
        assert response.status_code == 302
        page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert "1</strong> người" in page and "phần tin" in page and "Chao Hung" in page
        client.post(f"/outreach/campaigns/{campaign.uuid}/submit/")
        assert client.post(f"/outreach/campaigns/{campaign.uuid}/approve/").status_code == 403
        signed_in(client, approver)
        client.post(f"/outreach/campaigns/{campaign.uuid}/approve/")
        signed_in(client, manager)
        client.post(f"/outreach/campaigns/{campaign.uuid}/launch/")
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.RUNNING
        campaign_services.campaign_write_outbox(campaign=campaign)  # on_commit inside a test
        dispatch.dispatch(budget_seconds=5)
        page = client.get(f"/outreach/campaigns/{campaign.uuid}/").content.decode()
        assert "<progress" in page and "Đã xử lý" in page
        assert "0912345678" not in page and "+84912345678" not in page


class PersonMessagesTests:
    def test_history_is_masked_audited_and_scoped(
        self, client, fake, officer, editor, approver, manager
    ):
        person = person_with_consent(officer, "0912345678", channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=5)
        signed_in(client, officer)
        before = AccessEvent.objects.count()
        page = client.get(f"/outreach/people/{person.uuid}/messages/").content.decode()
        assert "•••••••••678" in page and "+84912345678" not in page
        assert str(Message.Status.SENT.label) in page
        assert AccessEvent.objects.count() == before + 1

        outsider = user_with(Role.COMMUNE_POLICE, "cong-an-xa-khac")
        outsider.memberships.get().units.set([factories.commune("Mường Lạn")])
        signed_in(client, outsider)
        assert client.get(f"/outreach/people/{person.uuid}/messages/").status_code == 404
        signed_in(client, manager)
        assert client.get(f"/outreach/people/{person.uuid}/messages/").status_code == 404

    def test_an_officer_records_a_refusal(self, client, officer):
        person = person_with_consent(officer, "0912345678", channel="sms")
        signed_in(client, officer)
        response = client.post(
            f"/outreach/people/{person.uuid}/messages/",
            {"channel": "all", "source": "officer", "note": "Không muốn nhận tin"},
        )
        assert response.status_code == 302
        opt_out = OptOut.objects.get()
        assert (opt_out.person, opt_out.channel, opt_out.recorded_by) == (person, "all", officer)
