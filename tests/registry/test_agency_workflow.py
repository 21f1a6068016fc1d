"""The agencies' day, page by page: no dead ends (the release certificate recorded by the police
from the case page, a draft loan corrected, judicial records reaching the records unit), inboxes
that triage (views, deadlines, bulk acceptance, refusals confirmed), each role only its own work
(no police supervision field on any agency page), and the overdue list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from registry import services
from registry.models import (
    AccessEvent,
    Agency,
    LoanApplication,
    Membership,
    Notification,
    Referral,
    Role,
)
from registry.services import loans, training
from registry.services.demo_users import DEMO_USERS
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


def member(username: str, role: str, code: str):
    user = factories.UserFactory(username=username)
    Membership.objects.create(user=user, role=role, agency=Agency.objects.get(code=code))
    return user


@pytest.fixture
def lan():
    return factories.commune_officer("lan")


def person_case(officer, *, certificate: bool = True, commune: str = "Tô Hiệu", name: str = ""):
    person = factories.make_person(
        officer,
        national_id=factories.national_id(),
        phone=None,
        **({"full_name": name} if name else {}),
    )
    extra = {} if certificate else {"certificate_number": None, "certificate_date": None}
    record = factories.make_custody(
        officer, person, release_date=today() - dt.timedelta(days=90), **extra
    )
    case = services.case_open(
        actor=officer, person=person, commune=factories.commune(commune), custody_record=record
    )
    return services.case_record_presentation(actor=officer, case=case)


def send(officer, case, code: str, agency_code: str, note: str = "") -> Referral:
    agency = Agency.objects.get(code=agency_code)
    services.consent_record(
        actor=officer, person=case.person, purpose="referral", agency=agency, evidence="Phiếu"
    )
    return services.referral_send(
        actor=officer,
        need=factories.make_need(officer, case, code),
        agency=agency,
        note=note or None,
    )


def text(response) -> str:
    return response.content.decode()


class CertificateAndLoanTests:
    def test_the_police_record_the_certificate_then_the_bank_submits_the_corrected_loan(
        self, client, lan
    ) -> None:
        case = person_case(lan, certificate=False)
        referral = send(lan, case, "loan", "nhcsxh-son-la")
        banker = member("ngan-hang", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la")
        services.referral_accept(actor=banker, referral=referral)
        loan = loans.loan_application_create(
            actor=banker, case=case, referral=referral, purpose="production", amount=150_000_000
        )
        loans.loan_confirm_form(actor=banker, loan=loan)
        factories.sign_in(client, banker)
        page = text(client.get(f"/loans/{loan.uuid}/"))
        # the way forward: who records the certificate, and where the amount is corrected
        assert "Công an xã" in page and f"/loans/{loan.uuid}/edit/" in page
        assert "100.000.000 đồng mỗi người" in page  # the cap explained
        refused = client.post(f"/loans/{loan.uuid}/submit/")
        assert refused.status_code == 400 and "PT70/PT72" in text(refused)

        # The commune police record the certificate on the case page.
        factories.sign_in(client, lan)
        assert "Ghi giấy chứng nhận" in text(client.get(f"/cases/{case.uuid}/"))
        bad = client.post(
            f"/cases/{case.uuid}/certificate/",
            {"number": "1/GCN", "issued_on": str(today() + dt.timedelta(days=1)), "issuer": "x"},
        )
        assert bad.status_code == 400 and "không được ở tương lai" in text(bad)
        ok = client.post(
            f"/cases/{case.uuid}/certificate/",
            {"number": "123/GCN", "issued_on": str(today()), "issuer": "Trại giam Yên Hạ"},
        )
        assert ok.status_code == 302
        case.custody_record.refresh_from_db()
        record = case.custody_record
        assert (record.certificate_number, record.certificate_issuer) == (
            "123/GCN",
            "Trại giam Yên Hạ",
        )

        # The bank corrects the amount over the cap, then submits and disburses.
        factories.sign_in(client, banker)
        still_over = client.post(f"/loans/{loan.uuid}/submit/")
        assert still_over.status_code == 400 and "vượt mức cho vay tối đa" in text(still_over)
        edited = client.post(
            f"/loans/{loan.uuid}/edit/",
            {"purpose": "production", "amount": "80000000", "term_months": "36"},
        )
        assert edited.status_code == 302
        assert client.post(f"/loans/{loan.uuid}/submit/").status_code == 302
        assert client.get(f"/loans/{loan.uuid}/edit/").status_code == 200
        assert (
            client.post(
                f"/loans/{loan.uuid}/edit/", {"purpose": "production", "amount": "1000"}
            ).status_code
            == 409
        )
        assert (
            client.post(
                f"/loans/{loan.uuid}/approve/", {"amount": "80000000", "date": str(today())}
            ).status_code
            == 302
        )
        early = client.post(
            f"/loans/{loan.uuid}/disburse/",
            {"amount": "80000000", "date": str(today() - dt.timedelta(days=1))},
        )
        assert early.status_code == 400 and "Ngày giải ngân" in text(early)
        assert (
            client.post(
                f"/loans/{loan.uuid}/disburse/", {"amount": "80000000", "date": str(today())}
            ).status_code
            == 302
        )
        loan.refresh_from_db()
        assert (loan.status, loan.amount, loan.term_months) == ("disbursed", 80_000_000, 36)

        # The police see it on the timeline and were told.
        factories.sign_in(client, lan)
        timeline = text(client.get(f"/cases/{case.uuid}/timeline/"))
        assert "Giải ngân khoản vay" in timeline
        assert Notification.objects.filter(user=lan, text__contains="Giải ngân").exists()

    def test_refusing_a_loan_is_confirmed_with_a_reason(self, client, lan) -> None:
        case = person_case(lan)
        referral = send(lan, case, "loan", "nhcsxh-son-la")
        banker = member("ngan-hang", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la")
        services.referral_accept(actor=banker, referral=referral)
        loan = loans.loan_confirm_form(
            actor=banker,
            loan=loans.loan_application_create(
                actor=banker, case=case, referral=referral, purpose="production", amount=10**7
            ),
        )
        loans.loan_submit(actor=banker, loan=loan)
        factories.sign_in(client, banker)
        asked = client.get(f"/loans/{loan.uuid}/reject/")
        assert asked.status_code == 200 and "govuk-button--warning" in text(asked)
        assert client.post(f"/loans/{loan.uuid}/reject/", {"reason": ""}).status_code == 200
        assert LoanApplication.objects.get(pk=loan.pk).status == "submitted"
        missing = client.post(f"/loans/{loan.uuid}/reject/", {"reason": "", "confirmed": "1"})
        assert missing.status_code == 400
        assert (
            client.post(
                f"/loans/{loan.uuid}/reject/", {"reason": "Chưa có phương án", "confirmed": "1"}
            ).status_code
            == 302
        )
        referral.refresh_from_db()
        assert referral.status == "failed" and referral.need.status == "identified"


class RecordsUnitTests:
    def test_a_judicial_record_request_reaches_the_records_unit_and_comes_back_issued(
        self, client, lan
    ) -> None:
        case = person_case(lan)
        need = factories.make_need(lan, case, "judicial_record")
        form = text(client_for(client, lan).get(f"/needs/{need.uuid}/refer/"))
        # from 01/07/2026 the police records unit, not Justice (the dated responsibility)
        assert "cong-an-tinh-ho-so" in form and "so-tu-phap" not in form
        assert (
            client.post(
                f"/needs/{need.uuid}/refer/",
                {"agency": "cong-an-tinh-ho-so", "consent_evidence": "Phiếu đồng ý"},
            ).status_code
            == 302
        )
        referral = need.referrals.get()
        clerk = member("ho-so", Role.RECORDS_UNIT, "cong-an-tinh-ho-so")
        factories.sign_in(client, clerk)
        assert str(referral.uuid) in text(client.get("/inbox/"))
        assert client.post(f"/inbox/{referral.uuid}/accept/").status_code == 302
        url = f"/referrals/{referral.uuid}/judicial-records/"
        assert (
            client.post(
                url, {"action": "create", "certificate_type": "1", "fee_category": "standard"}
            ).status_code
            == 302
        )
        request = referral.judicial_record_requests.get()
        assert (
            client.post(
                url, {"action": "issue", "request": str(request.uuid), "on": str(today())}
            ).status_code
            == 302
        )
        referral.refresh_from_db()
        assert referral.status == "completed" and referral.need.status == "met"
        factories.sign_in(client, lan)
        assert "Cấp phiếu lý lịch tư pháp" in text(client.get(f"/cases/{case.uuid}/timeline/"))

    def test_the_records_unit_has_a_demo_user(self) -> None:
        assert ("ho-so", Role.RECORDS_UNIT, "cong-an-tinh-ho-so", False) in DEMO_USERS


def client_for(client, user):
    factories.sign_in(client, user)
    return client


class InboxTests:
    def test_views_deadlines_notes_and_accepting_several_at_once(self, client, lan) -> None:
        home_affairs = "so-noi-vu"
        rows = [
            send(lan, person_case(lan, name=f"Người {n}"), "job", home_affairs, note=f"Ghi {i}")
            for i, n in enumerate(["Một", "Hai", "Ba", "Bốn", "Năm"])
        ]
        Referral.objects.filter(pk=rows[0].pk).update(response_due=today() - dt.timedelta(3))
        Referral.objects.filter(pk=rows[1].pk).update(response_due=today() + dt.timedelta(1))
        clerk = member("noi-vu", Role.HOME_AFFAIRS, home_affairs)
        factories.sign_in(client, clerk)
        page = text(client.get("/inbox/"))
        # the nearest deadline first; what was sent with it
        assert page.index(str(rows[0].uuid)) < page.index(str(rows[1].uuid))
        assert "Ghi 2" in page and "Tô Hiệu" in page and "quá hạn 3 ngày" in page
        assert "còn 1 ngày" in page
        assert str(rows[0].uuid) in text(client.get("/inbox/?view=overdue"))
        assert str(rows[2].uuid) not in text(client.get("/inbox/?view=overdue"))
        soon = text(client.get("/inbox/?view=due_soon"))
        assert str(rows[1].uuid) in soon and str(rows[0].uuid) not in soon
        assert client.get("/inbox/?classification=A").status_code == 400
        accepted = client.post(
            "/inbox/accept/", {"referrals": [str(r.uuid) for r in rows[:3]], "next": "/inbox/"}
        )
        assert accepted.status_code == 302
        assert Referral.objects.filter(status="accepted").count() == 3
        assert str(rows[0].uuid) in text(client.get("/inbox/?view=in_progress"))
        new = text(client.get("/inbox/?view=new"))
        assert str(rows[0].uuid) not in new and str(rows[4].uuid) in new
        # an accepted referral no longer offers "accept"; refusing is a warning, on its own page
        detail = text(client.get(f"/referrals/{rows[0].uuid}/"))
        assert f"/inbox/{rows[0].uuid}/accept/" not in detail
        assert f"/inbox/{rows[0].uuid}/start/" in detail
        assert re.search(rf'govuk-button--warning[^>]*href="/inbox/{rows[4].uuid}/reject/"', new)

    def test_only_the_fields_a_step_needs(self, client, lan) -> None:
        referral = send(lan, person_case(lan), "job", "so-noi-vu")
        clerk = member("noi-vu", Role.HOME_AFFAIRS, "so-noi-vu")
        factories.sign_in(client, clerk)
        reject = text(client.get(f"/inbox/{referral.uuid}/reject/"))
        assert 'name="reason"' in reject and 'name="outcome"' not in reject
        assert client.get(f"/inbox/{referral.uuid}/accept/").status_code == 405
        services.referral_start(
            actor=clerk, referral=services.referral_accept(actor=clerk, referral=referral)
        )
        complete = text(client.get(f"/inbox/{referral.uuid}/complete/"))
        assert 'name="outcome"' in complete and 'name="reason"' not in complete


# Words of the police's supervision that no agency page may show.
SUPERVISION = (
    'data-field="classification"',
    "Phân loại",
    "Nhóm A",
    "hạn xác minh nơi cư trú",
    "Hạn xác minh",
    "Thăm gặp",
    "lần liên hệ gần nhất",
    "Lần liên hệ gần nhất",
    "Ghi chép riêng",
)


class EachRoleItsOwnWorkTests:
    @pytest.fixture
    def world(self, lan):
        case = person_case(lan)
        from registry.models import Case

        Case.objects.filter(pk=case.pk).update(
            classification="A", address_check_due=today(), last_contact_on=today()
        )
        services.case_note_add(
            actor=lan, case=case, kind="visit", happened_on=today(), text="Ghi chép riêng"
        )
        referrals = {
            "loan": send(lan, case, "loan", "nhcsxh-son-la"),
            "job": send(lan, case, "job", "so-noi-vu"),
            "legal_aid": send(lan, case, "legal_aid", "tgpl-tinh"),
            "judicial_record": send(lan, case, "judicial_record", "cong-an-tinh-ho-so"),
        }
        other = person_case(lan, name="Người khác")  # referred nowhere
        users = {
            "loan": member("ngan-hang", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la"),
            "job": member("noi-vu", Role.HOME_AFFAIRS, "so-noi-vu"),
            "legal_aid": member("tro-giup", Role.JUSTICE, "tgpl-tinh"),
            "judicial_record": member("ho-so", Role.RECORDS_UNIT, "cong-an-tinh-ho-so"),
        }
        for code, referral in referrals.items():
            referrals[code] = services.referral_start(
                actor=users[code],
                referral=services.referral_accept(actor=users[code], referral=referral),
            )
        loan = loans.loan_application_create(
            actor=users["loan"],
            case=case,
            referral=referrals["loan"],
            purpose="production",
            amount=10**7,
        )
        course = training.course_create(
            actor=users["job"],
            agency=referrals["job"].agency,
            trade="Mộc",
            provider="Trường nghề",
            commune=case.commune,
            starts_on=today() + dt.timedelta(days=5),
            ends_on=today() + dt.timedelta(days=50),
            seats=3,
        )
        training.enrollment_create(actor=users["job"], referral=referrals["job"], course=course)
        return {"case": case, "other": other, "referrals": referrals, "users": users, "loan": loan}

    def test_the_police_do_see_the_supervision_fields(self, client, world, lan) -> None:
        """The words looked for below are really on the police's pages of the same case."""
        factories.sign_in(client, lan)
        page = text(client.get(f"/cases/{world['case'].uuid}/"))
        assert 'data-field="classification"' in page and "Hạn xác minh" in page
        assert "Ghi chép riêng" in text(client.get(f"/cases/{world['case'].uuid}/timeline/"))

    @pytest.mark.parametrize("code", ["loan", "job", "legal_aid", "judicial_record"])
    def test_no_agency_page_shows_police_supervision(self, client, world, code) -> None:
        user, referral, case = world["users"][code], world["referrals"][code], world["case"]
        factories.sign_in(client, user)
        pages = [
            "/",
            "/inbox/",
            "/inbox/?view=in_progress",
            "/inbox/?view=finished",
            f"/referrals/{referral.uuid}/",
            f"/cases/{case.uuid}/",
            f"/cases/{case.uuid}/timeline/",
            f"/cases/{case.uuid}/needs/",
            "/notifications/",
            "/reports/",
        ]
        pages += {
            "loan": [
                "/loans/",
                f"/loans/{world['loan'].uuid}/",
                f"/loans/{world['loan'].uuid}/edit/",
            ],
            "job": ["/courses/", "/follow-ups/", f"/referrals/{referral.uuid}/training/"],
            "legal_aid": [f"/referrals/{referral.uuid}/legal-aid/"],
            "judicial_record": [f"/referrals/{referral.uuid}/judicial-records/"],
        }[code]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            body = text(response)
            for word in SUPERVISION:
                assert word not in body, (url, word)
        # the whole province is not theirs: a case referred nowhere is not found
        assert client.get(f"/cases/{world['other'].uuid}/").status_code == 404
        assert world["other"].person.full_name not in text(client.get("/inbox/?view=finished"))

    def test_legal_aid_is_recorded_from_its_page(self, client, world, lan) -> None:
        user, referral = world["users"]["legal_aid"], world["referrals"]["legal_aid"]
        factories.sign_in(client, user)
        before = AccessEvent.objects.filter(actor=user).count()
        assert client.get(f"/referrals/{referral.uuid}/legal-aid/").status_code == 200
        assert AccessEvent.objects.filter(actor=user).count() == before + 1
        bad = client.post(f"/referrals/{referral.uuid}/legal-aid/", {"on": str(today())})
        assert bad.status_code == 400
        assert (
            client.post(
                f"/referrals/{referral.uuid}/legal-aid/",
                {"on": str(today()), "summary": "Tư vấn thủ tục xóa án tích"},
            ).status_code
            == 302
        )
        referral.refresh_from_db()
        assert referral.status == "completed"
        assert Notification.objects.filter(user=lan, text__contains="trợ giúp pháp lý").exists()


