"""Agency pages: Justice's judicial record certificates, the overdue list, the expungement
explanation on the case; another commune's officer gets 404 for every page of a case."""

from __future__ import annotations

import datetime as dt

import pytest

from registry import services
from registry.models import Agency, JudicialRecordRequest, Membership, Role
from registry.services import loans, training
from tests import factories
from tests.clock import today
from tests.registry.test_casework_pages import officer_of

pytestmark = pytest.mark.django_db


def member(username: str, role: str, code: str):
    user = factories.UserFactory(username=username)
    Membership.objects.create(user=user, role=role, agency=Agency.objects.get(code=code))
    return user


@pytest.fixture
def lan():
    return officer_of("lan", "Tô Hiệu")


def active_case(actor):
    return services.case_record_presentation(actor=actor, case=factories.make_case(actor))


class JusticePageTests:
    def test_a_certificate_request_is_recorded_then_issued(self, client, lan) -> None:
        case = active_case(lan)
        justice = Agency.objects.get(code="so-tu-phap")
        services.consent_record(
            actor=lan, person=case.person, purpose="referral", agency=justice, evidence="Phiếu"
        )
        referral = services.referral_send(
            actor=lan, need=factories.make_need(lan, case, "judicial_record"), agency=justice
        )
        clerk = member("tu-phap", Role.JUSTICE, "so-tu-phap")
        factories.sign_in(client, clerk)
        services.referral_accept(actor=clerk, referral=referral)
        url = f"/referrals/{referral.uuid}/judicial-records/"
        refused = client.post(
            url, {"action": "create", "certificate_type": "1", "fee_category": "waived"}
        )
        assert refused.status_code == 400 and "lý do miễn" in refused.content.decode()
        assert (
            client.post(
                url,
                {
                    "action": "create",
                    "certificate_type": "1",
                    "fee_category": "waived",
                    "waiver_reason": "Xã đặc biệt khó khăn",
                },
            ).status_code
            == 302
        )
        request = JudicialRecordRequest.objects.get()
        assert request.fee_amount == 0
        assert (
            client.post(url, {"action": "issue", "request": str(request.uuid)}).status_code == 302
        )
        request.refresh_from_db()
        assert request.status == "issued"
        timeline = client.get(f"/cases/{case.uuid}/").content.decode()
        assert (
            "Cách tính" in timeline and "Điều 70(2)" in timeline
        )  # how the expungement date was computed

    def test_the_overdue_list(self, client, lan) -> None:
        case = active_case(lan)
        referral = services.referral_send(
            actor=lan,
            need=factories.make_need(lan, case, "job"),
            agency=Agency.objects.get(code="so-noi-vu"),
        )
        chief = member("ca-tinh", Role.PROVINCIAL_POLICE, "cong-an-tinh")
        factories.sign_in(client, chief)
        assert str(referral.uuid) not in client.get("/overdue/").content.decode()
        type(referral).objects.filter(pk=referral.pk).update(
            response_due=today() - dt.timedelta(days=1)
        )
        assert str(referral.uuid) in client.get("/overdue/").content.decode()


def test_another_communes_officer_gets_404_for_every_page_of_a_case(client, lan) -> None:
    case = active_case(lan)
    bank = Agency.objects.get(code="nhcsxh-son-la")
    services.consent_record(
        actor=lan, person=case.person, purpose="referral", agency=bank, evidence="Phiếu"
    )
    loan_referral = services.referral_send(
        actor=lan, need=factories.make_need(lan, case, "loan"), agency=bank
    )
    job_referral = services.referral_send(
        actor=lan,
        need=factories.make_need(lan, case, "job"),
        agency=Agency.objects.get(code="so-noi-vu"),
    )
    need = factories.make_need(lan, case, "housing")
    loan_referral = services.referral_accept(actor=lan, referral=loan_referral)
    loan = loans.loan_application_create(
        actor=lan, case=case, purpose="production", amount=1_000_000, referral=loan_referral
    )
    job_referral = services.referral_accept(actor=lan, referral=job_referral)
    course = training.course_create(
        actor=lan,
        agency=job_referral.agency,
        trade="Mộc",
        provider="x",
        commune=case.commune,
        starts_on=today() + dt.timedelta(days=3),
        ends_on=today() + dt.timedelta(days=30),
        seats=3,
    )
    enrollment = training.enrollment_create(actor=lan, referral=job_referral, course=course)
    outsider = officer_of("binh", "Mường Lạn")
    factories.sign_in(client, outsider)
    gets = [
        f"/cases/{case.uuid}/",
        f"/needs/{need.uuid}/refer/",
        f"/loans/{loan.uuid}/",
        f"/referrals/{loan_referral.uuid}/loan/",
        f"/referrals/{job_referral.uuid}/training/",
        f"/referrals/{loan_referral.uuid}/judicial-records/",
        f"/cases/{case.uuid}/timeline/",
        f"/cases/{case.uuid}/needs/",
        f"/cases/{case.uuid}/close/",
        f"/referrals/{loan_referral.uuid}/",
        f"/referrals/{loan_referral.uuid}/cancel/",
    ]
    posts = [
        f"/cases/{case.uuid}/note/",
        f"/cases/{case.uuid}/close/",
        f"/needs/{need.uuid}/refer/",
        f"/loans/{loan.uuid}/submit/",
        f"/inbox/{loan_referral.uuid}/start/",
        f"/referrals/{job_referral.uuid}/training/{course.uuid}/enrol/",
        f"/referrals/{job_referral.uuid}/placement/",
        f"/enrollments/{enrollment.uuid}/finish/",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"reason": "other"}).status_code == 404, url


def test_the_commune_committee_confirms_form_01_and_nothing_more(client, lan) -> None:
    case = active_case(lan)
    bank = Agency.objects.get(code="nhcsxh-son-la")
    services.consent_record(
        actor=lan, person=case.person, purpose="referral", agency=bank, evidence="Phiếu"
    )
    referral = services.referral_send(
        actor=lan, need=factories.make_need(lan, case, "loan"), agency=bank
    )
    referral = services.referral_accept(actor=lan, referral=referral)
    loan = loans.loan_application_create(
        actor=lan, case=case, purpose="production", amount=20_000_000, referral=referral
    )
    committee = factories.UserFactory(username="ubnd-xa")
    Membership.objects.create(
        user=committee,
        role=Role.COMMUNE_COMMITTEE,
        agency=Agency.objects.get(
            level="commune", kind="commune_committee", jurisdiction=case.commune
        ),
    ).units.add(case.commune)
    factories.sign_in(client, committee)
    assert str(loan.uuid) in client.get("/loans/").content.decode()
    assert (
        client.post(f"/loans/{loan.uuid}/confirm-form/", {"date": str(today())}).status_code == 302
    )
    loan.refresh_from_db()
    assert loan.form_confirmed_on == today() and loan.form_confirmed_by == committee
    assert client.post(f"/loans/{loan.uuid}/submit/", {}).status_code == 403
