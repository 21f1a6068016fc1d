"""Loans under Decision 22/2023: each cap, the 5-year window with its 90-day warning, Form 01/02,
the completion certificate, and every step of the loan's lifecycle, legal and illegal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry.errors import ApplicationError
from registry.models import LoanApplication, LoanProgramme
from registry.services import loans
from registry.workdays import add_months
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
S = LoanApplication.Status


@pytest.fixture
def programme() -> LoanProgramme:
    return LoanProgramme.objects.get(code="qd22-2023")


def check(programme, **overrides):
    data = dict(
        programme=programme,
        purpose="production",
        amount=50_000_000,
        course_months=None,
        released_employees=None,
        release_date=dt.date(2024, 3, 1),
        certificate_date=dt.date(2024, 3, 1),
        applied_on=dt.date(2025, 3, 1),
        form_confirmed=True,
    )
    data.update(overrides)
    return loans.loan_check(**data)


class LoanRuleTests:
    @pytest.mark.parametrize(
        ("purpose", "extra", "cap"),
        [
            ("training", {"course_months": 3}, 12_000_000),  # 4 million a month
            ("training", {"course_months": 1}, 4_000_000),
            ("production", {}, 100_000_000),  # per person
            (
                "business",
                {"released_employees": 5},
                500_000_000,
            ),  # 100 million per released employee
            ("business", {"released_employees": 30}, 2_000_000_000),  # capped per project
        ],
    )
    def test_each_cap(self, programme, purpose, extra, cap) -> None:
        assert check(programme, purpose=purpose, amount=cap, **extra).problems == []
        over = check(programme, purpose=purpose, amount=cap + 1, **extra)
        assert len(over.problems) == 1 and "vượt mức cho vay tối đa" in over.problems[0]

    def test_the_purpose_basis_is_required(self, programme) -> None:
        assert "số tháng" in " ".join(check(programme, purpose="training", amount=1).problems)
        assert "số lao động" in " ".join(check(programme, purpose="business", amount=1).problems)

    @pytest.mark.parametrize(
        ("applied_on", "allowed", "warned"),
        [
            (dt.date(2028, 11, 30), True, False),  # 91 days before the window closes
            (dt.date(2028, 12, 1), True, True),  # 90 days before 01/03/2029: warn
            (dt.date(2029, 3, 1), True, True),  # the last day
            (dt.date(2029, 3, 2), False, False),  # 5 years and a day after completion
        ],
    )
    def test_the_five_year_window_and_its_warning(
        self, programme, applied_on, allowed, warned
    ) -> None:
        result = check(programme, applied_on=applied_on)
        assert (result.problems == []) == allowed
        assert bool(result.warnings) == warned
        assert result.window_closes_on == dt.date(2029, 3, 1)

    def test_form_01_or_02_is_required(self, programme) -> None:
        assert "mẫu 01" in check(programme, form_confirmed=False).problems[0]
        business = check(
            programme, purpose="business", released_employees=2, amount=1, form_confirmed=False
        )
        assert "mẫu 02" in business.problems[0]

    def test_the_completion_certificate_is_required(self, programme) -> None:
        assert "PT70" in check(programme, certificate_date=None).problems[0]

    def test_caps_and_window_are_data(self, programme) -> None:
        programme.production_cap_per_person = 120_000_000
        programme.window_years = 6
        assert check(programme, amount=120_000_000, applied_on=dt.date(2029, 6, 1)).problems == []


@pytest.fixture
def officer():
    return factories.UserFactory(username="ngan-hang")


@pytest.fixture
def case(officer):
    person = factories.make_person(officer)
    record = factories.make_custody(
        officer,
        person,
        release_date=today() - dt.timedelta(days=400),
        certificate_date=today() - dt.timedelta(days=400),
    )
    from registry import services

    return services.case_open(
        actor=officer, person=person, commune=factories.commune(), custody_record=record
    )


def draft(officer, case, **overrides) -> LoanApplication:
    data = {"purpose": "production", "amount": 60_000_000}
    data.update(overrides)
    return loans.loan_application_create(actor=officer, case=case, **data)


class LoanLifecycleTests:
    def test_the_whole_life_of_a_loan(self, officer, case) -> None:
        loan = draft(officer, case)
        with pytest.raises(ValidationError, match="mẫu 01"):
            loans.loan_submit(actor=officer, loan=loan)
        loan = loans.loan_confirm_form(actor=officer, loan=loan)
        loan, warnings = loans.loan_submit(actor=officer, loan=loan)
        assert loan.status == S.SUBMITTED and warnings == []
        loan = loans.loan_approve(actor=officer, loan=loan, amount=50_000_000)
        with pytest.raises(ValidationError):
            loans.loan_disburse(actor=officer, loan=loan, amount=60_000_000, on=today())
        loan = loans.loan_disburse(actor=officer, loan=loan, amount=50_000_000, on=today())
        loan = loans.loan_start_repaying(actor=officer, loan=loan)
        loan = loans.loan_mark_overdue(actor=officer, loan=loan)
        loan = loans.loan_start_repaying(actor=officer, loan=loan)
        loan = loans.loan_repaid(actor=officer, loan=loan, on=today())
        assert (loan.status, loan.approved_amount, loan.disbursed_amount) == (
            S.REPAID,
            50_000_000,
            50_000_000,
        )

    def test_an_amount_over_the_cap_cannot_be_submitted_or_approved(self, officer, case) -> None:
        loan = loans.loan_confirm_form(actor=officer, loan=draft(officer, case, amount=150_000_000))
        with pytest.raises(ValidationError, match="vượt mức"):
            loans.loan_submit(actor=officer, loan=loan)
        assert LoanApplication.objects.get(pk=loan.pk).status == S.DRAFT
        ok = loans.loan_submit(
            actor=officer, loan=loans.loan_confirm_form(actor=officer, loan=draft(officer, case))
        )[0]
        with pytest.raises(ValidationError):
            loans.loan_approve(actor=officer, loan=ok, amount=70_000_000)  # more than requested

    def test_rejection_needs_a_reason_and_is_final(self, officer, case) -> None:
        loan = loans.loan_submit(
            actor=officer, loan=loans.loan_confirm_form(actor=officer, loan=draft(officer, case))
        )[0]
        with pytest.raises(ValidationError):
            loans.loan_reject(actor=officer, loan=loan, reason=" ")
        loan = loans.loan_reject(
            actor=officer, loan=loan, reason="Còn dư nợ chương trình cùng mục đích"
        )
        for step in (
            lambda: loans.loan_approve(actor=officer, loan=loan, amount=1),
            lambda: loans.loan_disburse(actor=officer, loan=loan, amount=1, on=today()),
            lambda: loans.loan_confirm_form(actor=officer, loan=loan),
        ):
            with pytest.raises(ApplicationError):
                step()

    @pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.APPROVED])
    def test_repayment_steps_need_a_disbursed_loan(self, officer, case, status) -> None:
        loan = draft(officer, case)
        LoanApplication.objects.filter(pk=loan.pk).update(status=status)
        for step in (loans.loan_start_repaying, loans.loan_mark_overdue):
            with pytest.raises(ApplicationError):
                step(actor=officer, loan=loan)

    def test_the_window_warning_reaches_the_officer(self, officer) -> None:
        person = factories.make_person(officer)
        released = add_months(today(), -60) + dt.timedelta(days=30)
        record = factories.make_custody(
            officer,
            person,
            release_date=released,
            certificate_date=released,
            judgment_date=released - dt.timedelta(days=900),
        )
        from registry import services

        case = services.case_open(
            actor=officer, person=person, commune=factories.commune(), custody_record=record
        )
        loan = loans.loan_confirm_form(actor=officer, loan=draft(officer, case))
        _, warnings = loans.loan_submit(actor=officer, loan=loan)
        assert warnings and "hết hạn đề nghị vay" in warnings[0]
