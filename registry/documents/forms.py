"""What each HCD form is filled with: one context provider per form.

A case form's provider reads the case, its person, custody record and milestones as the viewer's
field profile allows (a field the viewer may not read prints as a blank), then the supervision
workflow's rows (``registry.models.supervision``: HCD-04 failure to report, HCD-06/07 helper
assignment, HCD-08 helper report, HCD-10/11 end of management; HCD-09 the quarter's groups) read
in the viewer's scope, then takes the ``extra`` values passed in over both. Any field with no data
prints as ``BLANK``, a dotted line to fill in by hand, so that every form can be printed at any
step. The keys each form reads beyond the common ones are listed in ``FormSpec.extra_fields``;
``dossier(case, viewer)`` counts a form present once its workflow row is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from registry import access
from registry.models import (
    AdministrativeUnit,
    Case,
    CaseMilestone,
    CustodyRecord,
    FormCode,
    Person,
    ReportingRule,
    User,
)
from registry.models.supervision import (
    EndOfManagement,
    HelperAssignment,
    HelperReport,
    ReportingFailure,
)
from registry.models.supervision import quarter_label as label_of_quarter

BLANK = "............"
PROVINCE = "Sơn La"
# Today's recipient when no dated rule says otherwise (LAW.md §2.6: district police ended on
# 01/03/2025; the provincial police's enforcement unit presumably receives, unconfirmed).
DEFAULT_RECIPIENT = "Công an tỉnh Sơn La (Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp)"

COMMON_FIELDS = (
    "title", "number", "place_date", "commune", "commune_upper", "province", "province_upper",
    "recipient", "signer_1", "signer_2",
)  # fmt: skip
PERSON_FIELDS = (
    "person_name", "gender", "birth", "national_id", "ethnicity", "address", "phone",
    "family_contact",
)  # fmt: skip
SENTENCE_FIELDS = (
    "offence", "judgment", "court", "sentence", "prison", "release_kind", "release_date",
    "certificate", "additional_penalties", "civil_obligations", "expungement_date",
)  # fmt: skip
CASE_FIELDS = (
    "officer", "helper_name", "helper_assigned_on", "group", "reporting_deadline", "notice_on",
    "address_checked_on", "presented_on", "reception_on", "dossier_opened_on", "closed_on",
    "end_ground", "end_basis",
)  # fmt: skip


def text(value: Any) -> str:
    """A value as the document prints it: dates dd/mm/yyyy, nothing as a blank."""
    if value is None or value == "":
        return BLANK
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def place_date(commune: AdministrativeUnit | None, on: dt.date) -> str:
    place = commune.name if commune is not None else PROVINCE
    return f"{place}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def recipient_on(on: dt.date, form: str = "HCD-12") -> str:
    """The body that receives the commune police's reports on ``on`` (dated, editable data)."""
    rule = (
        ReportingRule.objects.filter(ReportingRule.valid_on_q(on), form=form)
        .order_by("-valid_from")
        .first()
    )
    return rule.recipient if rule is not None else DEFAULT_RECIPIENT


def common(commune: AdministrativeUnit | None, on: dt.date) -> dict[str, str]:
    name = commune.full_name if commune is not None else f"tỉnh {PROVINCE}"
    return {
        "number": BLANK,
        "place_date": place_date(commune, on),
        "commune": name,
        "commune_upper": name.upper(),
        "province": PROVINCE,
        "province_upper": PROVINCE.upper(),
        "recipient": recipient_on(on),
        "signer_1": "",
        "signer_2": "",
    }


def _readable(viewer: User, model: type, obj: Any, name: str) -> Any:
    if obj is None or not access.may_read(viewer, model, name):
        return None
    return getattr(obj, name)


