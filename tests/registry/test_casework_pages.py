"""The commune police casework pages: worklist, registering a prison notice (a refused form keeps
what was typed and lists every problem), the case page's tabs and actions, closing through a
confirmation; another commune's officer gets 404."""

from __future__ import annotations

import datetime as dt

import pytest

from registry import services
from registry.models import AccessEvent, Agency, Case, Membership, Role
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


def officer_of(name: str, commune_name: str):
    user = factories.UserFactory(username=name)
    commune = factories.commune(commune_name)
    Membership.objects.create(
        user=user,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
    ).units.add(commune)
    return user


@pytest.fixture
def lan(client):
    user = officer_of("lan", "Tô Hiệu")
    factories.sign_in(client, user)
    return user


NOTICE = {
    "commune": "03646",
    "full_name": "Quàng Văn Dũng",
    "gender": "male",
    "date_of_birth": "1988-06-02",
    "national_id": "",
    "phone": "0912345678",
    "release_kind": "completed",
    "main_penalty": "prison",
    "sentence_months": "24",
    "offence": "Trộm cắp tài sản",
    "prison": "Trại giam Yên Hạ",
}


class CaseworkTests:
    def test_registering_a_notice_then_working_the_case(self, client, lan) -> None:
        data = {**NOTICE, "national_id": factories.national_id(1988), "release_date": str(today())}
        response = client.post("/cases/new/", data)
        assert response.status_code == 302
        case = Case.objects.get(person__full_name="Quàng Văn Dũng")
        assert case.status == "expected" and response["Location"] == f"/cases/{case.uuid}/"
        worklist = client.get("/worklist/").content.decode()
        assert (
            "Quàng Văn Dũng" in worklist and case.address_check_due.strftime("%d/%m/%Y") in worklist
        )
        for action, payload in (
            ("verify-address", {"verify-address-on": str(today())}),
            ("present", {"present-on": str(today())}),
            (
                "milestone",
                {"kind": "reception_meeting", "date": str(today()), "note": "Đã ký HCD-05"},
            ),
            ("note", {"kind": "visit", "happened_on": str(today()), "text": "Gia đình đón về"}),
            ("needs", {"need_types": ["job", "loan"]}),
        ):
            response = client.post(f"/cases/{case.uuid}/{action}/", payload)
            assert response.status_code == 302, action
            assert "Đã" in client.get(response["Location"]).content.decode()  # the banner
        page = "".join(
            client.get(f"/cases/{case.uuid}/{tab}").content.decode()
            for tab in ("", "timeline/", "needs/")
        )
        assert "đủ điều kiện xóa án tích" in page  # the police see the expungement date
        for text in (
            "Gặp mặt, cam kết (HCD-05)",
            "Trình diện",
            "Gia đình đón về",
            "Việc làm",
            "Vay vốn",
        ):
            assert text in page
        assert AccessEvent.objects.filter(actor=lan, action="view", purpose="timeline").exists()
        close = {"reason": "moved_away", "on": str(today())}
        confirm = client.post(f"/cases/{case.uuid}/close/", close)
        assert confirm.status_code == 200 and "Không thể hoàn tác" in confirm.content.decode()
        case.refresh_from_db()
        assert case.status == "active"  # nothing happens before the confirmation
        closed = client.post(f"/cases/{case.uuid}/close/", {**close, "confirm": "1"})
        assert closed.status_code == 302
        case.refresh_from_db()
        assert case.status == "closed"
        again = client.post(f"/cases/{case.uuid}/present/", {"present-on": str(today())})
        assert again.status_code == 409  # illegal now

    def test_a_presentation_before_the_release_or_in_the_future_is_refused(
        self, client, lan
    ) -> None:
        case = factories.make_case(lan)
        release = case.custody_record.release_date
        for day, expected in (
            (release - dt.timedelta(days=1), "trước ngày chấp hành xong án"),
            (today() + dt.timedelta(days=1), "tương lai"),
        ):
            response = client.post(f"/cases/{case.uuid}/present/", {"present-on": str(day)})
            assert response.status_code == 400 and expected in response.content.decode()
            assert 'class="govuk-error-summary"' in response.content.decode()
        case.refresh_from_db()
        assert case.status == "expected"
        yesterday = client.post(
            f"/cases/{case.uuid}/present/", {"present-on": str(today() - dt.timedelta(days=1))}
        )
        assert yesterday.status_code == 302
        case.refresh_from_db()
        assert case.milestones.get(kind="presented").date == today() - dt.timedelta(days=1)

    def test_a_refused_notice_lists_every_problem_at_once(self, client, lan) -> None:
        response = client.post("/cases/new/", {"national_id": "12345", "sentence_months": "0"})
        assert response.status_code == 400
        html = response.content.decode()
        start = html.index('class="govuk-error-summary"')
        summary = html[start : html.index("</ul>", start)]
        for field in ("full_name", "gender", "national_id", "release_date", "release_kind"):
            assert f'href="#id_{field}"' in summary, field
        assert not Case.objects.exists()

    def test_a_refused_notice_keeps_what_was_typed(self, client, lan) -> None:
        response = client.post(
            "/cases/new/", {**NOTICE, "national_id": "12345", "release_date": str(today())}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'value="Quàng Văn Dũng"' in html and 'value="12345"' in html
        assert "phải có đúng 12 chữ số" in html
        assert not Case.objects.exists()

    def test_a_notice_for_another_commune_is_not_offered(self, client, lan) -> None:
        response = client.post(
            "/cases/new/", {**NOTICE, "commune": "04246", "release_date": str(today())}
        )
        assert response.status_code == 400 and not Case.objects.exists()

    def test_another_communes_officer_gets_404_everywhere(self, client, lan) -> None:
        case = services.case_record_presentation(actor=lan, case=factories.make_case(lan))
        outsider = officer_of("binh", "Mường Lạn")
        factories.sign_in(client, outsider)
        assert client.get(f"/cases/{case.uuid}/").status_code == 404
        for action in ("verify-address", "present", "milestone", "note", "needs", "close"):
            assert (
                client.post(f"/cases/{case.uuid}/{action}/", {"reason": "other"}).status_code == 404
            )
        for tab in ("", "timeline/", "needs/", "documents/", "close/"):
            assert client.get(f"/cases/{case.uuid}/{tab}").status_code == 404
        assert "Lò Văn Pàng" not in client.get("/worklist/").content.decode()

    def test_an_agency_sees_the_timeline_without_notes(self, client, lan) -> None:
        case = services.case_record_presentation(actor=lan, case=factories.make_case(lan))
        services.case_note_add(
            actor=lan, case=case, kind="visit", happened_on=today(), text="Ghi chép riêng"
        )
        home_affairs = Agency.objects.get(code="so-noi-vu")
        services.referral_send(
            actor=lan, need=factories.make_need(lan, case, "job"), agency=home_affairs
        )
        clerk = factories.UserFactory(username="noi-vu")
        Membership.objects.create(user=clerk, role=Role.HOME_AFFAIRS, agency=home_affairs)
        factories.sign_in(client, clerk)
        for tab in ("", "timeline/", "needs/"):
            page = client.get(f"/cases/{case.uuid}/{tab}")
            assert page.status_code == 200 and "Ghi chép riêng" not in page.content.decode()
            assert "xóa án tích" not in page.content.decode()  # no custody data for Home Affairs
        assert client.get(f"/cases/{case.uuid}/documents/").status_code == 403
        assert client.post(f"/cases/{case.uuid}/close/", {"reason": "other"}).status_code == 403


class ReferralLoopPageTests:
    def test_refer_a_loan_need_with_consent_then_the_bank_works_it_in_its_inbox(
        self, client, lan
    ) -> None:
        case = services.case_record_presentation(actor=lan, case=factories.make_case(lan))
        need = factories.make_need(lan, case, "loan")
        form = client.get(f"/needs/{need.uuid}/refer/").content.decode()
        assert "nhcsxh-son-la" in form  # the agency proposed from the need-type responsibilities
        refused = client.post(f"/needs/{need.uuid}/refer/", {"agency": "nhcsxh-son-la"})
        assert refused.status_code == 400 and "Chưa có căn cứ chia sẻ" in refused.content.decode()
        sent = client.post(
            f"/needs/{need.uuid}/refer/",
            {"agency": "nhcsxh-son-la", "consent_evidence": "Phiếu đồng ý ngày hôm nay"},
        )
        assert sent.status_code == 302
        bank = Agency.objects.get(code="nhcsxh-son-la")
        banker = factories.UserFactory(username="ngan-hang")
        Membership.objects.create(user=banker, role=Role.SOCIAL_POLICY_BANK, agency=bank)
        factories.sign_in(client, banker)
        inbox = client.get("/inbox/").content.decode()
        referral = need.referrals.get()
        assert str(referral.uuid) in inbox and case.custody_record.offence not in inbox
        asked = client.get(f"/inbox/{referral.uuid}/reject/")  # refusing is confirmed first
        assert asked.status_code == 200 and "govuk-button--warning" in asked.content.decode()
        assert (
            client.post(
                f"/inbox/{referral.uuid}/reject/", {"reason": "", "confirmed": "1"}
            ).status_code
            == 400
        )
        assert client.post(f"/inbox/{referral.uuid}/accept/", {}).status_code == 302
        assert client.post(f"/inbox/{referral.uuid}/start/", {}).status_code == 302
        assert (
            client.post(
                f"/inbox/{referral.uuid}/complete/", {"outcome": "achieved", "confirmed": "1"}
            ).status_code
            == 302
        )
        referral.refresh_from_db()
        assert referral.status == "completed"
        factories.sign_in(client, lan)
        assert "Hoàn thành" in client.get(f"/cases/{case.uuid}/timeline/").content.decode()
        assert "Hoàn thành" in client.get(f"/cases/{case.uuid}/needs/").content.decode()

    def test_an_agency_cannot_act_on_referrals_addressed_to_another(self, client, lan) -> None:
        case = services.case_record_presentation(actor=lan, case=factories.make_case(lan))
        referral = services.referral_send(
            actor=lan,
            need=factories.make_need(lan, case, "job"),
            agency=Agency.objects.get(code="so-noi-vu"),
        )
        justice = factories.UserFactory(username="tu-phap")
        Membership.objects.create(
            user=justice, role=Role.JUSTICE, agency=Agency.objects.get(code="so-tu-phap")
        )
        factories.sign_in(client, justice)
        assert (
            client.post(f"/inbox/{referral.uuid}/accept/", {}).status_code == 404
        )  # not even visible
