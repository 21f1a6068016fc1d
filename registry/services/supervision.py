"""Writes for the commune police's legal workflow (Circular 10/2024 art. 9–15): helpers (HCD-06 →
HCD-07), helper reports (HCD-08), quarterly groups (HCD-09), detention, failure to report (HCD-04),
transfers between communes and the end of management (HCD-10 → HCD-11).

Each service runs in one transaction, locks the row it moves, checks the step against the model's
``TRANSITIONS`` (``ApplicationError`` code ``illegal_transition`` otherwise), refuses bad input
with Vietnamese ``ValidationError`` messages by field, and writes an access event. Deadlines count
working days with the ``PublicHoliday`` rows (``registry.workdays``).

Facts the law leaves open or that we could not verify are configuration, not code:
``settings.REGISTRY_SUPERVISION`` overrides ``DEFAULTS`` below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, validation
from registry.audit import audit_record, change_record
from registry.errors import ApplicationError
from registry.models import (
    AdministrativeUnit,
    Agency,
    Case,
    CaseMilestone,
    Referral,
    Role,
    User,
)
from registry.models.access import AccessEvent
from registry.models.supervision import (
    DetentionPeriod,
    EndOfManagement,
    Helper,
    HelperAssignment,
    HelperReport,
    QuarterlyGroup,
    ReportingFailure,
    Transfer,
    quarter_label,
)
from registry.models.transitions import illegal_transition
from registry.services.notifications import members_of, notify
from registry.workdays import add_working_days, holidays_between, is_working_day

A = AccessEvent.Action

DEFAULTS: dict[str, Any] = {
    # Art. 10(2): the chair decides within 3 working days of the reception meeting.
    "helper_decision_working_days": 3,
    # Art. 10(4): HCD-08 in the first 5 days of the quarter's first month.
    "helper_report_due_day": 5,
    # Art. 15(2): the receiving commune continues management within 5 working days.
    "transfer_working_days": 5,
    # Art. 9(2): HCD-04 goes to the district enforcement body in the Circular's text; district
    # police ended on 01/03/2025 and today's recipient is an inference [unverified].
    "hcd04_recipient": "Công an tỉnh Sơn La (đơn vị quản lý thi hành án hình sự và hỗ trợ tư pháp)",
}


def config(name: str) -> Any:
    return getattr(settings, "REGISTRY_SUPERVISION", {}).get(name, DEFAULTS[name])


# --- quarters -----------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year: int, quarter: int) -> dt.date:
    nxt = quarter_start(year + (quarter == 4), quarter % 4 + 1)
    return nxt - dt.timedelta(days=1)


def helper_report_due(year: int, quarter: int) -> dt.date:
    """HCD-08 on a quarter is due on the configured day of the next quarter's first month."""
    after = quarter_end(year, quarter) + dt.timedelta(days=1)
    return after.replace(day=config("helper_report_due_day"))


def _check_quarter(year: int, quarter: int, field: str = "quarter") -> None:
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise ValidationError({field: _("Chọn quý từ 1 đến 4 của một năm hợp lệ.")})
    if quarter_start(year, quarter) > validation.today():
        raise ValidationError({field: _("Không phân loại, báo cáo cho một quý chưa bắt đầu.")})


# --- shared steps -------------------------------------------------------------------------------


def _not_future(on: dt.date, field: str = "on") -> None:
    if on > validation.today():
        raise ValidationError({field: _("Ngày không được ở tương lai.")})


def _move(obj: Model, *, actor: User, action: str, reason: str = "") -> Any:
    """Lock the row, check ``action`` against its model's TRANSITIONS, set the new status and log
    it; the caller saves the other fields and the status."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    step = model.TRANSITIONS.check(action, locked.status, locked.get_status_display())
    if step.needs_reason and not (reason or "").strip():
        raise ValidationError({"reason": _("Ghi lý do.")})
    change_record(
        actor=actor,
        obj=locked,
        field="status",
        old=locked.status,
        new=step.target,
        reason=(reason or str(step.label))[:500],
    )
    locked.status = step.target
    audit_record(actor=actor, action=A.TRANSITION, objects=[locked])
    return locked


def _open_case(case: Case, what: str, *, statuses: Iterable[str] = (Case.Status.ACTIVE,)) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status not in set(statuses):
        raise illegal_transition(what, locked.get_status_display())
    return locked


def open_detention(case: Case) -> DetentionPeriod | None:
    return case.detentions.filter(status=DetentionPeriod.Status.HELD).first()


# --- helpers (art. 10, HCD-06 / HCD-07) ---------------------------------------------------------


@transaction.atomic
def helper_create(
    *,
    actor: User,
    commune: AdministrativeUnit,
    form: str,
    kind: str,
    name: str,
    phone: str | None = None,
    address: str | None = None,
    relationship: str | None = None,
    position: str | None = None,
) -> Helper:
    """Register an organisation or individual who may help (contact details encrypted)."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("Ghi tên người hoặc tổ chức giúp đỡ.")
    if form not in Helper.Form.values:
        errors["form"] = _("Chọn cá nhân hoặc tổ chức.")
    if kind not in Helper.Kind.values:
        errors["kind"] = _("Chọn loại người giúp đỡ.")
    # Organisations often answer on a landline: the number is kept as written, not normalised.
    phone = (phone or "").strip()
    if errors:
        raise ValidationError(errors)
    helper = Helper(
        commune=commune,
        form=form,
        kind=kind,
        name=name.strip(),
        phone=phone or None,
        address=address or None,
        relationship=relationship or None,
        position=position or None,
        created_by=actor,
    )
    helper.full_clean()
    helper.save()
    audit_record(actor=actor, action=A.CREATE, objects=[helper])
    return helper


