"""Loans under Decision 22/2023/QĐ-TTg: the eligibility rules and the loan's lifecycle.

``loan_check`` is pure: given the programme's rules and an application it returns blocking problems
and warnings in Vietnamese. The services move a ``LoanApplication`` along the state machine drawn on
the model, each step in one transaction with an audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry import validation
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import AccessEvent, Case, Referral, ReferralTransition, User
from registry.models.loans import LoanApplication, LoanProgramme
from registry.services.referrals import referral_record_event
from registry.workdays import add_months

P = LoanApplication.Purpose
S = LoanApplication.Status
E = ReferralTransition.Event


def _loop(
    loan: LoanApplication,
    *,
    actor: User,
    event: str,
    on: dt.date | None = None,
    detail: str = "",
    action: str | None = None,
) -> None:
    """The loan's step on its referral (when it came from one): the police case's timeline, the
    referring officer's notification, the referral's and the need's status."""
    if loan.referral_id is None:
        return
    referral_record_event(
        actor=actor,
        referral=loan.referral,
        event=event,
        on=on or validation.today(),
        detail=detail,
        action=action,
        outcome=Referral.Outcome.ACHIEVED if action == "complete" else "",
    )


@dataclass
class LoanCheck:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cap: int | None = None
    # How the cap was reached, in words (the rule of art. 6 and the figures of the application).
    cap_explanation: str = ""
    window_closes_on: dt.date | None = None
    max_term_months: int | None = None


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def loan_cap(
    programme: LoanProgramme,
    purpose: str,
    *,
    course_months: int | None,
    released_employees: int | None,
) -> int | None:
    """The most that may be lent for this purpose (art. 6), or None when the basis is missing."""
    if purpose == P.TRAINING:
        return programme.training_cap_per_month * course_months if course_months else None
    if purpose == P.PRODUCTION:
        return programme.production_cap_per_person
    if purpose == P.BUSINESS and released_employees:
        return min(
            programme.business_cap_per_project,
            programme.business_cap_per_employee * released_employees,
        )
    return None


def cap_explanation(
    programme: LoanProgramme,
    purpose: str,
    *,
    course_months: int | None,
    released_employees: int | None,
) -> str:
    """Why the cap is what it is (Decision 22/2023 art. 6), with this application's figures."""
    if purpose == P.TRAINING and course_months:
        return _(
            "Vay học nghề: tối đa %(per_month)s mỗi tháng học × %(months)d tháng = %(cap)s "
            "(Quyết định 22/2023/QĐ-TTg Điều 6)."
        ) % {
            "per_month": _vnd(programme.training_cap_per_month),
            "months": course_months,
            "cap": _vnd(programme.training_cap_per_month * course_months),
        }
    if purpose == P.PRODUCTION:
        return _(
            "Vay sản xuất, kinh doanh: tối đa %(cap)s mỗi người (Quyết định 22/2023/QĐ-TTg Điều 6)."
        ) % {"cap": _vnd(programme.production_cap_per_person)}
    if purpose == P.BUSINESS and released_employees:
        return _(
            "Vay cho doanh nghiệp: tối đa %(per_employee)s cho mỗi lao động là người chấp hành "
            "xong án × %(employees)d người, không quá %(per_project)s mỗi dự án (Quyết định "
            "22/2023/QĐ-TTg Điều 6)."
        ) % {
            "per_employee": _vnd(programme.business_cap_per_employee),
            "employees": released_employees,
            "per_project": _vnd(programme.business_cap_per_project),
        }
    return ""


def max_term_months(purpose: str, *, course_months: int | None) -> int | None:
    """The longest term (art. 8): for training, the months of study plus a repayment period of at
    most twice them (once for a course over a year); otherwise 120 months."""
    if purpose == P.TRAINING:
        if not course_months:
            return None
        return course_months * (3 if course_months <= 12 else 2)
    return 120


