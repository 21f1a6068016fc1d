"""Writes for cases, milestones, needs and notes. Status changes lock the row, check the state
machine drawn on the model, and run in one transaction with the acting user recorded."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry import validation
from registry.audit import audit_record, change_record
from registry.errors import ApplicationError
from registry.models import (
    AdministrativeUnit,
    Case,
    CaseMilestone,
    CaseNote,
    CustodyRecord,
    Need,
    NeedType,
    Person,
    Referral,
    User,
)
from registry.models.access import AccessEvent
from registry.models.transitions import illegal_transition
from registry.workdays import add_working_days

A = AccessEvent.Action

S = Case.Status

# The address check is due 3 working days after the prison's notice (Circular 10/2024 art. 8(1)).
ADDRESS_CHECK_WORKING_DAYS = 3

# Milestones that move the case's status are recorded by their own service.
STATUS_MILESTONES = {
    CaseMilestone.Kind.NOTICE_RECEIVED,
    CaseMilestone.Kind.ADDRESS_VERIFIED,
    CaseMilestone.Kind.PRESENTED,
    CaseMilestone.Kind.EXPUNGED,
    CaseMilestone.Kind.HELPER_ASSIGNED,
}


def _lock_case(case: Case) -> Case:
    """Re-read the case under a row lock so concurrent transitions serialise."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    case.status, case.version = locked.status, locked.version
    return locked


def _move_case(case: Case, *, actor: User, action: str, reason: str = "") -> Case:
    """Lock, check the step in ``Case.TRANSITIONS``, set the status and log it (with its reason)
    in the change log."""
    locked = _lock_case(case)
    step = Case.TRANSITIONS.check(action, locked.status, locked.get_status_display())
    change_record(
        actor=actor,
        obj=locked,
        field="status",
        old=locked.status,
        new=step.target,
        reason=reason or str(step.label),
    )
    audit_record(actor=actor, action=A.TRANSITION, objects=[locked])
    locked.status = step.target
    locked.version = F("version") + 1
    return locked


# Steps that happen once the person is out: none may be dated before the release.
AFTER_RELEASE = {
    CaseMilestone.Kind.PRESENTED,
    CaseMilestone.Kind.RECEPTION_MEETING,
    CaseMilestone.Kind.HELPER_ASSIGNED,
    CaseMilestone.Kind.DOSSIER_OPENED,
    CaseMilestone.Kind.RESIDENCE_REGISTERED,
    CaseMilestone.Kind.ID_ISSUED,
    CaseMilestone.Kind.JUDICIAL_RECORD,
    CaseMilestone.Kind.EXPUNGED,
}


def milestone_date_check(case: Case, kind: str, on: dt.date, *, field: str = "on") -> None:
    """A milestone's date against the case's own dates: never in the future, never before the
    release for what follows it (the presentation, the reception meeting …), never before the
    prison's notice for the address check. ValidationError on ``field``."""
    if on > validation.today():
        raise ValidationError(
            {field: _("Ngày của mốc không được ở tương lai.")}, code="milestone_future"
        )
    record = case.custody_record
    if kind in AFTER_RELEASE and record is not None and on < record.release_date:
        raise ValidationError(
            {
                field: _("Ngày này không được trước ngày chấp hành xong án (%(date)s).")
                % {"date": record.release_date.strftime("%d/%m/%Y")}
            },
            code="milestone_before_release",
        )
    if kind == CaseMilestone.Kind.ADDRESS_VERIFIED:
        notice = case.milestones.filter(kind=CaseMilestone.Kind.NOTICE_RECEIVED).first()
        if notice is not None and on < notice.date:
            raise ValidationError(
                {
                    field: _("Không xác minh nơi cư trú trước ngày nhận thông báo (%(date)s).")
                    % {"date": notice.date.strftime("%d/%m/%Y")}
                },
                code="milestone_before_notice",
            )


def _milestone(
    case: Case,
    kind: str,
    on: dt.date,
    actor: User,
    note: str | None = None,
    *,
    field: str = "on",
) -> None:
    milestone_date_check(case, kind, on, field=field)
    CaseMilestone.objects.update_or_create(
        case=case, kind=kind, defaults={"date": on, "recorded_by": actor, "note": note}
    )