def helper_decision_due(case: Case) -> dt.date | None:
    """3 working days after the reception meeting (HCD-05), None before it is recorded."""
    meeting = case.milestones.filter(kind=CaseMilestone.Kind.RECEPTION_MEETING).first()
    if meeting is None:
        return None
    return add_working_days(meeting.date, config("helper_decision_working_days"))


def helper_decisions_due(cases: list[Case]) -> list[tuple[Case, dt.date]]:
    """``helper_decision_due`` for many cases annotated with ``meeting_on`` (their reception
    meeting), reading the holidays once: for a worklist."""
    if not cases:
        return []
    days = config("helper_decision_working_days")
    first = min(c.meeting_on for c in cases)  # type: ignore[attr-defined]
    last = max(c.meeting_on for c in cases)  # type: ignore[attr-defined]
    holidays = holidays_between(first, last + dt.timedelta(days=days * 2 + 30))
    found = []
    for case in cases:
        day, left = case.meeting_on, days  # type: ignore[attr-defined]
        while left:
            day += dt.timedelta(days=1)
            if is_working_day(day, holidays):
                left -= 1
        found.append((case, day))
    return found


@transaction.atomic
def helper_propose(
    *,
    actor: User,
    case: Case,
    helper: Helper,
    on: dt.date | None = None,
    supervision_plan: str | None = None,
) -> HelperAssignment:
    """The police propose a helper (HCD-06) after the reception meeting; the chair's decision is
    due 3 working days after the meeting. A new proposal while a helper is active is a change of
    helper: the active one stays until the new one is decided."""
    on = on or validation.today()
    locked = _open_case(case, _("đề xuất người giúp đỡ"))
    meeting = locked.milestones.filter(kind=CaseMilestone.Kind.RECEPTION_MEETING).first()
    if meeting is None:
        raise ApplicationError(
            _("Chưa ghi buổi gặp mặt, cam kết (HCD-05): đề xuất người giúp đỡ sau buổi gặp mặt."),
            extra={"code": "illegal_transition"},
        )
    _not_future(on)
    if on < meeting.date:
        raise ValidationError(
            {"on": _("Ngày đề xuất không được trước buổi gặp mặt (%(date)s).")
             % {"date": meeting.date.strftime("%d/%m/%Y")}}
        )  # fmt: skip
    if locked.helper_assignments.filter(status=HelperAssignment.Status.PROPOSED).exists():
        raise ApplicationError(
            _("Hồ sơ đã có một đề xuất người giúp đỡ đang chờ quyết định."),
            extra={"code": "illegal_transition"},
        )
    if locked.helper_assignments.filter(
        status=HelperAssignment.Status.ACTIVE, helper=helper
    ).exists():
        raise ValidationError({"helper": _("Người này đang được phân công giúp đỡ hồ sơ này.")})
    assignment = HelperAssignment(
        case=locked,
        helper=helper,
        proposed_on=on,
        proposed_by=actor,
        decision_due=add_working_days(meeting.date, config("helper_decision_working_days")),
        supervision_plan=supervision_plan or None,
    )
    assignment.full_clean()
    assignment.save()
    audit_record(actor=actor, action=A.CREATE, objects=[assignment])
    return assignment