def loan_check(
    *,
    programme: LoanProgramme,
    purpose: str,
    amount: int,
    course_months: int | None,
    released_employees: int | None,
    release_date: dt.date | None,
    certificate_date: dt.date | None,
    applied_on: dt.date,
    form_confirmed: bool,
    term_months: int | None = None,
) -> LoanCheck:
    check = LoanCheck()
    if certificate_date is None or release_date is None:
        check.problems.append(
            _("Chưa ghi giấy chứng nhận chấp hành xong án (PT70/PT72) và ngày cấp.")
        )
    else:
        closes = add_months(release_date, 12 * programme.window_years)
        check.window_closes_on = closes
        if applied_on > closes:
            check.problems.append(
                _("Đã quá %(years)d năm kể từ ngày chấp hành xong án: hạn đề nghị vay là %(date)s.")
                % {"years": programme.window_years, "date": closes.strftime("%d/%m/%Y")}
            )
        elif (closes - applied_on).days <= programme.warn_days:
            check.warnings.append(
                _("Còn %(days)d ngày là hết hạn đề nghị vay (%(date)s).")
                % {"days": (closes - applied_on).days, "date": closes.strftime("%d/%m/%Y")}
            )
    if purpose == P.TRAINING and not course_months:
        check.problems.append(_("Vay học nghề: ghi số tháng của khóa học."))
    if purpose == P.BUSINESS and not released_employees:
        check.problems.append(
            _("Vay cho doanh nghiệp: ghi số lao động là người chấp hành xong án.")
        )
    check.cap = loan_cap(
        programme, purpose, course_months=course_months, released_employees=released_employees
    )
    check.cap_explanation = cap_explanation(
        programme, purpose, course_months=course_months, released_employees=released_employees
    )
    if amount <= 0:
        check.problems.append(_("Số tiền đề nghị phải lớn hơn 0."))
    elif check.cap is not None and amount > check.cap:
        check.problems.append(
            _("Số tiền %(amount)s vượt mức cho vay tối đa %(cap)s. %(why)s")
            % {"amount": _vnd(amount), "cap": _vnd(check.cap), "why": check.cap_explanation}
        )
    check.max_term_months = max_term_months(purpose, course_months=course_months)
    if term_months is not None and check.max_term_months and term_months > check.max_term_months:
        check.problems.append(
            _("Thời hạn vay %(term)d tháng vượt mức tối đa %(max)d tháng (Điều 8).")
            % {"term": term_months, "max": check.max_term_months}
        )
    if not form_confirmed:
        form = "02" if purpose == P.BUSINESS else "01"
        check.problems.append(_("UBND xã chưa xác nhận mẫu %(form)s.") % {"form": form})
    return check


def _check_for(loan: LoanApplication) -> LoanCheck:
    record = loan.case.custody_record
    return loan_check(
        programme=loan.programme,
        purpose=loan.purpose,
        amount=loan.amount,
        course_months=loan.course_months,
        released_employees=loan.released_employees,
        release_date=record.release_date if record else None,
        certificate_date=record.certificate_date if record else None,
        applied_on=loan.applied_on,
        form_confirmed=loan.form_confirmed_on is not None,
        term_months=loan.term_months,
    )


def loan_check_for(loan: LoanApplication) -> LoanCheck:
    """The rules as they stand for this application (the page shows them before submitting)."""
    return _check_for(loan)


def loan_programme_on(day: dt.date) -> LoanProgramme:
    programme = (
        LoanProgramme.objects.filter(LoanProgramme.valid_on_q(day)).order_by("-valid_from").first()
    )
    if programme is None:
        raise ApplicationError(_("Không có chương trình cho vay nào có hiệu lực vào ngày này."))
    return programme


@transaction.atomic
def loan_application_create(
    *,
    actor: User,
    case: Case,
    purpose: str,
    amount: int,
    applied_on: dt.date | None = None,
    course_months: int | None = None,
    released_employees: int | None = None,
    referral: Referral | None = None,
    term_months: int | None = None,
) -> LoanApplication:
    """A DRAFT application; the rules are checked when it is submitted."""
    applied_on = applied_on or validation.today()
    if purpose not in P.values:
        raise ValidationError({"purpose": _("Chọn mục đích vay.")})
    if applied_on > validation.today():
        raise ValidationError({"applied_on": _("Ngày đề nghị không được ở tương lai.")})
    loan = LoanApplication(
        programme=loan_programme_on(applied_on),
        case=case,
        referral=referral,
        purpose=purpose,
        amount=amount,
        course_months=course_months,
        released_employees=released_employees,
        term_months=term_months,
        applied_on=applied_on,
        created_by=actor,
    )
    loan.full_clean()
    loan.save()
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[loan.case])
    return loan


@transaction.atomic
def loan_update(
    *,
    actor: User,
    loan: LoanApplication,
    purpose: str,
    amount: int,
    course_months: int | None = None,
    released_employees: int | None = None,
    term_months: int | None = None,
) -> LoanApplication:
    """Correct a draft: purpose, amount, term and their basis may change until it is submitted
    (the rules are checked then, as for a new draft)."""
    locked = LoanApplication.objects.select_for_update().get(pk=loan.pk)
    if locked.status != S.DRAFT:
        raise ApplicationError(
            _("Hồ sơ đã nộp không sửa được nữa (trạng thái “%(status)s”).")
            % {"status": locked.get_status_display()},
            extra={"code": "illegal_transition"},
        )
    if purpose not in P.values:
        raise ValidationError({"purpose": _("Chọn mục đích vay.")})
    locked.purpose, locked.amount = purpose, amount
    locked.course_months, locked.released_employees = course_months, released_employees
    locked.term_months = term_months
    fields = ["purpose", "amount", "course_months", "released_employees", "term_months"]
    locked.full_clean()
    locked.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor, action=AccessEvent.Action.UPDATE, objects=[locked.case], purpose="loan draft"
    )
    return locked


