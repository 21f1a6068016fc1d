"""Developers and the public site (issue 19): the console channel's last messages on a staff-only
page of the embedded default (never in production), the officer's Zalo link page, the public
search over articles, policies and Q&A ignoring diacritics, and the seeded Q&A."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from outreach.models import ContentItem, Message
from outreach.services import content as content_services
from outreach.services import dispatch, public
from registry.models import Role, User
from tests import factories
from tests.outreach.conftest import person_with_consent, user_with
from tests.outreach.test_pages import signed_in
from tests.outreach.test_public_site import last_code

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db) -> dict[str, int]:
    system, _ = User.objects.get_or_create(username="he-thong", defaults={"is_active": False})
    items = json.loads((ROOT / "fixtures/outreach/content.json").read_text("utf-8"))["items"]
    return content_services.content_load_seed(items, system=system)


class ConsoleChannelPageTests:
    def test_on_the_embedded_default_staff_read_the_codes_the_console_sent(self, client, officer):
        with override_settings(DEBUG=True, OUTREACH_CONSOLE_PAGE=True):
            public.code_request(phone="0961234567", channel="sms", ip="1.2.3.4")
            dispatch.dispatch(budget_seconds=5)  # no provider configured: the console
            code = last_code("0961234567")
            signed_in(client, officer)
            page = client.get("/outreach/console/").content.decode()
        assert f"Ma xac nhan Con duong huong thien: {code}" in page
        assert "•••••••••567" in page and "+84961234567" not in page
        assert Message.objects.get(campaign=None).provider == "console"

    def test_the_page_does_not_exist_in_production_nor_for_visitors(self, client, officer):
        signed_in(client, officer)
        with override_settings(DEBUG=False, OUTREACH_CONSOLE_PAGE=True):
            assert client.get("/outreach/console/").status_code == 404
        client.logout()
        with override_settings(DEBUG=True, OUTREACH_CONSOLE_PAGE=True):
            assert client.get("/outreach/console/").status_code in (302, 403)


class ZaloLinkPageTests:
    def test_an_officer_makes_a_code_with_its_qr_code_and_the_link_is_shown(self, client, officer):
        person = person_with_consent(officer, "0961234567", channel="sms")
        signed_in(client, officer)
        page = client.get(f"/outreach/people/{person.uuid}/zalo/").content.decode()
        assert "Chưa liên kết Zalo" in page
        response = client.post(f"/outreach/people/{person.uuid}/zalo/", {"send_sms": "1"})
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="link-code">LK' in page and "<svg" in page
        assert "Đã gửi mã tới số điện thoại" in page
        assert Message.objects.filter(campaign=None, person=person).count() == 1

    def test_people_outside_the_officers_scope_and_outreach_staff_get_404(
        self, client, officer, manager
    ):
        person = person_with_consent(officer, "0961234567", channel="sms")
        outsider = user_with(Role.COMMUNE_POLICE, "cong-an-xa-khac")
        outsider.memberships.get().units.set([factories.commune("Mường Lạn")])
        for user in (outsider, manager):
            signed_in(client, user)
            assert client.post(f"/outreach/people/{person.uuid}/zalo/").status_code == 404

    def test_the_public_page_behind_the_qr_code_shows_a_well_formed_code_only(self, client):
        page = client.get("/huong-thien/lien-ket-zalo/?ma=LK7Q2M9X").content.decode()
        assert 'id="link-code"><strong>LK7Q2M9X</strong>' in page
        page = client.get("/huong-thien/lien-ket-zalo/?ma=<script>").content.decode()
        assert "<script>" not in page.split("<main", 1)[1] and 'id="link-code"' not in page


class PublicSearchTests:
    def test_the_seeded_q_and_a_is_published(self, seeded):
        qa = ContentItem.objects.filter(kind=ContentItem.Kind.QA)
        assert qa.count() >= 8
        assert set(qa.values_list("status", flat=True)) == {ContentItem.Status.PUBLISHED}
        assert all(not item.discretion_flags for item in qa)

    def test_search_covers_articles_policies_and_q_and_a_ignoring_diacritics(self, client, seeded):
        page = client.get("/huong-thien/tim-kiem/", {"q": "ly lich tu phap"}).content.decode()
        assert "Xin phiếu lý lịch tư pháp để đi làm ở đâu, mất bao lâu?" in page  # Q&A
        assert "Xin phiếu lý lịch tư pháp để đi làm</a>" in page  # the guidance article
        same = client.get("/huong-thien/tim-kiem/", {"q": "LÝ LỊCH tư pháp"}).content.decode()
        assert same.count('class="item"') == page.count('class="item"') >= 2
        loans = client.get("/huong-thien/tim-kiem/", {"q": "vay vốn"}).content.decode()
        kinds = {"Chính sách, thủ tục", "Hỏi – đáp"}
        assert all(k in loans for k in kinds)
        none = client.get("/huong-thien/tim-kiem/", {"q": "xyzzy"}).content.decode()
        assert "Không tìm thấy bài nào" in none

    def test_every_public_page_has_the_search_box(self, client, seeded):
        page = client.get("/huong-thien/").content.decode()
        assert 'action="/huong-thien/tim-kiem/"' in page and 'role="search"' in page


class LabelTests:
    def test_a_refusal_names_its_channel_in_vietnamese(self, client, officer):
        person = person_with_consent(officer, "0961234567", channel="sms")
        signed_in(client, officer)
        client.post(
            f"/outreach/people/{person.uuid}/messages/",
            {"channel": "zalo", "source": "hotline", "note": ""},
        )
        page = client.get(f"/outreach/people/{person.uuid}/messages/").content.decode()
        assert "Zalo (ZNS và OA) — Đường dây nóng" in page
        assert "kênh zalo" not in page