def case_facts(case: Case, viewer: User) -> dict[str, str]:
    """The person, sentence and case fields as the viewer may read them."""
    person, record = case.person, case.custody_record

    def p(name: str) -> Any:
        return _readable(viewer, Person, person, name)

    def c(name: str) -> Any:
        return _readable(viewer, CustodyRecord, record, name)

    def k(name: str) -> Any:
        return _readable(viewer, Case, case, name)

    gender = person.get_gender_display() if p("gender") else None
    months = c("sentence_months")
    penalty = c("main_penalty")
    penalties = dict(CustodyRecord.PenaltyKind.choices)
    sentence = " ".join(
        filter(
            None, [str(penalties.get(penalty, penalty or "")), f"{months} tháng" if months else ""]
        )
    )
    judgment = None
    if c("judgment_number"):
        judgment = c("judgment_number") + (
            f" ngày {c('judgment_date'):%d/%m/%Y}" if c("judgment_date") else ""
        )
    milestones: dict[str, CaseMilestone] = {}
    if access.may_read(viewer, Case, "milestones") or access.may_read(viewer, Case, "status"):
        milestones = {m.kind: m for m in case.milestones.all()}
    K = CaseMilestone.Kind  # noqa: N806
    expunged = milestones.get(K.EXPUNGED)
    officer = k("assigned_officer")
    facts: dict[str, Any] = {
        "person_name": p("full_name"),
        "gender": gender,
        "birth": p("date_of_birth") or p("birth_year"),
        "national_id": p("national_id"),
        "ethnicity": p("ethnicity"),
        "address": p("address"),
        "phone": p("phone"),
        "family_contact": p("family_contact"),
        "offence": c("offence"),
        "judgment": judgment,
        "court": c("court"),
        "sentence": sentence,
        "prison": c("prison"),
        "release_kind": record.get_release_kind_display() if c("release_kind") else None,
        "release_date": c("release_date"),
        "certificate": c("certificate_number"),
        "additional_penalties": c("additional_penalties"),
        "civil_obligations": c("civil_obligations"),
        "expungement_date": c("expungement_eligible_date"),
        "officer": (officer.get_full_name() or officer.get_username()) if officer else None,
        "helper_name": k("helper"),
        "helper_assigned_on": k("helper_assigned_on"),
        "group": k("classification"),
        "reporting_deadline": k("reporting_deadline"),
        "closed_on": k("closed_on"),
        "end_ground": case.get_close_reason_display() if k("close_reason") else None,
        "end_basis": expunged.note if expunged is not None else None,
    }
    for key, kind in (
        ("notice_on", K.NOTICE_RECEIVED),
        ("address_checked_on", K.ADDRESS_VERIFIED),
        ("presented_on", K.PRESENTED),
        ("reception_on", K.RECEPTION_MEETING),
        ("dossier_opened_on", K.DOSSIER_OPENED),
    ):
        facts[key] = milestones[kind].date if kind in milestones else None
    return {key: text(value) for key, value in facts.items()}


def _merge(context: dict[str, str], extra: Mapping[str, Any] | None, keys: tuple[str, ...]) -> dict:
    """``extra``'s values over the context's; the form's own fields default to a blank."""
    for key in keys:
        context.setdefault(key, BLANK)
    for key, value in (extra or {}).items():
        context[key] = value if key in ("rows", "figures") else text(value)
    return context


