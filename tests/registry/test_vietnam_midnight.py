"""Dates on both sides of Vietnam's midnight (17:00 UTC) and of UTC's (07:00 in Vietnam).

The app records every date in Asia/Ho_Chi_Minh; the machines keep UTC. These tests pin the clock
with time-machine at instants where the two calendars differ and where they agree, and walk the
in-process part of the loan flow (the end-to-end test that failed between 17:00 and 24:00 UTC)
with dates taken from the same clock.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from registry import services
from registry.models import Agency, CaseMilestone, LoanApplication, Membership, Role
from registry.services import loans
from registry.workdays import add_working_days
from tests import factories
from tests.clock import today, utc_instant

pytestmark = pytest.mark.django_db

# (instant, the date in Vietnam at that instant)
INSTANTS = [
    pytest.param(utc_instant(2026, 11, 29, 16, 59), dt.date(2026, 11, 29), id="16:59Z=23:59+07"),
    pytest.param(utc_instant(2026, 11, 29, 17, 1), dt.date(2026, 11, 30), id="17:01Z=00:01+07"),
    pytest.param(utc_instant(2026, 11, 29, 17, 30), dt.date(2026, 11, 30), id="17:30Z"),
    pytest.param(utc_instant(2026, 11, 29, 23, 59), dt.date(2026, 11, 30), id="23:59Z=06:59+07"),
    pytest.param(utc_instant(2026, 11, 30, 0, 1), dt.date(2026, 11, 30), id="00:01Z=07:01+07"),
]


def officer_and_bank():
    officer = factories.commune_officer("lan")
    bank = factories.UserFactory(username="ngan-hang")
    Membership.objects.create(
        user=bank, role=Role.SOCIAL_POLICY_BANK, agency=Agency.objects.get(code="nhcsxh-son-la")
    )
    return officer, bank


@pytest.mark.parametrize(("instant", "local_day"), INSTANTS)
def test_the_app_s_today_is_the_date_in_vietnam(instant, local_day) -> None:
    with time_machine.travel(instant, tick=False):
        assert today() == local_day


@pytest.mark.parametrize(("instant", "local_day"), INSTANTS)
def test_a_loan_from_the_notice_to_disbursement_on_the_local_day(instant, local_day) -> None:
    """What the browser does in the loan flow, at each instant: the notice dated today, the
    reception meeting today, the loan confirmed, approved and disbursed today."""
    with time_machine.travel(instant, tick=False):
        officer, bank = officer_and_bank()
        case = services.prison_notice_register(
            actor=officer,
            commune=factories.commune(),
            person={
                "full_name": "Quàng Văn Dũng",
                "gender": "male",
                "date_of_birth": dt.date(1988, 6, 2),
                "national_id": factories.national_id(1988),
            },
            custody={
                "release_date": today(),
                "release_kind": "completed",
                "main_penalty": "prison",
                "sentence_months": 24,
                "certificate_date": today(),
            },
            reporting_deadline=None,
        )
        assert CaseMilestone.objects.get(case=case, kind="notice_received").date == local_day
        assert case.address_check_due == add_working_days(local_day, 3)
        case = services.case_record_presentation(actor=officer, case=case)
        services.case_record_milestone(
            actor=officer, case=case, kind="reception_meeting", on=today(), note="HCD-05"
        )
        assert CaseMilestone.objects.get(case=case, kind="reception_meeting").date == local_day
        need = factories.make_need(officer, case, "loan")
        bank_agency = Agency.objects.get(code="nhcsxh-son-la")
        consent = services.consent_record(
            actor=officer,
            person=case.person,
            purpose="referral",
            agency=bank_agency,
            need_type=need.need_type,
            evidence="Phiếu đồng ý có chữ ký",
        )
        referral = services.referral_send(
            actor=officer, need=need, agency=bank_agency, consent=consent
        )
        services.referral_accept(actor=bank, referral=referral)
        loan = loans.loan_application_create(
            actor=bank, case=case, purpose="production", amount=50_000_000, referral=referral
        )
        assert loan.applied_on == local_day
        loan = loans.loan_confirm_form(actor=bank, loan=loan, on=today())
        loan, _ = loans.loan_submit(actor=bank, loan=loan)
        loan = loans.loan_approve(actor=bank, loan=loan, amount=50_000_000)
        with pytest.raises(ValidationError, match="không ở tương lai"):
            loans.loan_disburse(
                actor=bank, loan=loan, amount=50_000_000, on=local_day + dt.timedelta(days=1)
            )
        loan = loans.loan_disburse(actor=bank, loan=loan, amount=50_000_000, on=today())
        assert (loan.status, loan.disbursed_on) == (LoanApplication.Status.DISBURSED, local_day)


@pytest.mark.parametrize(("instant", "local_day"), INSTANTS)
def test_a_visit_is_accepted_today_and_refused_tomorrow(instant, local_day) -> None:
    with time_machine.travel(instant, tick=False):
        officer = factories.commune_officer("lan")
        case = factories.make_case(officer)
        note = services.case_note_add(
            actor=officer, case=case, kind="visit", happened_on=today(), text="Thăm gia đình"
        )
        assert note.happened_on == local_day
        with pytest.raises(ValidationError, match="tương lai"):
            services.case_note_add(
                actor=officer,
                case=case,
                kind="visit",
                happened_on=local_day + dt.timedelta(days=1),
                text="Chưa tới ngày",
            )