@transaction.atomic
def helper_decide(
    *,
    actor: User,
    assignment: HelperAssignment,
    on: dt.date | None = None,
    decision_number: str = "",
    supervision_plan: str | None = None,
) -> HelperAssignment:
    """PROPOSED → ACTIVE: the chair's decision (HCD-07). Ends the helper it replaces and mirrors the
    helper on the case (``Case.helper``, ``helper_assigned_on``, milestone HELPER_ASSIGNED)."""
    on = on or validation.today()
    _not_future(on)
    if on < assignment.proposed_on:
        raise ValidationError({"on": _("Ngày quyết định không được trước ngày đề xuất.")})
    case = _open_case(assignment.case, _("ghi quyết định phân công"))
    locked = _move(assignment, actor=actor, action="decide")
    for old in case.helper_assignments.filter(status=HelperAssignment.Status.ACTIVE):
        _end(old, actor=actor, on=on, code=HelperAssignment.EndReason.REPLACED)
    locked.decided_on, locked.decided_by = on, actor
    locked.decision_number = (decision_number or "").strip()
    if supervision_plan:
        locked.supervision_plan = supervision_plan
    locked.save()
    case.helper, case.helper_assigned_on = str(locked.helper.name), on
    case.version = F("version") + 1
    case.save(update_fields=["helper", "helper_assigned_on", "version", "updated_at"])
    CaseMilestone.objects.update_or_create(
        case=case,
        kind=CaseMilestone.Kind.HELPER_ASSIGNED,
        defaults={"date": on, "recorded_by": actor, "note": decision_number or None},
    )
    return locked


@transaction.atomic
def helper_withdraw(*, actor: User, assignment: HelperAssignment, reason: str) -> HelperAssignment:
    """PROPOSED → WITHDRAWN: the chair did not assign this helper, or the police withdrew."""
    locked = _move(assignment, actor=actor, action="withdraw", reason=reason)
    locked.reason = reason.strip()[:500]
    locked.save()
    return locked


def _end(assignment: HelperAssignment, *, actor: User, on: dt.date, code: str, reason: str = ""):
    locked = _move(assignment, actor=actor, action="end", reason=reason or code)
    locked.ended_on, locked.end_reason = on, code
    locked.reason = (reason or "")[:500]
    locked.save()
    return locked


@transaction.atomic
def helper_end(
    *, actor: User, assignment: HelperAssignment, reason: str, on: dt.date | None = None
) -> HelperAssignment:
    """ACTIVE → ENDED without a successor (the case keeps its history)."""
    on = on or validation.today()
    _not_future(on)
    if assignment.decided_on and on < assignment.decided_on:
        raise ValidationError({"on": _("Ngày thôi không được trước ngày quyết định phân công.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Ghi lý do.")})
    return _end(
        assignment, actor=actor, on=on, code=HelperAssignment.EndReason.OTHER, reason=reason
    )


# --- helper reports and quarterly groups (art. 10(4), 12; HCD-08, HCD-09) ----------------------


