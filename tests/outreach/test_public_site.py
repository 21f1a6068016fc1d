"""The public website (issue 7): pages from published content, the question flow (spam refused,
a staff answer delivered through the fake provider), the one-time-code flow (wrong, expired, too
many attempts, success), an opt-out made on the website stopping the next campaign message, and
the same answers for a number in the registry and one that is not."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from outreach.models import Channel, ContentItem, Message, OptOut, PhoneCode, Question
from outreach.services import content as content_services
from outreach.services import dispatch
from outreach.services.campaigns import phone_index
from registry import services
from registry.models import Consent, Role
from tests import factories
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
    user_with,
)

pytestmark = pytest.mark.django_db
S = Message.Status


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def last_code(phone: str) -> str:
    message = Message.objects.filter(
        destination_index=phone_index(phone), campaign__isnull=True
    ).latest("id")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


class PagesTests:
    def test_published_content_is_shown_with_open_graph_tags(self, client, editor, approver):
        item = approved_content(editor, approver, kind=ContentItem.Kind.POLICY)
        content_services.content_publish(actor=approver, item=item)
        home = client.get("/huong-thien/")
        assert home.status_code == 200 and item.title in home.content.decode()
        page = client.get(f"/huong-thien/bai/{item.slug}/").content.decode()
        assert f'<meta property="og:title" content="{item.title}">' in page
        assert 'property="og:image"' in page and 'property="og:description"' in page
        assert "((ten))" not in page  # placeholders never reach the web
        assert "Cache-Control" in client.get("/huong-thien/chinh-sach/").headers

    def test_drafts_and_unconsented_stories_stay_off_the_site(
        self, client, officer, editor, approver
    ):
        draft = content_services.content_save(actor=editor, kind="news", title="Bản nháp", body="x")
        story = approved_content(editor, approver, kind=ContentItem.Kind.STORY, title="Câu chuyện")
        with pytest.raises(Exception, match="đồng ý"):
            content_services.content_publish(actor=approver, item=story)
        person = factories.make_person(officer)
        ContentItem.objects.filter(pk=story.pk).update(story_person=person)
        consent = services.consent_record(
            actor=officer,
            person=person,
            purpose=Consent.Purpose.PUBLISH_STORY,
            evidence="Phiếu đồng ý đăng câu chuyện",
        )
        content_services.content_publish(actor=approver, item=story)
        assert client.get(f"/huong-thien/bai/{story.slug}/").status_code == 200
        assert client.get(f"/huong-thien/bai/{draft.slug}/").status_code == 404
        services.consent_withdraw(actor=officer, consent=consent)
        cache.clear()
        # Withdrawing the consent takes the story off the website at once.
        assert client.get(f"/huong-thien/bai/{story.slug}/").status_code == 404

    def test_the_qa_search_ignores_diacritics(self, client, editor, approver):
        item = approved_content(
            editor, approver, kind=ContentItem.Kind.QA, title="Vay vốn cần giấy tờ gì?"
        )
        content_services.content_publish(actor=approver, item=item)
        found = client.get("/huong-thien/hoi-dap/", {"q": "VAY VON giay to"}).content.decode()
        assert item.title in found
        none = client.get("/huong-thien/hoi-dap/", {"q": "hoc nghe"}).content.decode()
        assert item.title not in none

    def test_feed_sitemap_and_contacts(self, client, editor, approver):
        item = approved_content(editor, approver, kind=ContentItem.Kind.NEWS)
        content_services.content_publish(actor=approver, item=item)
        feed = client.get("/huong-thien/feed.atom")
        assert feed.status_code == 200 and "atom" in feed["Content-Type"]
        assert item.title in feed.content.decode()
        sitemap = client.get("/huong-thien/sitemap.xml").content.decode()
        assert f"/huong-thien/bai/{item.slug}/" in sitemap
        contacts = client.get("/huong-thien/lien-he/").content.decode()
        assert "Công an Phường Tô Hiệu" in contacts


class QuestionTests:
    def test_a_question_is_kept_encrypted_and_spam_is_refused(self, client):
        response = client.post(
            "/huong-thien/hoi/", {"body": "Tôi muốn học nghề sửa xe thì hỏi ai?"}
        )
        assert response.status_code == 302
        assert Question.objects.get().body == "Tôi muốn học nghề sửa xe thì hỏi ai?"
        robot = client.post(
            "/huong-thien/hoi/",
            {"body": "Buy cheap pills now please", "website": "http://spam.example"},
        )
        assert robot.status_code == 400
        links = client.post(
            "/huong-thien/hoi/", {"body": "xem https://a.example va https://b.example ngay"}
        )
        assert links.status_code == 400
        assert Question.objects.count() == 1

    @override_settings(PUBLIC_QUESTION_RATE_PER_HOUR=2)
    def test_a_visitor_is_limited_per_hour(self, client):
        for _ in range(2):
            assert (
                client.post("/huong-thien/hoi/", {"body": "Câu hỏi về vay vốn"}).status_code == 302
            )
        limited = client.post("/huong-thien/hoi/", {"body": "Câu hỏi về vay vốn"})
        assert limited.status_code == 429
        assert Question.objects.count() == 2

    def test_a_staff_answer_goes_privately_through_the_fake_provider(self, client, fake, editor):
        client.post(
            "/huong-thien/hoi/",
            {"body": "Xin phiếu lý lịch tư pháp ở đâu?", "phone": "0912345678"},
        )
        question = Question.objects.get()
        factories.sign_in(client, editor)
        queue = client.get("/outreach/questions/").content.decode()
        assert "Xin phiếu lý lịch tư pháp ở đâu?" in queue and "+84912345678" not in queue
        client.post(
            f"/outreach/questions/{question.uuid}/answer/",
            {"answer": "Nộp tại Công an xã, phường nơi bạn ở."},
        )
        dispatch.dispatch(budget_seconds=5)
        (received,) = fake.received()
        assert received["to"] == "+84912345678"
        message = Message.objects.get(campaign__isnull=True)
        assert message.status == S.SENT
        assert (
            message.body == "Con duong huong thien tra loi: Nop tai Cong an xa, phuong noi ban o."
        )
        question.refresh_from_db()
        assert question.status == Question.Status.ANSWERED

    def test_publishing_makes_an_anonymised_qa(self, client, approver):
        client.post(
            "/huong-thien/hoi/", {"body": "Tôi là Lò Văn A ở bản X, có được vay vốn không?"}
        )
        question = Question.objects.get()
        factories.sign_in(client, approver)
        client.post(
            f"/outreach/questions/{question.uuid}/publish/",
            {
                "title": "Người mới về có được vay vốn không?",
                "answer": "Có, theo Quyết định 22/2023.",
            },
        )
        item = ContentItem.objects.get(kind=ContentItem.Kind.QA)
        assert item.status == ContentItem.Status.PUBLISHED
        page = client.get("/huong-thien/hoi-dap/").content.decode()
        assert "Người mới về có được vay vốn không?" in page and "Lò Văn A" not in page


class OneTimeCodeTests:
    def ask_code(self, client, phone="0912345678"):
        return client.post(
            "/huong-thien/tin-nhan/", {"step": "phone", "phone": phone, "channel": "sms"}
        )

    def enter(self, client, code):
        return client.post("/huong-thien/tin-nhan/", {"step": "code", "code": code})

    def test_success_shows_the_choices(self, client, fake):
        assert self.ask_code(client).status_code == 302
        dispatch.dispatch(budget_seconds=5)
        assert fake.received()[0]["to"] == "+84912345678"
        code = last_code("0912345678")
        assert PhoneCode.objects.get().code_hash != code  # stored hashed
        assert self.enter(client, code).status_code == 302
        page = client.get("/huong-thien/tin-nhan/").content.decode()
        assert "Nhận tin nhắn SMS" in page and "checked" in page

    def test_a_wrong_code_then_too_many_attempts(self, client, fake):
        self.ask_code(client)
        code = last_code("0912345678")
        wrong = "000000" if code != "000000" else "111111"
        first = self.enter(client, wrong)
        assert first.status_code == 400 and "Còn 4 lần thử" in first.content.decode()
        for _ in range(4):
            response = self.enter(client, wrong)
        assert "quá nhiều lần" in response.content.decode()
        # Even the right code no longer works.
        assert "quá nhiều lần" in self.enter(client, code).content.decode()
        assert "Tin nhắn của tôi" not in client.get("/huong-thien/tin-nhan/").content.decode()

    def test_an_expired_code_is_refused(self, client, fake):
        self.ask_code(client)
        code = last_code("0912345678")
        PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        response = self.enter(client, code)
        assert response.status_code == 400 and "hết hạn" in response.content.decode()

    @override_settings(PUBLIC_CODE_RATE_PER_HOUR=2)
    def test_codes_are_rate_limited_per_number(self, client, fake):
        assert self.ask_code(client).status_code == 302
        assert self.ask_code(client).status_code == 302
        assert self.ask_code(client).status_code == 429

    def test_the_same_answers_for_a_number_in_the_registry_and_one_that_is_not(
        self, client, officer, fake
    ):
        person_with_consent(officer, "0912345678", channel="sms")
        answers = []
        for phone in ("0912345678", "0987654321"):
            client.cookies.clear()
            first = self.ask_code(client, phone)
            second = client.get(first["Location"])
            wrong = self.enter(client, "999999" if last_code(phone) != "999999" else "888888")
            answers.append(
                (
                    first.status_code,
                    first["Location"],
                    second.status_code,
                    without_csrf(second.content.decode()),
                    wrong.status_code,
                    without_csrf(wrong.content.decode()),
                )
            )
        assert answers[0] == answers[1]
        assert Message.objects.filter(campaign__isnull=True).count() == 2  # both got a code


class WebsiteOptOutTests:
    def test_an_opt_out_on_the_website_stops_the_next_campaign_message(
        self, client, fake, officer, editor, approver, manager
    ):
        person_with_consent(officer, "0912345678", channel="")
        client.post(
            "/huong-thien/tin-nhan/", {"step": "phone", "phone": "0912345678", "channel": "sms"}
        )
        client.post("/huong-thien/tin-nhan/", {"step": "code", "code": last_code("0912345678")})
        response = client.post("/huong-thien/tin-nhan/", {"zalo": "on"})  # SMS unticked
        assert response.status_code == 302
        assert OptOut.objects.get(revoked_at__isnull=True).channel == "sms"

        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=5)
        message = Message.objects.get(campaign=campaign)
        assert (message.status, message.skip_reason) == (S.SKIPPED, Message.SkipReason.OPTED_OUT)
        assert [r for r in fake.received() if r["id"] == str(message.uuid)] == []

        # Opting back in on the website lets the next campaign through.
        client.post("/huong-thien/tin-nhan/", {"sms": "on", "zalo": "on"})
        second = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, second)
        dispatch.dispatch(budget_seconds=5)
        assert Message.objects.get(campaign=second).status == S.SENT

    def test_stop_all(self, client, fake):
        client.post(
            "/huong-thien/tin-nhan/", {"step": "phone", "phone": "0912345678", "channel": "sms"}
        )
        client.post("/huong-thien/tin-nhan/", {"step": "code", "code": last_code("0912345678")})
        client.post("/huong-thien/tin-nhan/", {"sms": "on", "stop_all": "1"})
        assert OptOut.objects.get(revoked_at__isnull=True).channel == OptOut.ALL_CHANNELS


def test_only_question_roles_see_the_queue(client):
    factories.sign_in(client, user_with(Role.OUTREACH_MANAGER, "tt"))
    assert client.get("/outreach/questions/").status_code == 403
