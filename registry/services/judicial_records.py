"""Judicial record certificate requests: the due date in working days and the fee from the rule
in force on the day of the request, then issue or refuse."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import validation
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import AccessEvent, Case, Referral, ReferralTransition, User
from registry.models.loans import JudicialRecordRequest, JudicialRecordRule
from registry.models.transitions import illegal_transition
from registry.services.referrals import referral_record_event
from registry.workdays import add_working_days

R = JudicialRecordRequest


def judicial_record_rule_on(day: dt.date) -> JudicialRecordRule:
    rule = (
        JudicialRecordRule.objects.filter(JudicialRecordRule.valid_on_q(day))
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise ApplicationError(
            _("Chưa có quy định cấp phiếu lý lịch tư pháp cho ngày này (cần cập nhật danh mục).")
        )
    return rule


@transaction.atomic
def judicial_record_request_create(
    *,
    actor: User,
    case: Case,
    certificate_type: str,
    fee_category: str,
    requested_on: dt.date | None = None,
    is_complex: bool = False,
    waiver_reason: str = "",
    referral: Referral | None = None,
) -> JudicialRecordRequest:
    requested_on = requested_on or validation.today()
    errors: dict[str, str] = {}
    if certificate_type not in R.CertificateType.values:
        errors["certificate_type"] = _("Chọn phiếu số 1 hoặc số 2.")
    if fee_category not in R.FeeCategory.values:
        errors["fee_category"] = _("Chọn mức lệ phí.")
    elif fee_category != R.FeeCategory.STANDARD and not waiver_reason.strip():
        errors["waiver_reason"] = _("Ghi lý do miễn hoặc giảm lệ phí.")
    if requested_on > validation.today():
        errors["requested_on"] = _("Ngày tiếp nhận không được ở tương lai.")
    if errors:
        raise ValidationError(errors)
    rule = judicial_record_rule_on(requested_on)
    fee = {
        R.FeeCategory.STANDARD: rule.fee,
        R.FeeCategory.REDUCED: rule.reduced_fee,
        R.FeeCategory.WAIVED: 0,
    }[fee_category]
    days = rule.complex_working_days if is_complex else rule.normal_working_days
    request = R(
        case=case,
        referral=referral,
        rule=rule,
        certificate_type=certificate_type,
        is_complex=is_complex,
        fee_category=fee_category,
        fee_amount=fee,
        waiver_reason=waiver_reason.strip(),
        requested_on=requested_on,
        due_on=add_working_days(requested_on, days),
        created_by=actor,
    )
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=AccessEvent.Action.CREATE,
        objects=[case],
        purpose="judicial record request",
    )
    return request


def _move(
    request: JudicialRecordRequest, actor: User, to: str, label: str
) -> JudicialRecordRequest:
    locked = R.objects.select_for_update().get(pk=request.pk)
    if locked.status != R.Status.REQUESTED:
        raise illegal_transition(label, locked.get_status_display())
    locked.status = to
    audit_record(
        actor=actor,
        action=AccessEvent.Action.TRANSITION,
        objects=[locked.case],
        purpose=f"judicial record {to}",
    )
    return locked


@transaction.atomic
def judicial_record_issue(
    *, actor: User, request: JudicialRecordRequest, on: dt.date
) -> JudicialRecordRequest:
    if on > validation.today() or on < request.requested_on:
        raise ValidationError({"on": _("Ngày cấp phải từ ngày tiếp nhận đến hôm nay.")})
    locked = _move(request, actor, R.Status.ISSUED, _("cấp phiếu"))
    locked.issued_on = on
    locked.save(update_fields=["status", "issued_on", "updated_at"])
    if locked.referral_id is not None:
        referral_record_event(
            actor=actor,
            referral=locked.referral,
            event=ReferralTransition.Event.CERTIFICATE_ISSUED,
            on=on,
            detail=str(locked.get_certificate_type_display()),
            action="complete",
            outcome=Referral.Outcome.ACHIEVED,
        )
    return locked


@transaction.atomic
def judicial_record_refuse(
    *, actor: User, request: JudicialRecordRequest, reason: str
) -> JudicialRecordRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do từ chối cấp phiếu.")})
    locked = _move(request, actor, R.Status.REFUSED, _("từ chối cấp phiếu"))
    locked.reason = reason.strip()
    locked.save(update_fields=["status", "reason", "updated_at"])
    if locked.referral_id is not None:
        referral_record_event(
            actor=actor,
            referral=locked.referral,
            event=ReferralTransition.Event.CERTIFICATE_REFUSED,
            on=validation.today(),
            detail=locked.reason,
            action="fail",
        )
    return locked


@transaction.atomic
def legal_aid_record(*, actor: User, referral: Referral, on: dt.date, summary: str) -> Referral:
    """Legal aid given on a legal-aid referral (Law on Legal Aid 2017): completes the referral, the
    need met; the police case's timeline shows what was done."""
    errors: dict[str, str] = {}
    if referral.need.need_type.code != "legal_aid":
        raise ApplicationError(_("Đề nghị này không phải trợ giúp pháp lý."))
    if not summary.strip():
        errors["summary"] = _("Ghi nội dung đã trợ giúp (tư vấn, tham gia tố tụng …).")
    if on > validation.today():
        errors["on"] = _("Ngày trợ giúp không được ở tương lai.")
    elif on < timezone.localtime(referral.sent_at).date():
        errors["on"] = _("Ngày trợ giúp không được trước ngày nhận đề nghị (%(date)s).") % {
            "date": timezone.localtime(referral.sent_at).strftime("%d/%m/%Y")
        }
    if errors:
        raise ValidationError(errors)
    return referral_record_event(
        actor=actor,
        referral=referral,
        event=ReferralTransition.Event.LEGAL_AID_GIVEN,
        on=on,
        detail=summary.strip(),
        action="complete",
        outcome=Referral.Outcome.ACHIEVED,
    )