@transaction.atomic
def case_open(
    *,
    actor: User,
    person: Person,
    commune: AdministrativeUnit,
    custody_record: CustodyRecord | None = None,
    notice_received_on: dt.date | None = None,
    reporting_deadline: dt.date | None = None,
    assigned_officer: User | None = None,
) -> Case:
    """Register a prison notice as a case in EXPECTED status, with its address-check deadline."""
    today = validation.today()
    notice_received_on = notice_received_on or today
    errors: dict[str, str] = {}
    if commune.level != AdministrativeUnit.Level.COMMUNE or not commune.is_valid_on(today):
        errors["commune"] = _("Chọn một xã, phường đang có hiệu lực (danh mục từ 01/07/2025).")
    if notice_received_on > today:
        errors["notice_received_on"] = _("Ngày nhận thông báo không được ở tương lai.")
    if custody_record is not None and custody_record.person_id != person.pk:
        errors["custody_record"] = _("Hồ sơ thi hành án không thuộc người này.")
    if errors:
        raise ValidationError(errors)
    if Case.objects.filter(person=person).exclude(status=S.CLOSED).exists():
        raise ApplicationError(
            _("Người này đang có một hồ sơ chưa kết thúc."), extra={"code": "case_already_open"}
        )
    case = Case(
        person=person,
        commune=commune,
        custody_record=custody_record,
        opened_by=actor,
        reporting_deadline=reporting_deadline,
        assigned_officer=assigned_officer,
        address_check_due=add_working_days(notice_received_on, ADDRESS_CHECK_WORKING_DAYS),
    )
    case.full_clean()
    case.save()
    _milestone(case, CaseMilestone.Kind.NOTICE_RECEIVED, notice_received_on, actor)
    audit_record(actor=actor, action=A.CREATE, objects=[case])
    return case


@transaction.atomic
def case_verify_address(*, actor: User, case: Case, on: dt.date | None = None) -> Case:
    """EXPECTED → AWAITING_ARRIVAL: the commune police confirmed the address with the family."""
    locked = _move_case(case, actor=actor, action="verify-address")
    locked.save(update_fields=["status", "version", "updated_at"])
    _milestone(locked, CaseMilestone.Kind.ADDRESS_VERIFIED, on or validation.today(), actor)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def case_record_presentation(
    *, actor: User, case: Case, on: dt.date | None = None, assigned_officer: User | None = None
) -> Case:
    """EXPECTED | AWAITING_ARRIVAL → ACTIVE: the person reported to the commune."""
    locked = _move_case(case, actor=actor, action="present")
    locked.assigned_officer = assigned_officer or locked.assigned_officer or actor
    locked.save(update_fields=["status", "version", "assigned_officer", "updated_at"])
    _milestone(locked, CaseMilestone.Kind.PRESENTED, on or validation.today(), actor)
    from registry.services.supervision import reporting_failure_resolve_on_presentation

    reporting_failure_resolve_on_presentation(actor=actor, case=locked, on=on or validation.today())
    locked.refresh_from_db()
    return locked


@transaction.atomic
def case_record_milestone(
    *, actor: User, case: Case, kind: str, on: dt.date, note: str | None = None
) -> CaseMilestone:
    """Record a dated step that does not change the status (reception meeting HCD-05 …)."""
    if kind in STATUS_MILESTONES or kind not in CaseMilestone.Kind.values:
        raise ValidationError({"kind": _("Mốc này được ghi bằng thao tác riêng của hồ sơ.")})
    locked = _lock_case(case)
    if locked.status == S.CLOSED:
        raise illegal_transition(_("ghi mốc"), locked.get_status_display())
    _milestone(locked, kind, on, actor, note, field="date")
    audit_record(actor=actor, action=A.UPDATE, objects=[locked])
    return CaseMilestone.objects.get(case=locked, kind=kind)


@transaction.atomic
def case_assign_helper(*, actor: User, case: Case, helper: str, on: dt.date) -> Case:
    """Record the person or organisation assigned to help (HCD-07; Circ. 10/2024 art. 10)."""
    if not (helper or "").strip():
        raise ValidationError({"helper": _("Ghi tên người hoặc tổ chức được phân công giúp đỡ.")})
    locked = _lock_case(case)
    if locked.status == S.CLOSED:
        raise illegal_transition(_("phân công người giúp đỡ"), locked.get_status_display())
    locked.helper, locked.helper_assigned_on = helper.strip(), on
    locked.version = F("version") + 1
    locked.save(update_fields=["helper", "helper_assigned_on", "version", "updated_at"])
    _milestone(locked, CaseMilestone.Kind.HELPER_ASSIGNED, on, actor)
    audit_record(actor=actor, action=A.UPDATE, objects=[locked])
    locked.refresh_from_db()
    return locked