@transaction.atomic
def helper_report_record(
    *,
    actor: User,
    case: Case,
    year: int,
    quarter: int,
    received_on: dt.date | None = None,
    summary: str = "",
    suggested_group: str = "",
) -> HelperReport:
    """Record the helper's HCD-08 on a quarter (one per case and quarter)."""
    received_on = received_on or validation.today()
    _check_quarter(year, quarter)
    _not_future(received_on, "received_on")
    locked = _open_case(case, _("ghi báo cáo của người giúp đỡ"))
    assignment = (
        locked.helper_assignments.filter(
            status__in=[HelperAssignment.Status.ACTIVE, HelperAssignment.Status.ENDED],
            decided_on__lte=quarter_end(year, quarter),
        )
        .order_by("-decided_on", "-id")
        .first()
    )
    if assignment is None:
        raise ApplicationError(
            _("Hồ sơ chưa có người giúp đỡ được phân công trong quý này."),
            extra={"code": "illegal_transition"},
        )
    if not (summary or "").strip():
        raise ValidationError({"summary": _("Ghi nội dung báo cáo.")})
    if suggested_group and suggested_group not in Case.Classification.values:
        raise ValidationError({"suggested_group": _("Chọn loại A, B, C hoặc D.")})
    if received_on < quarter_start(year, quarter):
        raise ValidationError({"received_on": _("Ngày nhận không được trước đầu quý báo cáo.")})
    if locked.helper_reports.filter(year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": _("Đã ghi báo cáo của quý này.")})
    report = HelperReport(
        case=locked,
        assignment=assignment,
        year=year,
        quarter=quarter,
        received_on=received_on,
        due_on=helper_report_due(year, quarter),
        summary=summary.strip(),
        suggested_group=suggested_group,
        recorded_by=actor,
    )
    report.full_clean()
    report.save()
    audit_record(actor=actor, action=A.CREATE, objects=[report])
    return report


# The criteria of art. 12, used as the reason when the officer gives none for A or B.
GROUP_CRITERIA = {
    "A": "Chấp hành tốt pháp luật, có việc làm, cuộc sống ổn định (Điều 12).",
    "B": "Chấp hành pháp luật nhưng còn khó khăn về việc làm, đời sống (Điều 12).",
}


def _group_errors(case: Case, group: str, reason: str) -> str | None:
    if group not in Case.Classification.values:
        return _("Chọn loại A, B, C hoặc D.")
    if open_detention(case) is not None and group != "D":
        return _("Người này đang bị tạm giữ, tạm giam hoặc ở cơ sở: chỉ xếp loại D.")
    if group in ("C", "D") and not (reason or "").strip():
        return _("Loại %(group)s cần ghi lý do.") % {"group": group}
    return None


def _group_write(
    case: Case,
    *,
    actor: User,
    year: int,
    quarter: int,
    group: str,
    reason: str,
    on: dt.date,
    report: HelperReport | None = None,
) -> QuarterlyGroup:
    now = timezone.now()
    QuarterlyGroup.objects.filter(
        case=case, year=year, quarter=quarter, superseded_at__isnull=True
    ).update(superseded_at=now)
    row = QuarterlyGroup(
        case=case,
        year=year,
        quarter=quarter,
        group=group,
        reason=(reason or "").strip() or GROUP_CRITERIA.get(group),
        set_on=on,
        set_by=actor,
        helper_report=report or case.helper_reports.filter(year=year, quarter=quarter).first(),
    )
    row.save()
    latest = (
        QuarterlyGroup.objects.filter(case=case, superseded_at__isnull=True)
        .order_by("-year", "-quarter")
        .values_list("year", "quarter")
        .first()
    )
    if latest == (year, quarter):
        Case.objects.filter(pk=case.pk).update(
            classification=group, classified_on=on, version=F("version") + 1
        )
    return row


@transaction.atomic
def group_set(
    *,
    actor: User,
    case: Case,
    year: int,
    quarter: int,
    group: str,
    reason: str = "",
    on: dt.date | None = None,
) -> QuarterlyGroup:
    """Classify one case for one quarter (art. 12). A second classification of the same quarter
    adds a row and supersedes the first; C and D need a reason; only D while detained."""
    on = on or validation.today()
    _check_quarter(year, quarter)
    locked = _open_case(case, _("phân loại"))
    problem = _group_errors(locked, group, reason)
    if problem:
        raise ValidationError({"group": problem})
    row = _group_write(
        locked, actor=actor, year=year, quarter=quarter, group=group, reason=reason, on=on
    )
    audit_record(actor=actor, action=A.CREATE, objects=[row])
    return row


@transaction.atomic
def quarter_classify(
    *,
    actor: User,
    commune: AdministrativeUnit,
    year: int,
    quarter: int,
    rows: list[tuple[Case, str, str]],
) -> int:
    """Classify many cases of one commune for one quarter at once: every row is checked first
    (ValidationError with one message per case uuid), then all are written, or none. A row whose
    group and reason equal the current ones is left alone. Returns how many rows were written."""
    _check_quarter(year, quarter)
    on = validation.today()
    cases = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(pk__in=[case.pk for case, _g, _r in rows])
    }
    held = set(
        DetentionPeriod.objects.filter(
            case_id__in=cases, status=DetentionPeriod.Status.HELD
        ).values_list("case_id", flat=True)
    )
    current = {
        g.case_id: g
        for g in QuarterlyGroup.objects.filter(
            case_id__in=cases, year=year, quarter=quarter, superseded_at__isnull=True
        )
    }
    errors: dict[str, str] = {}
    todo: list[tuple[Case, str, str]] = []
    for given, group, reason in rows:
        case = cases[given.pk]
        if case.commune_id != commune.pk or case.status != Case.Status.ACTIVE:
            errors[str(case.uuid)] = _("Hồ sơ không còn do xã này quản lý.")
            continue
        if not group:
            continue
        if group not in Case.Classification.values:
            errors[str(case.uuid)] = _("Chọn loại A, B, C hoặc D.")
        elif case.pk in held and group != "D":
            errors[str(case.uuid)] = _(
                "Người này đang bị tạm giữ, tạm giam hoặc ở cơ sở: chỉ xếp loại D."
            )
        elif group in ("C", "D") and not (reason or "").strip():
            errors[str(case.uuid)] = _("Loại %(group)s cần ghi lý do.") % {"group": group}
        else:
            old = current.get(case.pk)
            if old is not None and old.group == group and not (reason or "").strip():
                continue
            if old is not None and old.group == group and (old.reason or "") == reason.strip():
                continue
            todo.append((case, group, reason))
    if errors:
        raise ValidationError(errors)
    written = [
        _group_write(
            case, actor=actor, year=year, quarter=quarter, group=group, reason=reason, on=on
        )
        for case, group, reason in todo
    ]
    if written:
        audit_record(
            actor=actor,
            action=A.CREATE,
            objects=written,
            purpose=f"classify {quarter_label(year, quarter)}",
        )
    return len(written)