class OverdueTests:
    def test_the_list_shows_who_where_which_agency_how_late_and_filters(self, client, lan) -> None:
        near = send(lan, person_case(lan, name="Cầm Văn Một"), "job", "so-noi-vu")
        far_officer = factories.commune_officer("binh", "Mường Lạn")
        far = send(
            far_officer, person_case(far_officer, commune="Mường Lạn", name="Lò Văn Hai"),
            "loan", "nhcsxh-son-la",
        )  # fmt: skip
        Referral.objects.filter(pk=near.pk).update(response_due=today() - dt.timedelta(days=4))
        Referral.objects.filter(pk=far.pk).update(response_due=today() - dt.timedelta(days=2))
        chief = member("ca-tinh", Role.PROVINCIAL_POLICE, "cong-an-tinh")
        factories.sign_in(client, chief)
        page = text(client.get("/overdue/"))
        assert "Cầm Văn Một" in page and "Tô Hiệu" in page and "Sở Nội vụ" in page
        assert "4 ngày" in page and reverse("referral-detail", args=[near.uuid]) in page
        assert page.index("Cầm Văn Một") < page.index("Lò Văn Hai")  # latest first
        by_agency = text(client.get("/overdue/?agency=nhcsxh-son-la"))
        assert "Lò Văn Hai" in by_agency and "Cầm Văn Một" not in by_agency
        code = factories.commune("Tô Hiệu").code
        by_commune = text(client.get(f"/overdue/?commune={code}"))
        assert "Cầm Văn Một" in by_commune and "Lò Văn Hai" not in by_commune
        assert client.get("/overdue/?classification=A").status_code == 400

    def test_escalation_runs_from_beat(self) -> None:
        tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "registry.escalate_overdue_referrals" in tasks