def _move(loan: LoanApplication, *, actor: User, action: str) -> LoanApplication:
    """Lock the loan, check the step in ``LoanApplication.TRANSITIONS`` and set its status."""
    locked = (
        LoanApplication.objects.select_for_update(of=("self",))
        .select_related("case__custody_record", "programme")
        .get(pk=loan.pk)
    )
    step = LoanApplication.TRANSITIONS.check(action, locked.status, locked.get_status_display())
    locked.status = step.target
    audit_record(
        actor=actor,
        action=AccessEvent.Action.TRANSITION,
        objects=[locked.case],
        purpose=f"loan {step.target}",
    )
    return locked


@transaction.atomic
def loan_confirm_form(
    *, actor: User, loan: LoanApplication, on: dt.date | None = None
) -> LoanApplication:
    """The commune committee confirms Form 01 (Form 02 for a business) while the loan is a draft."""
    locked = _move(loan, actor=actor, action="confirm-form")
    locked.form_confirmed_on, locked.form_confirmed_by = on or validation.today(), actor
    locked.save(update_fields=["form_confirmed_on", "form_confirmed_by", "updated_at"])
    return locked


@transaction.atomic
def loan_submit(*, actor: User, loan: LoanApplication) -> tuple[LoanApplication, list[str]]:
    """DRAFT → SUBMITTED when every rule passes; returns the warnings (e.g. the window closing)."""
    locked = _move(loan, actor=actor, action="submit")
    check = _check_for(locked)
    if check.problems:
        raise ValidationError({"__all__": check.problems})
    locked.save(update_fields=["status", "updated_at"])
    _loop(
        locked,
        actor=actor,
        event=E.LOAN_SUBMITTED,
        detail=f"{locked.get_purpose_display()}, {_vnd(locked.amount)}",
        action="start",
    )
    return locked, check.warnings


@transaction.atomic
def loan_approve(
    *, actor: User, loan: LoanApplication, amount: int, on: dt.date | None = None
) -> LoanApplication:
    on = on or validation.today()
    locked = _move(loan, actor=actor, action="approve")
    cap = _check_for(locked).cap
    if not 0 < amount <= locked.amount or (cap is not None and amount > cap):
        raise ValidationError(
            {"amount": _("Số tiền phê duyệt phải lớn hơn 0, không quá số đề nghị và mức tối đa.")}
        )
    if on > validation.today() or on < locked.applied_on:
        raise ValidationError(
            {
                "on": _("Ngày phê duyệt phải từ ngày đề nghị (%(date)s) đến hôm nay.")
                % {"date": locked.applied_on.strftime("%d/%m/%Y")}
            }
        )
    locked.approved_amount, locked.approved_on = amount, on
    locked.save(update_fields=["status", "approved_amount", "approved_on", "updated_at"])
    _loop(locked, actor=actor, event=E.LOAN_APPROVED, on=on, detail=_vnd(amount))
    return locked


@transaction.atomic
def loan_reject(*, actor: User, loan: LoanApplication, reason: str) -> LoanApplication:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do từ chối.")})
    locked = _move(loan, actor=actor, action="reject")
    locked.reason = reason.strip()
    locked.save(update_fields=["status", "reason", "updated_at"])
    _loop(locked, actor=actor, event=E.LOAN_REJECTED, detail=locked.reason, action="fail")
    return locked


@transaction.atomic
def loan_disburse(
    *, actor: User, loan: LoanApplication, amount: int, on: dt.date
) -> LoanApplication:
    locked = _move(loan, actor=actor, action="disburse")
    if not 0 < amount <= (locked.approved_amount or 0):
        raise ValidationError({"amount": _("Số tiền giải ngân không được vượt số tiền phê duyệt.")})
    if on > validation.today() or on < locked.applied_on:
        raise ValidationError(
            {"on": _("Ngày giải ngân phải sau ngày đề nghị và không ở tương lai.")}
        )
    if locked.approved_on is not None and on < locked.approved_on:
        raise ValidationError(
            {
                "on": _("Chưa thể giải ngân trước ngày phê duyệt (%(date)s).")
                % {"date": locked.approved_on.strftime("%d/%m/%Y")}
            }
        )
    locked.disbursed_amount, locked.disbursed_on = amount, on
    locked.save(update_fields=["status", "disbursed_amount", "disbursed_on", "updated_at"])
    _loop(
        locked, actor=actor, event=E.LOAN_DISBURSED, on=on, detail=_vnd(amount), action="complete"
    )
    return locked


@transaction.atomic
def loan_start_repaying(*, actor: User, loan: LoanApplication) -> LoanApplication:
    locked = _move(loan, actor=actor, action="repaying")
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def loan_mark_overdue(*, actor: User, loan: LoanApplication) -> LoanApplication:
    locked = _move(loan, actor=actor, action="overdue")
    locked.save(update_fields=["status", "updated_at"])
    _loop(locked, actor=actor, event=E.LOAN_OVERDUE)
    return locked


@transaction.atomic
def loan_repaid(*, actor: User, loan: LoanApplication, on: dt.date) -> LoanApplication:
    locked = _move(loan, actor=actor, action="repaid")
    if on > validation.today():
        raise ValidationError({"on": _("Ngày trả hết không được ở tương lai.")})
    locked.repaid_on = on
    locked.save(update_fields=["status", "repaid_on", "updated_at"])
    return locked
