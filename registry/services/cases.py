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


def illegal_transition(action: str, status_label: str) -> ApplicationError:
    return ApplicationError(
        _("Không thể “%(action)s” khi đang ở trạng thái “%(status)s”.")
        % {"action": action, "status": status_label},
        extra={"code": "illegal_transition"},
    )


def _lock_case(case: Case) -> Case:
    """Re-read the case under a row lock so concurrent transitions serialise."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    case.status, case.version = locked.status, locked.version
    return locked


def _move_case(
    case: Case,
    *,
    actor: User,
    to: Case.Status,
    allowed: set[Case.Status],
    action: str,
    reason: str = "",
) -> Case:
    """Lock, check the transition, set the status and log it (with its reason) in the change log."""
    locked = _lock_case(case)
    if locked.status not in allowed:
        raise illegal_transition(action, locked.get_status_display())
    change_record(
        actor=actor,
        obj=locked,
        field="status",
        old=locked.status,
        new=to,
        reason=reason or str(action),
    )
    audit_record(actor=actor, action=A.TRANSITION, objects=[locked])
    locked.status = to
    locked.version = F("version") + 1
    return locked


def _milestone(case: Case, kind: str, on: dt.date, actor: User, note: str | None = None) -> None:
    validation.validate_not_future(
        on, code="milestone_future", message=_("Ngày của mốc không được ở tương lai.")
    )
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
    locked = _move_case(
        case,
        actor=actor,
        to=S.AWAITING_ARRIVAL,
        allowed={S.EXPECTED},
        action=_("xác minh nơi cư trú"),
    )
    locked.save(update_fields=["status", "version", "updated_at"])
    _milestone(locked, CaseMilestone.Kind.ADDRESS_VERIFIED, on or validation.today(), actor)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def case_record_presentation(
    *, actor: User, case: Case, on: dt.date | None = None, assigned_officer: User | None = None
) -> Case:
    """EXPECTED | AWAITING_ARRIVAL → ACTIVE: the person reported to the commune."""
    locked = _move_case(
        case,
        actor=actor,
        to=S.ACTIVE,
        allowed={S.EXPECTED, S.AWAITING_ARRIVAL},
        action=_("ghi nhận trình diện"),
    )
    locked.assigned_officer = assigned_officer or locked.assigned_officer or actor
    locked.save(update_fields=["status", "version", "assigned_officer", "updated_at"])
    _milestone(locked, CaseMilestone.Kind.PRESENTED, on or validation.today(), actor)
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
    _milestone(locked, kind, on, actor, note)
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


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """Any open status → CLOSED(reason). Open referrals are cancelled, open needs withdrawn."""
    from registry.services.referrals import referral_cancel  # referrals build on cases

    if reason not in Case.CloseReason.values:
        raise ValidationError({"reason": _("Chọn lý do kết thúc hồ sơ.")})
    on = on or validation.today()
    validation.validate_not_future(
        on, code="close_future", message=_("Ngày kết thúc không được ở tương lai.")
    )
    locked = _move_case(
        case,
        actor=actor,
        to=S.CLOSED,
        allowed={S.EXPECTED, S.AWAITING_ARRIVAL, S.ACTIVE},
        action=_("kết thúc hồ sơ"),
        reason=str(Case.CloseReason(reason).label),
    )
    locked.close_reason, locked.closed_on = reason, on
    locked.save(update_fields=["status", "version", "close_reason", "closed_on", "updated_at"])
    open_referrals = Referral.objects.filter(need__case=locked).exclude(
        status__in=Referral.TERMINAL
    )
    for referral in open_referrals:
        referral_cancel(actor=actor, referral=referral, reason=str(_("Hồ sơ đã kết thúc.")))
    locked.needs.filter(status__in=[Need.Status.IDENTIFIED, Need.Status.REFERRED]).update(
        status=Need.Status.WITHDRAWN
    )
    if reason == Case.CloseReason.EXPUNGED:
        _milestone(locked, CaseMilestone.Kind.EXPUNGED, on, actor)
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


def _move_need(
    need: Need, *, actor: User, to: Need.Status, allowed: set[Need.Status], action: str
) -> Need:
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if locked.status not in allowed:
        raise illegal_transition(action, locked.get_status_display())
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=A.TRANSITION, objects=[locked])
    need.status = locked.status
    return locked


@transaction.atomic
def need_withdraw(*, actor: User, need: Need) -> Need:
    """IDENTIFIED → WITHDRAWN (a referred need is withdrawn by cancelling its referral first)."""
    return _move_need(
        need,
        actor=actor,
        to=Need.Status.WITHDRAWN,
        allowed={Need.Status.IDENTIFIED},
        action=_("bỏ nhu cầu"),
    )


@transaction.atomic
def need_mark_unmet(*, actor: User, need: Need) -> Need:
    """IDENTIFIED → UNMET: no agency can meet it."""
    return _move_need(
        need,
        actor=actor,
        to=Need.Status.UNMET,
        allowed={Need.Status.IDENTIFIED},
        action=_("ghi nhận không đáp ứng được"),
    )


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
    nothing. ``person`` and ``custody`` are the keyword arguments of their services."""
    from registry.services.people import custody_record_create, person_create

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