# --- detention (art. 15(4)) ---------------------------------------------------------------------


@transaction.atomic
def detention_start(
    *,
    actor: User,
    case: Case,
    place_kind: str,
    started_on: dt.date,
    place: str = "",
    note: str | None = None,
) -> DetentionPeriod:
    """Pause management: the person is held. The quarter of ``started_on`` and the current one
    are classified D; the dossier stays with the commune."""
    locked = _open_case(case, _("tạm dừng quản lý"))
    _not_future(started_on, "started_on")
    if place_kind not in DetentionPeriod.PlaceKind.values:
        raise ValidationError({"place_kind": _("Chọn nơi người này bị giữ.")})
    if open_detention(locked) is not None:
        raise ApplicationError(
            _("Hồ sơ đang tạm dừng quản lý."), extra={"code": "illegal_transition"}
        )
    period = DetentionPeriod(
        case=locked,
        place_kind=place_kind,
        place=(place or "").strip(),
        started_on=started_on,
        note=note or None,
        recorded_by=actor,
    )
    period.full_clean()
    period.save()
    reason = f"{period.get_place_kind_display()} {place}".strip() + (f" từ {started_on:%d/%m/%Y}")
    for year, quarter in sorted({quarter_of(started_on), quarter_of(validation.today())}):
        _group_write(
            locked, actor=actor, year=year, quarter=quarter, group="D", reason=reason, on=started_on
        )
    audit_record(actor=actor, action=A.CREATE, objects=[period])
    return period


@transaction.atomic
def detention_end(
    *, actor: User, detention: DetentionPeriod, on: dt.date | None = None
) -> DetentionPeriod:
    """HELD → ENDED: the person is back; management resumes (the next classification is free)."""
    on = on or validation.today()
    _not_future(on)
    if on < detention.started_on:
        raise ValidationError({"on": _("Ngày tiếp tục không được trước ngày tạm dừng.")})
    locked = _move(detention, actor=actor, action="resume")
    locked.ended_on = on
    locked.save()
    return locked


# --- failure to report (art. 9(2)–(3), HCD-04) ----------------------------------------------------


@transaction.atomic
def reporting_failures_open(*, on: dt.date) -> int:
    """The day after the certificate's reporting deadline, a verification task for every case the
    person has not reported to yet (one per case; none if one is open or they report elsewhere).
    The commune's police are notified. Returns how many were opened."""
    cases = list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            status__in=[Case.Status.EXPECTED, Case.Status.AWAITING_ARRIVAL],
            reporting_deadline__lt=on,
        )
        .exclude(
            reporting_failures__status__in=[*ReportingFailure.OPEN, "elsewhere"],
        )
        .exclude(reporting_failures__deadline=F("reporting_deadline"))
        .select_related("commune")
    )
    for case in cases:
        ReportingFailure.objects.create(case=case, deadline=case.reporting_deadline, opened_on=on)
        police = Agency.objects.filter(
            level="commune", kind="police", jurisdiction_id=case.commune_id
        ).first()
        if police is not None:
            notify(
                users=members_of(police.pk),
                text=_("Quá hạn trình diện (%(due)s): cần xác minh một người về %(commune)s.")
                % {"due": case.reporting_deadline.strftime("%d/%m/%Y"), "commune": case.commune},
                url=f"/cases/{case.uuid}/supervision/",
            )
    return len(cases)


@transaction.atomic
def reporting_failure_step(
    *,
    actor: User,
    failure: ReportingFailure,
    action: str,
    on: dt.date | None = None,
    findings: str | None = None,
    summons_appear_by: dt.date | None = None,
    other_commune: AdministrativeUnit | None = None,
) -> ReportingFailure:
    """One step of the verification: ``home_absent`` | ``not_home`` | ``elsewhere`` (after the
    check with the family), ``summon`` (with the date to appear), ``report`` (HCD-04: after the
    summons date passed, or after asking the relatives), ``resolve`` (the person reported)."""
    on = on or validation.today()
    _not_future(on)
    if action not in ReportingFailure.TRANSITIONS:
        raise ValidationError({"action": _("Thao tác không hợp lệ.")})
    errors: dict[str, str] = {}
    if on < failure.deadline:
        errors["on"] = _("Ngày này không được trước hạn trình diện.")
    if action == "summon" and (summons_appear_by is None or summons_appear_by < on):
        errors["summons_appear_by"] = _("Ghi ngày hẹn có mặt, từ ngày triệu tập trở đi.")
    appear_by = failure.summons_appear_by
    if action == "report" and appear_by and on <= appear_by:
        errors["on"] = _(
            "Chỉ báo cáo HCD-04 khi đã quá ngày hẹn có mặt (%(date)s) mà vẫn không đến."
        ) % {"date": appear_by.strftime("%d/%m/%Y")}
    if action == "elsewhere" and (
        other_commune is None or other_commune.pk == failure.case.commune_id
    ):
        errors["other_commune"] = _("Chọn xã, phường nơi người này đã trình diện.")
    if action == "not_home" and not (findings or "").strip():
        errors["findings"] = _("Ghi kết quả xác minh với gia đình, người thân.")
    locked = _move(failure, actor=actor, action=action)
    if errors:
        raise ValidationError(errors)
    if findings:
        locked.findings = "\n".join(filter(None, [locked.findings, findings.strip()]))
    if action in ("home_absent", "not_home", "elsewhere"):
        locked.verified_on = on
    if action == "elsewhere":
        locked.other_commune = other_commune
    if action == "summon":
        locked.summons_on, locked.summons_appear_by = on, summons_appear_by
    if action == "report":
        locked.hcd04_on, locked.hcd04_recipient = on, config("hcd04_recipient")
    if action == "resolve":
        locked.resolved_on = on
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    return locked