def case_provider(extra_fields: tuple[str, ...] = ()) -> Callable[..., dict[str, Any]]:
    def provide(
        case: Case, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        context = {**common(case.commune, on), **case_facts(case, viewer)}
        return _merge(context, extra, extra_fields)

    return provide


# --- the supervision workflow's data (registry.models.supervision) ------------------------------
# Rows are read through ``access.supervision_rows_for_user`` (the viewer's scope: no row for a role
# without ``supervision.view``). A value prints only if the viewer may read the case field it stands
# for — the helper as ``Case.helper``, the helper's dates as ``Case.helper_assigned_on``, a group as
# ``Case.classification``, the end of management as ``Case.close_reason`` (ground and basis) and
# ``Case.status`` (dates, decision) — and the helper's reports and the failure to report only for
# the roles the supervision tab shows them to (``note.view``). Encrypted fields decrypt on access.
Values = dict[str, Any]


def _rows(viewer: User, model: type, case: Case) -> Any:
    return access.supervision_rows_for_user(viewer, model).filter(case=case)


def _first(rows: list[Any], *statuses: str) -> Any:
    """The first row in one of ``statuses`` (in that order of preference), else the latest."""
    for status in statuses:
        for row in rows:
            if row.status == status:
                return row
    return rows[0] if rows else None


def _helper_values(assignment: HelperAssignment | None, viewer: User) -> Values:
    if assignment is None:
        return {}
    values: Values = {}
    if access.may_read(viewer, Case, "helper"):
        helper = assignment.helper
        detail = helper.relationship or helper.position
        values.update(
            helper_name=helper.name,
            helper_kind=f"{helper.get_kind_display()}" + (f", {detail}" if detail else ""),
            helper_contact="; ".join(str(x) for x in (helper.address, helper.phone) if x) or None,
        )
    if access.may_read(viewer, Case, "helper_assigned_on"):
        values.update(
            proposed_on=assignment.proposed_on,
            decided_on=assignment.decided_on,
            decision_number=assignment.decision_number or None,
            helper_assigned_on=assignment.decided_on,
        )
    return values


def helper_proposal_values(case: Case, viewer: User) -> Values:
    """HCD-06: the pending proposal, else the active helper's, else the latest."""
    S = HelperAssignment.Status  # noqa: N806
    rows = list(_rows(viewer, HelperAssignment, case).select_related("helper"))
    return _helper_values(_first(rows, S.PROPOSED, S.ACTIVE), viewer)


def helper_decision_values(case: Case, viewer: User) -> Values:
    """HCD-07: the active helper's decision, else the proposal awaiting it, else the latest."""
    S = HelperAssignment.Status  # noqa: N806
    rows = list(_rows(viewer, HelperAssignment, case).select_related("helper"))
    values = _helper_values(_first(rows, S.ACTIVE, S.PROPOSED), viewer)
    if "decision_number" in values:
        values["number"] = values["decision_number"]
    return values


def helper_report_values(case: Case, viewer: User) -> Values:
    """HCD-08: the latest quarter's report of the helper."""
    if not access.has(viewer, "note.view"):
        return {}
    report = _rows(viewer, HelperReport, case).select_related("assignment__helper").first()
    if report is None:
        return {}
    values = _helper_values(report.assignment, viewer)
    values.update(
        quarter=label_of_quarter(report.year, report.quarter),
        report_content=report.summary,
        received_on=report.received_on,
    )
    if access.may_read(viewer, Case, "classification"):
        values["group"] = report.suggested_group or None
    return values


def _failure_values(case: Case, viewer: User) -> Values:
    """HCD-04: the open failure to report, else the latest; which branch of art. 9(2) it took."""
    if not access.has(viewer, "note.view"):
        return {}
    rows = list(_rows(viewer, ReportingFailure, case).select_related("other_commune"))
    failure = next(
        (f for f in rows if f.status in ReportingFailure.OPEN), rows[0] if rows else None
    )
    if failure is None:
        return {}
    S = ReportingFailure.Status  # noqa: N806
    deadline = f"{failure.deadline:%d/%m/%Y}"
    kind = None
    if failure.status == S.ELSEWHERE:
        place = failure.other_commune.full_name if failure.other_commune else BLANK
        kind = f"trình diện tại {place} (khoản 3 Điều 9)"
    elif failure.status == S.RESOLVED:
        kind = f"đã trình diện ngày {text(failure.resolved_on)}"
    elif failure.summons_on or failure.status in (S.HOME_ABSENT, S.SUMMONED):
        kind = f"có mặt ở nơi cư trú nhưng không trình diện theo hạn ngày {deadline}"
    elif failure.status in (S.NOT_HOME, S.REPORTED):
        kind = f"không có mặt ở nơi cư trú, không trình diện theo hạn ngày {deadline}"
    measures = []
    if failure.verified_on:
        measures.append(f"xác minh ngày {text(failure.verified_on)}")
    if failure.findings:
        measures.append(f"kết quả xác minh: {failure.findings}")
    if failure.summons_on:
        measures.append(
            f"triệu tập ngày {text(failure.summons_on)}, hẹn có mặt ngày "
            f"{text(failure.summons_appear_by)}"
        )
    values: Values = {
        "summons_on": failure.summons_on,
        "summons_appear_by": failure.summons_appear_by,
        "hcd04_on": failure.hcd04_on,
        "failure_status": failure.get_status_display(),
        "measures": "; ".join(measures) or None,
    }
    if kind:
        values["failure_kind"] = kind
    if failure.hcd04_recipient:
        values["recipient"] = failure.hcd04_recipient
    return values


def _end_values(case: Case, viewer: User, *, decision: bool) -> Values:
    from registry.services.cases import EXPUNGEMENT_BASES

    S = EndOfManagement.Status  # noqa: N806
    rows = list(_rows(viewer, EndOfManagement, case))
    end = _first(rows, S.DECIDED, S.PROPOSED) if decision else _first(rows, S.PROPOSED, S.DECIDED)
    if end is None:
        return {}
    values: Values = {}
    if access.may_read(viewer, Case, "close_reason"):
        reference = " ".join(
            filter(
                None,
                [
                    f"số {end.reference}" if end.reference else "",
                    f"ngày {end.reference_date:%d/%m/%Y}" if end.reference_date else "",
                ],
            )
        )
        basis = EXPUNGEMENT_BASES.get(end.basis)
        values.update(
            end_ground=end.get_ground_display(),
            end_basis="; ".join(str(x) for x in (basis, reference, end.facts) if x) or None,
            end_reference=reference or None,
        )
    if access.may_read(viewer, Case, "status"):
        values.update(
            proposed_on=end.proposed_on,
            decided_on=end.decided_on,
            decision_number=end.decision_number or None,
        )
        if decision:
            values["number"] = end.decision_number or None
            if end.decided_on:
                values["closed_on"] = end.decided_on
    return values


def end_proposal_values(case: Case, viewer: User) -> Values:
    return _end_values(case, viewer, decision=False)


def end_decision_values(case: Case, viewer: User) -> Values:
    return _end_values(case, viewer, decision=True)


def workflow_provider(
    extra_fields: tuple[str, ...], values: Callable[[Case, User], Values]
) -> Callable[..., dict[str, Any]]:
    """A case form filled from the workflow's rows; the caller's ``extra`` still wins."""

    def provide(
        case: Case, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        return case_provider(extra_fields)(
            case, viewer, on, {**values(case, viewer), **(extra or {})}
        )

    return provide


def supervision_marks(case: Case, viewer: User) -> set[str]:
    """Which workflow forms the case's rows record, as ``form:HCD-nn`` marks for ``presence``."""
    A = HelperAssignment.Status  # noqa: N806
    E = EndOfManagement.Status  # noqa: N806
    assignments = _rows(viewer, HelperAssignment, case)
    ends = _rows(viewer, EndOfManagement, case)
    marks = {
        "form:HCD-04": _rows(viewer, ReportingFailure, case).filter(hcd04_on__isnull=False),
        "form:HCD-06": assignments.exclude(status=A.WITHDRAWN),
        "form:HCD-07": assignments.filter(decided_on__isnull=False),
        "form:HCD-08": _rows(viewer, HelperReport, case),
        "form:HCD-10": ends.filter(status__in=[E.PROPOSED, E.DECIDED]),
        "form:HCD-11": ends.filter(status=E.DECIDED),
    }
    return {mark for mark, rows in marks.items() if rows.exists()}


def _hcd04(case: Case, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None) -> dict:
    workflow = _failure_values(case, viewer)
    context = case_provider(HCD04_FIELDS)(case, viewer, on, {**workflow, **(extra or {})})
    if (
        not (extra or {}).get("failure_kind")
        and "failure_kind" not in workflow
        and case.reporting_deadline
    ):
        presented = case.milestones.filter(kind=CaseMilestone.Kind.PRESENTED).exists()
        if not presented and case.reporting_deadline < on:
            context["failure_kind"] = (
                f"đến ngày {on:%d/%m/%Y} chưa trình diện dù đã quá hạn ngày "
                f"{case.reporting_deadline:%d/%m/%Y}"
            )
    return context


def quarter_label(on: dt.date) -> str:
    return f"Quý {(on.month - 1) // 3 + 1}/{on.year}"


def quarter_cases(
    commune: AdministrativeUnit, viewer: User, year: int, quarter: int
) -> tuple[Any, dict[int, Any]]:
    """HCD-09's cases in the viewer's scope: the commune's active cases and those with a group for
    the quarter, with each case's current group row of the quarter (``quarter_groups_for_user``)."""
    groups = {
        g.case_id: g
        for g in access.quarter_groups_for_user(
            viewer, commune_id=commune.pk, year=year, quarter=quarter
        )
    }
    cases = (
        access.case_list_for_user(viewer)
        .filter(commune=commune)
        .filter(Q(status=Case.Status.ACTIVE) | Q(pk__in=list(groups)))
        .order_by("person__folded_name", "id")
    )
    return cases, groups


def commune_list(
    commune: AdministrativeUnit, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """HCD-09: the commune's cases by group for a quarter (``extra['year']`` and
    ``extra['quarter_number']``, else the quarter of ``on``): the group and reason of the case's
    current ``QuarterlyGroup`` row of that quarter, else its ``Case.classification`` and a blank.
    ``extra['rows']`` (number, name, birth_year, address, group, reason) replaces the rows."""
    extra = dict(extra or {})
    year = int(extra.pop("year", None) or on.year)
    number = int(extra.pop("quarter_number", None) or (on.month - 1) // 3 + 1)
    context: dict[str, Any] = {**common(commune, on), "quarter": label_of_quarter(year, number)}
    rows = extra.get("rows")
    if rows is None:
        cases, groups = quarter_cases(commune, viewer, year, number)
        address = access.may_read(viewer, Person, "address")
        classified = access.may_read(viewer, Case, "classification")
        rows = []
        for index, case in enumerate(cases, start=1):
            row = groups.get(case.pk)
            group = (row.group if row else case.classification) if classified else None
            rows.append(
                {
                    "number": index,
                    "name": case.person.full_name,
                    "birth_year": text(case.person.birth_year),
                    "address": text(case.person.address if address else None),
                    "group": group or BLANK,
                    "reason": text(row.reason if row and classified else None),
                }
            )
    context["rows"] = rows
    groups_printed = [row["group"] for row in rows]
    context.update(
        total=str(len(rows)),
        **{f"count_{g.lower()}": str(groups_printed.count(g)) for g in "ABCD"},
    )
    return _merge(context, {k: v for k, v in extra.items() if k != "rows"}, ())


def periodic(
    commune: AdministrativeUnit | None,
    viewer: User,
    on: dt.date,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """HCD-12 and HCD-13: ``extra`` carries ``figures`` (label, value) and the period's labels
    (``registry.documents.periodic``)."""
    context: dict[str, Any] = common(commune, on)
    figures = (extra or {}).get("figures") or []
    context["rows"] = [
        {"number": index, "label": label, "value": text(value)}
        for index, (label, value) in enumerate(figures, start=1)
    ]
    return _merge(
        context,
        {k: v for k, v in (extra or {}).items() if k != "figures"},
        ("period", "period_start", "period_end", "assessment", "proposals"),
    )


# --- which forms a case's dossier holds, and whether each is there -----------------------------
PRESENT, MISSING, NOT_NEEDED = "present", "missing", "not_needed"


def _active_needs(test: Callable[[Case, set[str]], bool]) -> Callable[[Case, set[str]], str]:
    def presence(case: Case, kinds: set[str]) -> str:
        if test(case, kinds):
            return PRESENT
        return MISSING if case.status == Case.Status.ACTIVE else NOT_NEEDED

    return presence


def _when_failed(case: Case, kinds: set[str]) -> str:
    overdue = (
        case.status in (Case.Status.EXPECTED, Case.Status.AWAITING_ARRIVAL)
        and case.reporting_deadline is not None
        and case.reporting_deadline < timezone.localdate()
    )
    return MISSING if overdue else NOT_NEEDED


def _when_closed(case: Case, kinds: set[str]) -> str:
    return PRESENT if case.status == Case.Status.CLOSED else NOT_NEEDED


def _hcd04_presence(case: Case, kinds: set[str]) -> str:
    return PRESENT if "form:HCD-04" in kinds else _when_failed(case, kinds)


def _hcd10_presence(case: Case, kinds: set[str]) -> str:
    return PRESENT if "form:HCD-10" in kinds else _when_closed(case, kinds)


def _hcd11_presence(case: Case, kinds: set[str]) -> str:
    if "form:HCD-11" in kinds:
        return PRESENT
    if "form:HCD-10" in kinds and case.status != Case.Status.CLOSED:
        return MISSING  # proposed, the chair's decision awaited
    return _when_closed(case, kinds)


K = CaseMilestone.Kind


@dataclass(frozen=True)
class FormSpec:
    code: str
    scope: str  # "case": one case's document; "commune": a commune's (or the province's) list
    provider: Callable[..., dict[str, Any]]
    extra_fields: tuple[str, ...] = ()
    # For a case form: given the case and its milestone kinds, PRESENT, MISSING or NOT_NEEDED.
    # ``kinds`` also holds ``form:HCD-nn`` for each form the workflow's rows record
    # (``supervision_marks``, read in the viewer's scope).
    presence: Callable[[Case, set[str]], str] | None = None

    @property
    def title(self) -> str:
        from registry.documents.defaults import title

        return title(self.code)

    @property
    def label(self) -> str:
        return str(FormCode(self.code).label)


HCD04_FIELDS = ("failure_kind", "summons_on", "summons_appear_by", "hcd04_on", "measures")
DECISION_FIELDS = ("proposed_on", "decided_on", "decision_number")
HELPER_FIELDS = ("helper_kind", "helper_contact", *DECISION_FIELDS)
HCD08_FIELDS = ("quarter", "law_abiding", "livelihood", "report_content", "received_on")
END_FIELDS = ("end_reference", *DECISION_FIELDS)
FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        FormSpec("HCD-01", "case", case_provider(), (), _active_needs(
            lambda c, k: K.DOSSIER_OPENED in k)),
        FormSpec("HCD-02", "case", case_provider(("wishes",)), ("wishes",), _active_needs(
            lambda c, k: K.RECEPTION_MEETING in k)),
        FormSpec(
            "HCD-03", "case", case_provider(("address_finding", "new_address")),
            ("address_finding", "new_address"), lambda c, k: NOT_NEEDED,
        ),
        FormSpec("HCD-04", "case", _hcd04, HCD04_FIELDS, _hcd04_presence),
        FormSpec("HCD-05", "case", case_provider(("wishes",)), ("wishes",), _active_needs(
            lambda c, k: K.RECEPTION_MEETING in k)),
        FormSpec(
            "HCD-06", "case", workflow_provider(HELPER_FIELDS, helper_proposal_values),
            HELPER_FIELDS, _active_needs(
                lambda c, k: "form:HCD-06" in k or bool(c.helper) or K.HELPER_ASSIGNED in k),
        ),
        FormSpec(
            "HCD-07", "case", workflow_provider(HELPER_FIELDS, helper_decision_values),
            HELPER_FIELDS, _active_needs(
                lambda c, k: "form:HCD-07" in k or K.HELPER_ASSIGNED in k),
        ),
        FormSpec(
            "HCD-08", "case",
            workflow_provider(HCD08_FIELDS, helper_report_values),
            (*HCD08_FIELDS, "group"),
            _active_needs(lambda c, k: "form:HCD-08" in k),
        ),
        FormSpec("HCD-09", "commune", commune_list, ("quarter", "rows")),
        FormSpec(
            "HCD-10", "case", workflow_provider(END_FIELDS, end_proposal_values),
            ("end_ground", "end_basis", *END_FIELDS), _hcd10_presence,
        ),
        FormSpec(
            "HCD-11", "case", workflow_provider(END_FIELDS, end_decision_values),
            ("end_ground", "end_basis", *END_FIELDS), _hcd11_presence,
        ),
        FormSpec("HCD-12", "commune", periodic, ("figures", "period", "period_start",
                                                 "period_end")),
        FormSpec("HCD-13", "commune", periodic, ("figures", "period", "period_start",
                                                 "period_end", "assessment", "proposals")),
    )
}  # fmt: skip


def dossier(case: Case, viewer: User | None = None) -> list[tuple[FormSpec, str]]:
    """Each case form with PRESENT, MISSING or NOT_NEEDED for this case; with a ``viewer``, the
    supervision workflow's rows the viewer may see count as well (``supervision_marks``)."""
    kinds = set(case.milestones.values_list("kind", flat=True))
    if viewer is not None:
        kinds |= supervision_marks(case, viewer)
    return [
        (spec, spec.presence(case, kinds))
        for spec in FORMS.values()
        if spec.scope == "case" and spec.presence
    ]