# How a closing by expungement is founded (Penal Code 2015 art. 70–72).
EXPUNGEMENT_BASES = {
    "date": _("Đương nhiên được xóa án tích từ ngày đủ điều kiện (Điều 70 Bộ luật Hình sự)"),
    "court": _("Quyết định xóa án tích của Tòa án (Điều 71, 72 Bộ luật Hình sự)"),
    "certificate": _("Phiếu lý lịch tư pháp ghi “không có án tích”"),
}


def case_close_check(
    *,
    case: Case,
    reason: str,
    on: dt.date,
    basis: str = "",
    reference: str = "",
    reference_date: dt.date | None = None,
) -> None:
    """Every problem of a closing at once (ValidationError by field), before anything is written:
    the confirmation page and ``case_close`` both call it.

    Closing by expungement before the eligible date computed from the custody record (art. 70) —
    or when no date could be computed — needs a court decision (art. 71–72) or a judicial record
    certificate, with its number and date."""
    errors: dict[str, list[str]] = {}
    if reason not in Case.CloseReason.values:
        errors["reason"] = [str(_("Chọn lý do kết thúc hồ sơ."))]
    if on > validation.today():
        errors["on"] = [str(_("Ngày kết thúc không được ở tương lai."))]
    if reason == Case.CloseReason.EXPUNGED:
        record = case.custody_record
        eligible = record.expungement_eligible_date if record is not None else None
        if basis in ("court", "certificate"):
            if not (reference or "").strip():
                errors["reference"] = [str(_("Ghi số quyết định của Tòa án hoặc số phiếu."))]
            if reference_date is None:
                errors["reference_date"] = [str(_("Ghi ngày của quyết định hoặc phiếu."))]
            elif reference_date > on:
                errors["reference_date"] = [
                    str(_("Quyết định hoặc phiếu phải có trước ngày kết thúc hồ sơ."))
                ]
        elif basis not in ("", "date"):
            errors["basis"] = [str(_("Chọn căn cứ xóa án tích."))]
        elif eligible is None:
            errors["basis"] = [
                str(
                    _(
                        "Chưa tính được ngày đủ điều kiện xóa án tích (thiếu dữ liệu bản án hoặc "
                        "chưa thực hiện xong nghĩa vụ dân sự): chỉ kết thúc do xóa án tích khi có "
                        "quyết định của Tòa án hoặc phiếu lý lịch tư pháp."
                    )
                )
            ]
        elif on < eligible:
            errors["basis"] = [
                str(
                    _(
                        "Chưa đến ngày đủ điều kiện xóa án tích (%(date)s, tính theo Điều 70 Bộ "
                        "luật Hình sự). Trước ngày này chỉ kết thúc do xóa án tích khi có quyết "
                        "định của Tòa án hoặc phiếu lý lịch tư pháp ghi không có án tích."
                    )
                    % {"date": eligible.strftime("%d/%m/%Y")}
                )
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    on: dt.date | None = None,
    basis: str = "",
    reference: str = "",
    reference_date: dt.date | None = None,
) -> Case:
    """Any open status → CLOSED(reason). Open referrals are cancelled, open needs withdrawn (each
    audited). An expungement is checked against its date or its decision (``case_close_check``)
    and recorded as a milestone with its basis."""
    from registry.services.referrals import referral_cancel  # referrals build on cases

    on = on or validation.today()
    case_close_check(
        case=case,
        reason=reason,
        on=on,
        basis=basis,
        reference=reference,
        reference_date=reference_date,
    )
    locked = _move_case(
        case, actor=actor, action="close", reason=str(Case.CloseReason(reason).label)
    )
    locked.close_reason, locked.closed_on = reason, on
    locked.save(update_fields=["status", "version", "close_reason", "closed_on", "updated_at"])
    open_referrals = Referral.objects.filter(need__case=locked).exclude(
        status__in=Referral.TERMINAL
    )
    for referral in open_referrals:
        referral_cancel(actor=actor, referral=referral, reason=str(_("Hồ sơ đã kết thúc.")))
    open_needs = list(
        locked.needs.filter(status__in=[Need.Status.IDENTIFIED, Need.Status.REFERRED])
    )
    if open_needs:
        Need.objects.filter(pk__in=[n.pk for n in open_needs]).update(status=Need.Status.WITHDRAWN)
        audit_record(actor=actor, action=A.TRANSITION, objects=open_needs, purpose="case closed")
    if reason == Case.CloseReason.EXPUNGED:
        note = str(EXPUNGEMENT_BASES.get(basis or "date"))
        if basis in ("court", "certificate"):
            note += f": {reference.strip()}, {reference_date:%d/%m/%Y}"
        _milestone(locked, CaseMilestone.Kind.EXPUNGED, on, actor, note=note)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def case_note_add(
    *, actor: User, case: Case, kind: str, happened_on: dt.date, text: str
) -> CaseNote:
    errors: dict[str, str] = {}
    if not (text or "").strip():
        errors["text"] = _("Chưa nhập nội dung ghi chép.")
    if happened_on > validation.today():
        errors["happened_on"] = _("Ngày ghi chép không được ở tương lai.")
    if errors:
        raise ValidationError(errors)
    note = CaseNote(case=case, kind=kind, happened_on=happened_on, text=text, author=actor)
    note.full_clean()
    note.save()
    Case.objects.filter(pk=case.pk).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=happened_on)
    ).update(last_contact_on=happened_on)
    audit_record(actor=actor, action=A.CREATE, objects=[note])
    return note