def reporting_failure_resolve_on_presentation(*, actor: User, case: Case, on: dt.date) -> None:
    """Called when the person reports: the open verification task is done."""
    for failure in case.reporting_failures.filter(status__in=ReportingFailure.OPEN):
        reporting_failure_step(
            actor=actor, failure=failure, action="resolve", on=max(on, failure.deadline)
        )


# --- transfers (art. 14(1)(b), 15(2)) -------------------------------------------------------------


def _commune_police(unit_id: int) -> Agency | None:
    return Agency.objects.filter(level="commune", kind="police", jurisdiction_id=unit_id).first()


def _may_act_for(actor: User, unit_id: int) -> bool:
    return access.sees_whole_province(actor, "case.transition") or unit_id in access.units_for(
        actor, "case.transition"
    )


@transaction.atomic
def transfer_propose(
    *,
    actor: User,
    case: Case,
    new_address: str,
    to_commune: AdministrativeUnit | None = None,
    on: dt.date | None = None,
    out_of_province: bool = False,
    destination: str = "",
    letter_number: str = "",
    letter_date: dt.date | None = None,
) -> Transfer:
    """The sending commune proposes the move with the new address. Within the province the
    receiving commune must accept within 5 working days; out of the province the transfer letter
    is recorded and the case closed (``Case.CloseReason.MOVED_AWAY``)."""
    on = on or validation.today()
    locked = _open_case(case, _("chuyển nơi cư trú"))
    if not _may_act_for(actor, locked.commune_id):
        raise PermissionDenied(_("Bạn không phụ trách xã, phường đang quản lý hồ sơ này."))
    errors: dict[str, str] = {}
    if on > validation.today():
        errors["on"] = _("Ngày không được ở tương lai.")
    if not (new_address or "").strip():
        errors["new_address"] = _("Ghi địa chỉ nơi ở mới.")
    if out_of_province:
        if not destination.strip():
            errors["destination"] = _("Ghi tỉnh, thành phố nơi đến.")
        if not letter_number.strip():
            errors["letter_number"] = _("Ghi số công văn chuyển hồ sơ.")
        if letter_date is None or letter_date > on:
            errors["letter_date"] = _("Ghi ngày công văn, không sau ngày chuyển.")
    elif (
        to_commune is None
        or to_commune.level != AdministrativeUnit.Level.COMMUNE
        or to_commune.unit_list != AdministrativeUnit.List.Y2025
        or not to_commune.is_valid_on(on)
    ):
        errors["to_commune"] = _("Chọn xã, phường nơi đến (danh mục từ 01/07/2025).")
    elif to_commune.pk == locked.commune_id:
        errors["to_commune"] = _("Xã nơi đến phải khác xã đang quản lý.")
    if errors:
        raise ValidationError(errors)
    if locked.transfers.filter(status=Transfer.Status.PROPOSED).exists():
        raise ApplicationError(
            _("Hồ sơ đã có một đề nghị chuyển đang chờ tiếp nhận."),
            extra={"code": "illegal_transition"},
        )
    transfer = Transfer(
        case=locked,
        from_commune_id=locked.commune_id,
        to_commune=None if out_of_province else to_commune,
        destination=destination.strip() if out_of_province else "",
        new_address=new_address.strip(),
        proposed_on=on,
        proposed_by=actor,
        due_on=None if out_of_province else add_working_days(on, config("transfer_working_days")),
        letter_number=letter_number.strip(),
        letter_date=letter_date,
        status=Transfer.Status.OUT_OF_PROVINCE if out_of_province else Transfer.Status.PROPOSED,
    )
    transfer.full_clean()
    transfer.save()
    audit_record(actor=actor, action=A.CREATE, objects=[transfer])
    if out_of_province:
        from registry.services.cases import case_close

        _end_helpers(locked, actor=actor, on=on, code=HelperAssignment.EndReason.MOVED)
        case_close(actor=actor, case=locked, reason=Case.CloseReason.MOVED_AWAY, on=on)
    else:
        police = _commune_police(to_commune.pk)  # type: ignore[union-attr]
        if police is not None:
            notify(
                users=members_of(police.pk),
                text=_("Đề nghị tiếp nhận quản lý một người chuyển đến, hạn %(due)s.")
                % {"due": transfer.due_on.strftime("%d/%m/%Y")},  # type: ignore[union-attr]
                url="/transfers/",
            )
    return transfer


