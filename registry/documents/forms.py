"""What each HCD form is filled with: one context provider per form.

A case form's provider reads the case, its person, custody record and milestones as the viewer's
field profile allows (a field the viewer may not read prints as a blank), then takes the
``extra`` values passed in — the data of the supervision workflow (helpers and their reports,
quarterly groups, failure to report, transfers, end of management) — over its own. Any field
with no data prints as ``BLANK``, a dotted line to fill in by hand, so that every form can be
printed at any step.

To wire a workflow model in, pass its values as ``extra``, or replace the form's entry:
``FORMS["HCD-08"] = dataclasses.replace(FORMS["HCD-08"], provider=…, presence=…)`` — a provider
that reads the helper's report and calls ``case_provider(…)(case, viewer, on, extra)``, a presence
that says whether the report of the quarter is recorded. The keys each form reads beyond the
common ones are listed in ``FormSpec.extra_fields``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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


def _hcd04(case: Case, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None) -> dict:
    context = case_provider(HCD04_FIELDS)(case, viewer, on, extra)
    if not (extra or {}).get("failure_kind") and case.reporting_deadline:
        presented = case.milestones.filter(kind=CaseMilestone.Kind.PRESENTED).exists()
        if not presented and case.reporting_deadline < on:
            context["failure_kind"] = (
                f"đến ngày {on:%d/%m/%Y} chưa trình diện dù đã quá hạn ngày "
                f"{case.reporting_deadline:%d/%m/%Y}"
            )
    return context


def quarter_label(on: dt.date) -> str:
    return f"Quý {(on.month - 1) // 3 + 1}/{on.year}"


def commune_list(
    commune: AdministrativeUnit, viewer: User, on: dt.date, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """HCD-09: the commune's active cases by group. ``extra['rows']`` (number, name, birth_year,
    address, group, reason) replaces the rows read here from ``Case.classification`` once the
    quarterly groups are kept as history."""
    context: dict[str, Any] = {**common(commune, on), "quarter": quarter_label(on)}
    rows = (extra or {}).get("rows")
    if rows is None:
        cases = (
            access.case_list_for_user(viewer)
            .filter(commune=commune, status=Case.Status.ACTIVE)
            .order_by("person__folded_name", "id")
        )
        address = access.may_read(viewer, Person, "address")
        rows = [
            {
                "number": index,
                "name": case.person.full_name,
                "birth_year": text(case.person.birth_year),
                "address": text(case.person.address if address else None),
                "group": case.classification or BLANK,
                "reason": BLANK,
            }
            for index, case in enumerate(cases, start=1)
        ]
    context["rows"] = rows
    groups = [row["group"] for row in rows]
    context.update(
        total=str(len(rows)),
        **{f"count_{g.lower()}": str(groups.count(g)) for g in "ABCD"},
    )
    return _merge(context, {k: v for k, v in (extra or {}).items() if k != "rows"}, ())


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


K = CaseMilestone.Kind


@dataclass(frozen=True)
class FormSpec:
    code: str
    scope: str  # "case": one case's document; "commune": a commune's (or the province's) list
    provider: Callable[..., dict[str, Any]]
    extra_fields: tuple[str, ...] = ()
    # For a case form: given the case and its milestone kinds, PRESENT, MISSING or NOT_NEEDED.
    # The supervision workflow replaces these when it records HCD-04, 06, 08 and 10 as data.
    presence: Callable[[Case, set[str]], str] | None = None

    @property
    def title(self) -> str:
        from registry.documents.defaults import title

        return title(self.code)

    @property
    def label(self) -> str:
        return str(FormCode(self.code).label)


HCD04_FIELDS = ("failure_kind", "summons_on", "measures")
HELPER_FIELDS = ("helper_kind", "helper_contact")
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
        FormSpec("HCD-04", "case", _hcd04, HCD04_FIELDS, _when_failed),
        FormSpec("HCD-05", "case", case_provider(("wishes",)), ("wishes",), _active_needs(
            lambda c, k: K.RECEPTION_MEETING in k)),
        FormSpec("HCD-06", "case", case_provider(HELPER_FIELDS), HELPER_FIELDS, _active_needs(
            lambda c, k: bool(c.helper) or K.HELPER_ASSIGNED in k)),
        FormSpec("HCD-07", "case", case_provider(HELPER_FIELDS), HELPER_FIELDS, _active_needs(
            lambda c, k: K.HELPER_ASSIGNED in k)),
        FormSpec(
            "HCD-08", "case",
            case_provider(("quarter", "law_abiding", "livelihood", "report_content")),
            ("quarter", "law_abiding", "livelihood", "report_content", "group"),
            _active_needs(lambda c, k: False),
        ),
        FormSpec("HCD-09", "commune", commune_list, ("quarter", "rows")),
        FormSpec("HCD-10", "case", case_provider(), ("end_ground", "end_basis"), _when_closed),
        FormSpec("HCD-11", "case", case_provider(), ("end_ground", "end_basis"), _when_closed),
        FormSpec("HCD-12", "commune", periodic, ("figures", "period", "period_start",
                                                 "period_end")),
        FormSpec("HCD-13", "commune", periodic, ("figures", "period", "period_start",
                                                 "period_end", "assessment", "proposals")),
    )
}  # fmt: skip


def dossier(case: Case) -> list[tuple[FormSpec, str]]:
    """Each case form with PRESENT, MISSING or NOT_NEEDED for this case."""
    kinds = set(case.milestones.values_list("kind", flat=True))
    return [
        (spec, spec.presence(case, kinds))
        for spec in FORMS.values()
        if spec.scope == "case" and spec.presence
    ]