@transaction.atomic
def need_identify(
    *,
    actor: User,
    case: Case,
    need_type: NeedType,
    priority: str = Need.Priority.NORMAL,
    note: str | None = None,
) -> Need:
    """Add a need to an open case (one open need per type)."""
    locked = _lock_case(case)
    if locked.status == S.CLOSED:
        raise illegal_transition(_("thêm nhu cầu"), locked.get_status_display())
    if not need_type.is_active:
        raise ValidationError({"need_type": _("Loại nhu cầu này không còn được sử dụng.")})
    if locked.needs.filter(
        need_type=need_type, status__in=[Need.Status.IDENTIFIED, Need.Status.REFERRED]
    ).exists():
        raise ValidationError({"need_type": _("Hồ sơ đã có nhu cầu này đang được xử lý.")})
    need = Need(case=locked, need_type=need_type, priority=priority, note=note, identified_by=actor)
    need.full_clean()
    need.save()
    audit_record(actor=actor, action=A.CREATE, objects=[need])
    return need


def _move_need(need: Need, *, actor: User, action: str) -> Need:
    locked = Need.objects.select_for_update().get(pk=need.pk)
    locked.status = Need.TRANSITIONS.check(
        action, locked.status, locked.get_status_display()
    ).target
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=A.TRANSITION, objects=[locked])
    need.status = locked.status
    return locked


@transaction.atomic
def need_withdraw(*, actor: User, need: Need) -> Need:
    """IDENTIFIED → WITHDRAWN (a referred need is withdrawn by cancelling its referral first)."""
    return _move_need(need, actor=actor, action="withdraw")


@transaction.atomic
def need_mark_unmet(*, actor: User, need: Need) -> Need:
    """IDENTIFIED → UNMET: no agency can meet it."""
    return _move_need(need, actor=actor, action="unmet")


def prison_notice_check(*, commune: AdministrativeUnit | None, person: dict, custody: dict) -> None:
    """Every problem of a prison's notice at once (one ValidationError by field), writing
    nothing: the notice page calls it even when some values could not be read."""
    from registry.services.people import person_and_custody_check

    errors: dict[str, list] = {}
    if commune is None:
        errors["commune"] = [ValidationError(_("Chọn xã, phường nơi người được thả về cư trú."))]
    elif commune.level != AdministrativeUnit.Level.COMMUNE or not commune.is_valid_on(
        validation.today()
    ):
        errors["commune"] = [
            ValidationError(_("Chọn một xã, phường đang có hiệu lực (danh mục từ 01/07/2025)."))
        ]
    try:
        person_and_custody_check(person=person, custody=custody)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def prison_notice_register(
    *,
    actor: User,
    commune: AdministrativeUnit,
    person: dict,
    custody: dict,
    notice_received_on: dt.date | None = None,
    reporting_deadline: dt.date | None = None,
) -> Case:
    """A prison's release notice: the person, their custody record and an EXPECTED case, all or
    nothing. ``person`` and ``custody`` are the keyword arguments of their services. Every
    problem of the notice is reported at once (``prison_notice_check``) before anything is
    written."""
    from registry.services.people import custody_record_create, person_create

    prison_notice_check(commune=commune, person=person, custody=custody)
    created = person_create(actor=actor, **person)
    record = custody_record_create(actor=actor, person=created, **custody)
    return case_open(
        actor=actor,
        person=created,
        commune=commune,
        custody_record=record,
        notice_received_on=notice_received_on,
        reporting_deadline=reporting_deadline,
    )