def _end_helpers(case: Case, *, actor: User, on: dt.date, code: str) -> None:
    for assignment in case.helper_assignments.filter(
        status__in=[HelperAssignment.Status.ACTIVE, HelperAssignment.Status.PROPOSED]
    ):
        if assignment.status == HelperAssignment.Status.ACTIVE:
            _end(assignment, actor=actor, on=on, code=code)
        else:
            withdrawn = _move(assignment, actor=actor, action="withdraw", reason=str(code))
            withdrawn.reason = str(HelperAssignment.EndReason(code).label)
            withdrawn.save()


@transaction.atomic
def transfer_accept(*, actor: User, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """PROPOSED → ACCEPTED by the receiving commune. The case moves with its needs, open referrals
    (their sender becomes the receiving commune's police), notes and milestones; the helper of the
    old commune ends; the accepting officer manages the case. Access follows the commune."""
    on = on or validation.today()
    _not_future(on)
    if not _may_act_for(actor, transfer.to_commune_id):  # type: ignore[arg-type]
        raise PermissionDenied(_("Chỉ xã, phường nơi đến tiếp nhận hồ sơ."))
    if on < transfer.proposed_on:
        raise ValidationError({"on": _("Ngày tiếp nhận không được trước ngày đề nghị.")})
    locked = _move(transfer, actor=actor, action="accept")
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    if case.status == Case.Status.CLOSED:
        raise illegal_transition(_("tiếp nhận"), case.get_status_display())
    locked.decided_on, locked.decided_by = on, actor
    locked.version = F("version") + 1
    locked.save()
    change_record(
        actor=actor,
        obj=case,
        field="commune",
        old=case.commune_id,
        new=locked.to_commune_id,
        reason=str(_("Chuyển nơi cư trú (Điều 15(2) Thông tư 10/2024)")),
    )
    _end_helpers(case, actor=actor, on=on, code=HelperAssignment.EndReason.MOVED)
    police = _commune_police(locked.to_commune_id)  # type: ignore[arg-type]
    if police is not None:
        Referral.objects.filter(need__case=case).exclude(status__in=Referral.TERMINAL).update(
            sender_agency=police
        )
    Case.objects.filter(pk=case.pk).update(
        commune_id=locked.to_commune_id,
        assigned_officer=actor,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    audit_record(actor=actor, action=A.UPDATE, objects=[case], purpose="transfer accepted")
    notify(
        users=[locked.proposed_by],
        text=_("%(commune)s đã tiếp nhận hồ sơ chuyển đi.") % {"commune": locked.to_commune},
        url="/transfers/",
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def transfer_refuse(
    *, actor: User, transfer: Transfer, reason: str, on: dt.date | None = None
) -> Transfer:
    """PROPOSED → REFUSED by the receiving commune (the address could not be verified …): the case
    stays with the sending commune."""
    on = on or validation.today()
    if not _may_act_for(actor, transfer.to_commune_id):  # type: ignore[arg-type]
        raise PermissionDenied(_("Chỉ xã, phường nơi đến trả lời đề nghị."))
    locked = _move(transfer, actor=actor, action="refuse", reason=reason)
    locked.decided_on, locked.decided_by, locked.reason = on, actor, reason.strip()[:500]
    locked.save()
    notify(
        users=[locked.proposed_by],
        text=_("%(commune)s từ chối tiếp nhận: %(reason)s")
        % {"commune": locked.to_commune, "reason": locked.reason},
        url="/transfers/",
    )
    return locked


@transaction.atomic
def transfer_cancel(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """PROPOSED → CANCELLED by the sending commune."""
    if not _may_act_for(actor, transfer.from_commune_id):
        raise PermissionDenied(_("Chỉ xã, phường nơi đi hủy đề nghị."))
    locked = _move(transfer, actor=actor, action="cancel", reason=reason)
    locked.reason = reason.strip()[:500]
    locked.save()
    return locked


@transaction.atomic
def transfers_escalate_overdue(*, on: dt.date) -> int:
    """Tell the provincial police, once, about every transfer still unanswered after its
    5 working days."""
    overdue = list(
        Transfer.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(Transfer.overdue_q(on), escalated_at__isnull=True)
        .select_related("from_commune", "to_commune")
    )
    if not overdue:
        return 0
    chiefs = list(
        User.objects.filter(
            memberships__role=Role.PROVINCIAL_POLICE, memberships__is_active=True, is_active=True
        ).distinct()
    )
    for transfer in overdue:
        notify(
            users=chiefs,
            text=_("Quá hạn tiếp nhận hồ sơ chuyển: %(from)s → %(to)s, hạn %(due)s.")
            % {
                "from": transfer.from_commune,
                "to": transfer.to_commune,
                "due": transfer.due_on.strftime("%d/%m/%Y"),  # type: ignore[union-attr]
            },
            url="/transfers/",
        )
    Transfer.objects.filter(pk__in=[t.pk for t in overdue]).update(escalated_at=timezone.now())
    return len(overdue)


# --- end of management (art. 14; HCD-10 → HCD-11) ------------------------------------------------


@transaction.atomic
def end_propose(
    *,
    actor: User,
    case: Case,
    ground: str,
    on: dt.date | None = None,
    facts: str | None = None,
    basis: str = "",
    reference: str = "",
    reference_date: dt.date | None = None,
) -> EndOfManagement:
    """The police propose ending management (HCD-10) on one ground of art. 14(1). An expungement
    is checked at once as the closing will be (art. 70 date, or art. 71–72 court decision)."""
    from registry.services.cases import case_close_check

    on = on or validation.today()
    locked = _open_case(case, _("đề nghị kết thúc quản lý"), statuses=Case.OPEN)
    if ground not in EndOfManagement.Ground.values:
        raise ValidationError({"ground": _("Chọn căn cứ kết thúc theo Điều 14(1).")})
    case_close_check(
        case=locked,
        reason=ground,
        on=on,
        basis=basis,
        reference=reference,
        reference_date=reference_date,
    )
    if ground != EndOfManagement.Ground.EXPUNGED and not (facts or "").strip():
        raise ValidationError({"facts": _("Ghi căn cứ, tài liệu kèm theo.")})
    if locked.end_proposals.filter(status=EndOfManagement.Status.PROPOSED).exists():
        raise ApplicationError(
            _("Hồ sơ đã có đề nghị kết thúc đang chờ quyết định."),
            extra={"code": "illegal_transition"},
        )
    proposal = EndOfManagement(
        case=locked,
        ground=ground,
        facts=facts or None,
        basis=basis,
        reference=(reference or "").strip(),
        reference_date=reference_date,
        proposed_on=on,
        proposed_by=actor,
    )
    proposal.full_clean()
    proposal.save()
    audit_record(actor=actor, action=A.CREATE, objects=[proposal])
    return proposal


@transaction.atomic
def end_decide(
    *,
    actor: User,
    proposal: EndOfManagement,
    on: dt.date | None = None,
    decision_number: str = "",
) -> EndOfManagement:
    """PROPOSED → DECIDED: the chair's decision (HCD-11) closes the case on the proposal's ground,
    through ``case_close`` (open referrals cancelled, needs withdrawn, expungement milestone)."""
    from registry.services.cases import case_close

    on = on or validation.today()
    if on < proposal.proposed_on:
        raise ValidationError({"on": _("Ngày quyết định không được trước ngày đề nghị.")})
    if not (decision_number or "").strip():
        raise ValidationError({"decision_number": _("Ghi số quyết định của Chủ tịch UBND xã.")})
    locked = _move(proposal, actor=actor, action="decide")
    case = Case.objects.get(pk=locked.case_id)
    _end_helpers(case, actor=actor, on=on, code=HelperAssignment.EndReason.CLOSED)
    case_close(
        actor=actor,
        case=case,
        reason=locked.ground,
        on=on,
        basis=locked.basis,
        reference=locked.reference,
        reference_date=locked.reference_date,
    )
    locked.decided_on, locked.decided_by = on, actor
    locked.decision_number = decision_number.strip()
    locked.save()
    return locked


@transaction.atomic
def end_reject(
    *, actor: User, proposal: EndOfManagement, reason: str, on: dt.date | None = None
) -> EndOfManagement:
    locked = _move(proposal, actor=actor, action="reject", reason=reason)
    locked.decided_on, locked.decided_by = on or validation.today(), actor
    locked.reason = reason.strip()[:500]
    locked.save()
    return locked


@transaction.atomic
def end_withdraw(*, actor: User, proposal: EndOfManagement, reason: str) -> EndOfManagement:
    locked = _move(proposal, actor=actor, action="withdraw", reason=reason)
    locked.reason = reason.strip()[:500]
    locked.save()
    return locked
