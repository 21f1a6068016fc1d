"""The one access policy: which rows and fields each user sees and what they may do.

Every page, admin view, export and API endpoint reads through the ``*_for_user`` selectors here and
checks actions with ``require``. Rows are decided by the user's active memberships (role + units
+ agency) and, after the rules, by explicit per-object grants (django-guardian rows with an
expiry); the visible set starts empty (default deny) and scoping is always SQL. An object outside
the scope answers 404 exactly like a missing one; a visible object with a forbidden action 403.
Columns are decided by ``FIELD_PROFILES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.models import (
    AdministrativeUnit,
    Case,
    CaseNote,
    Consent,
    CustodyRecord,
    Need,
    Person,
    Referral,
    User,
)
from registry.models.access import CaseUserObjectPermission, Membership, Role
from registry.models.cases import INDEX_COPIES
from registry.models.loans import LoanApplication
from registry.models.privacy import DataSubjectRequest
from registry.models.training import Enrollment

M = TypeVar("M", bound=Model)

COMMUNE_ROLES = {Role.COMMUNE_POLICE, Role.COMMUNE_COMMITTEE}
AGENCY_ROLES = {Role.HOME_AFFAIRS, Role.SOCIAL_POLICY_BANK, Role.JUSTICE, Role.RECORDS_UNIT}

# Role → capabilities. "<resource>.<action>" with actions view (list and detail), export, create,
# update and transition; a few named actions beside them.
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COMMUNE_POLICE: frozenset(
        {
            "dsr.view",
            "dsr.manage",
            "dsr.export",
            "case.import",
            "report.view",
            "person.view",
            "person.export",
            "person.create",
            "person.update",
            "custody.view",
            "custody.export",
            "custody.create",
            "case.view",
            "case.export",
            "case.create",
            "case.update",
            "case.transition",
            "need.view",
            "need.export",
            "need.create",
            "need.transition",
            "referral.view",
            "referral.export",
            "referral.create",
            "referral.cancel",
            "note.view",
            "note.export",
            "note.create",
            "consent.view",
            "consent.export",
            "consent.create",
            "consent.transition",
            "loan.view",
            "training.view",
            "message.view",
            "optout.create",
            "zalo.link",
        }
    ),
    Role.COMMUNE_COMMITTEE: frozenset(
        {
            "report.view",
            "person.view",
            "case.view",
            "case.assign_helper",
            "loan.view",
            "loan.confirm_form",
            "need.view",
            "referral.view",
            "referral.act",
        }
    ),
    Role.PROVINCIAL_POLICE: frozenset(
        {
            "dsr.view",
            "dsr.manage",
            "dsr.export",
            "case.import",
            "report.view",
            "person.view",
            "person.export",
            "custody.view",
            "custody.export",
            "case.view",
            "case.export",
            "case.update",
            "need.view",
            "need.export",
            "referral.view",
            "referral.export",
            "note.view",
            "note.export",
            "consent.view",
            "consent.export",
            "case.grant",
            "access.who_viewed",
            "loan.view",
            "training.view",
            "admin.use",
            "message.view",
            "optout.create",
            "zalo.link",
            "content.view",
            "content.approve",
            "campaign.view",
            "campaign.approve",
            "question.answer",
        }
    ),
    Role.HOME_AFFAIRS: frozenset(
        {
            "report.view",
            "person.view",
            "case.view",
            "need.view",
            "referral.view",
            "referral.export",
            "referral.act",
            "training.view",
            "training.manage",
        }
    ),
    Role.SOCIAL_POLICY_BANK: frozenset(
        {
            "report.view",
            "person.view",
            "custody.view",
            "case.view",
            "need.view",
            "referral.view",
            "referral.export",
            "referral.act",
            "loan.view",
            "loan.manage",
        }
    ),
    Role.JUSTICE: frozenset(
        {
            "report.view",
            "person.view",
            "custody.view",
            "case.view",
            "need.view",
            "referral.view",
            "referral.export",
            "referral.act",
            "records.manage",
        }
    ),
    # The police records unit: judicial record certificates from 01/07/2026 (Law 107/2025).
    Role.RECORDS_UNIT: frozenset(
        {
            "report.view",
            "person.view",
            "custody.view",
            "case.view",
            "need.view",
            "referral.view",
            "referral.act",
            "records.manage",
        }
    ),
    # Outreach roles see no personal data: content, segment counts, masked message statuses.
    Role.CONTENT_EDITOR: frozenset({"content.view", "content.edit", "question.answer"}),
    Role.OUTREACH_MANAGER: frozenset(
        {"content.view", "segment.manage", "campaign.view", "campaign.manage", "campaign.launch"}
    ),
    # The auditor (data-protection officer) follows every data-subject request and its deadlines
    # (kind, dates, status), never the person's data.
    Role.AUDITOR: frozenset({"audit.view", "audit.export", "dsr.oversee"}),
}

_ALL = "__all__"
_PERSON_BASICS = ["uuid", "full_name", "gender", "birth_year"]
# What every receiving agency sees of the case, the need and the referral sent to it.
# Never the case's other needs, milestones (address checks, presentation), notes or the
# police's classification: an agency reads a case only through the referral sent to it.
_AGENCY_CASE = ["uuid", "commune", "status"]
_AGENCY_NEED = ["uuid", "case", "need_type", "priority", "status"]
_AGENCY_REFERRAL = [
    "uuid",
    "need",
    "agency",
    "status",
    "outcome",
    "reason",
    "program",
    "note",
    "sent_at",
    "response_due",
    # who to call about it: the referring officer and their agency (issue 15)
    "sent_by",
    "sender_agency",
]
# Role → model → the fields that role may read. Anything not listed is never sent to it.
FIELD_PROFILES: dict[str, dict[type[Model], Any]] = {
    Role.COMMUNE_POLICE: {
        m: _ALL for m in (Person, CustodyRecord, Case, Need, Referral, CaseNote, Consent)
    },
    Role.PROVINCIAL_POLICE: {
        m: _ALL for m in (Person, CustodyRecord, Case, Need, Referral, CaseNote, Consent)
    },
    Role.COMMUNE_COMMITTEE: {
        Person: [*_PERSON_BASICS, "phone", "address"],
        Case: [
            "uuid",
            "commune",
            "status",
            "helper",
            "helper_assigned_on",
            "assigned_officer",
            # relations: what the committee may read (and filter) through a case
            "needs",
            "milestones",
        ],
        Need: ["uuid", "case", "need_type", "priority", "status", "referrals"],
        Referral: [
            "uuid",
            "need",
            "agency",
            "status",
            "outcome",
            "reason",
            "sent_at",
            "response_due",
        ],
    },
    Role.HOME_AFFAIRS: {
        Person: [*_PERSON_BASICS, "phone"],
        Case: _AGENCY_CASE,
        Need: _AGENCY_NEED,
        Referral: _AGENCY_REFERRAL,
    },
    Role.SOCIAL_POLICY_BANK: {
        Person: [*_PERSON_BASICS, "phone", "address"],
        CustodyRecord: [
            "uuid",
            "person",
            "release_date",
            "release_kind",
            "certificate_number",
            "certificate_date",
            "certificate_issuer",
        ],
        Case: _AGENCY_CASE,
        Need: _AGENCY_NEED,
        Referral: _AGENCY_REFERRAL,
    },
    Role.JUSTICE: {
        Person: [*_PERSON_BASICS, "national_id", "date_of_birth", "phone", "address"],
        CustodyRecord: [
            "uuid",
            "person",
            "release_date",
            "release_kind",
            "court",
            "judgment_number",
            "judgment_date",
            "offence",
            "penal_code_articles",
            "expungement_eligible_date",
            "expungement_explanation",
            "obligations_fulfilled",
        ],
        Case: _AGENCY_CASE,
        Need: _AGENCY_NEED,
        Referral: _AGENCY_REFERRAL,
    },
}
# The records unit reads what Justice read for the same certificates.
FIELD_PROFILES[Role.RECORDS_UNIT] = FIELD_PROFILES[Role.JUSTICE]

# Where each model finds the person it is about (for audit rows and "who viewed this person").
PERSON_PATH: dict[type[Model], str] = {
    Person: "",
    CustodyRecord: "person",
    Case: "person",
    Need: "case__person",
    Referral: "need__case__person",
    CaseNote: "case__person",
    Consent: "person",
}


# --- who is this user ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One active membership as the policy needs it: role, agency and communes."""

    role: str
    agency_id: int
    unit_ids: frozenset[int]


def memberships(user: User) -> list[Seat]:
    """The user's active memberships, read in one query once per user object (once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        seats: dict[tuple[str, int], set[int]] = {}
        rows = Membership.objects.filter(user=user, is_active=True).values_list(
            "role", "agency_id", "units"
        )
        for role, agency_id, unit_id in rows:
            units = seats.setdefault((role, agency_id), set())
            if unit_id is not None:
                units.add(unit_id)
        cached = [Seat(role, agency, frozenset(units)) for (role, agency), units in seats.items()]
        user._memberships_cache = cached  # type: ignore[attr-defined]
    return cached


def roles(user: User) -> set[str]:
    if getattr(user, "is_superuser", False):
        return {Role.PROVINCIAL_POLICE}  # operations staff see as the provincial police do
    return {m.role for m in memberships(user)}


def has(user: User, capability: str) -> bool:
    return any(capability in CAPABILITIES.get(role, ()) for role in roles(user))


def require(user: User, capability: str) -> None:
    """PermissionDenied (403) unless one of the user's roles has ``capability``."""
    if not has(user, capability):
        raise PermissionDenied(capability)


def role_label(user: User) -> str:
    return ",".join(sorted(roles(user)))


def role_names(user: User) -> str:
    """The user's roles as staff read them ("Công an xã, UBND xã")."""
    return ", ".join(str(Role(role).label) for role in sorted(roles(user)))


def _units(user: User, wanted: set[str]) -> set[int]:
    return {unit for m in memberships(user) if m.role in wanted for unit in m.unit_ids}


def _agencies(user: User, wanted: set[str]) -> set[int]:
    return {m.agency_id for m in memberships(user) if m.role in wanted}


def units_for(user: User, capability: str) -> set[int]:
    """The communes in which the user's commune roles hold ``capability``."""
    return _units(
        user, {r for r in roles(user) if capability in CAPABILITIES.get(r, ())} & COMMUNE_ROLES
    )


def commune_to_open_case(user: User, code: str) -> AdministrativeUnit | None:
    """The current commune with this code (None if there is none), provided the user opens cases
    there; PermissionDenied for any other commune."""
    unit = AdministrativeUnit.objects.filter(unit_list="2025", level="commune", code=code).first()
    if unit is not None and unit.pk not in units_for(user, "case.create"):
        raise PermissionDenied(_("Bạn không phụ trách xã, phường này."))
    return unit


def agencies_for(user: User, capability: str) -> set[int]:
    """The agencies for which the user's roles hold ``capability``."""
    return _agencies(user, {r for r in roles(user) if capability in CAPABILITIES.get(r, ())})


def granted_cases(user: User) -> QuerySet[CaseUserObjectPermission]:
    """Ids of the cases explicitly granted to the user and not expired, as a subquery."""
    return CaseUserObjectPermission.objects.filter(
        user_id=user.pk, expires_at__gt=timezone.now(), permission__codename="view_case"
    ).values("content_object_id")


# --- rows ----------------------------------------------------------------------------------------


AgencyFilter = Callable[[set[int]], Q]


def _scope(
    user: User, capability: str, case_prefix: str = "", by_agency: AgencyFilter | None = None
) -> Q | None:
    """The condition for rows the user may see with ``capability``; ``case_prefix`` leads from the
    model to its case. None means every row (provincial scope); ``Q(pk__in=[])`` means none."""
    active = {r for r in roles(user) if capability in CAPABILITIES.get(r, ())}
    if Role.PROVINCIAL_POLICE in active:
        return None
    q = Q(pk__in=[])
    units = _units(user, active & COMMUNE_ROLES)
    if units:
        q |= Q(**{f"{case_prefix}commune_id__in": units})
    agencies = _agencies(user, active & AGENCY_ROLES)
    if agencies and by_agency is not None:
        q |= by_agency(agencies)
    # The granted ids are read first and written out (a few at most): as a subquery OR-ed with
    # the commune, they made PostgreSQL scan every case of the province for each list and count
    # (issue 20: 200–400 ms per count at 1,000,000 cases); as literals both sides use an index.
    granted = [row["content_object_id"] for row in granted_cases(user)] if active else []
    if granted:
        q |= Q(**{f"{case_prefix}pk__in": granted})
    return q


def _case_referred_to(agencies: set[int]) -> Q:
    return Q(Exists(Referral.objects.filter(need__case=OuterRef("pk"), agency_id__in=agencies)))


def _need_referred_to(agencies: set[int]) -> Q:
    return Q(Exists(Referral.objects.filter(need=OuterRef("pk"), agency_id__in=agencies)))


def _addressed_to(agencies: set[int]) -> Q:
    return Q(agency_id__in=agencies)


def _scoped(queryset: QuerySet[M], q: Q | None) -> QuerySet[M]:
    return queryset if q is None else queryset.filter(q)


def _about_visible_person(
    queryset: QuerySet[M], user: User, capability: str, person_field: str
) -> QuerySet[M]:
    q = _scope(user, capability, by_agency=_case_referred_to)
    if q is None:
        return queryset
    return queryset.filter(Exists(Case.objects.filter(q, person=OuterRef(person_field))))


def cases_unscoped() -> QuerySet[Case]:
    """Every case with what a list shows; never for a view, only under the policy's filter
    (and as the benchmark's baseline)."""
    return Case.objects.select_related(
        "person", "commune", "custody_record", "assigned_officer", "opened_by"
    )


def case_list_for_user(user: User) -> QuerySet[Case]:
    return _scoped(cases_unscoped(), _scope(user, "case.view", by_agency=_case_referred_to))


def person_list_for_user(user: User) -> QuerySet[Person]:
    return _about_visible_person(Person.objects.all(), user, "person.view", "pk")


def custody_record_list_for_user(user: User) -> QuerySet[CustodyRecord]:
    return _about_visible_person(
        CustodyRecord.objects.select_related("person"), user, "custody.view", "person_id"
    )


def consent_list_for_user(user: User) -> QuerySet[Consent]:
    return _about_visible_person(
        Consent.objects.select_related("person", "agency", "need_type", "recorded_by"),
        user,
        "consent.view",
        "person_id",
    )


def need_list_for_user(user: User) -> QuerySet[Need]:
    """Agencies see the needs referred to them, not the other needs of the same case."""
    return _scoped(
        Need.objects.select_related("need_type", "case__person", "case__commune", "identified_by"),
        _scope(user, "need.view", "case__", by_agency=_need_referred_to),
    )


def referral_list_for_user(user: User) -> QuerySet[Referral]:
    return _scoped(
        Referral.objects.select_related(
            "need__need_type", "need__case__person", "agency", "sender_agency", "sent_by", "consent"
        ),
        _scope(
            user,
            "referral.view",
            "need__case__",
            by_agency=_addressed_to,
        ),
    )


def case_note_list_for_user(user: User) -> QuerySet[CaseNote]:
    return _scoped(
        CaseNote.objects.select_related("case__person", "case__commune", "author"),
        _scope(user, "note.view", "case__"),
    )


LIST_SELECTORS = {
    Person: person_list_for_user,
    CustodyRecord: custody_record_list_for_user,
    Case: case_list_for_user,
    Need: need_list_for_user,
    Referral: referral_list_for_user,
    CaseNote: case_note_list_for_user,
    Consent: consent_list_for_user,
}


def get_for_user(user: User, model: type[M], uuid: UUID | str) -> M:
    """The object if the user may see it, else Http404 — the same answer as for a missing one."""
    try:
        return LIST_SELECTORS[model](user).get(uuid=uuid)
    except (model.DoesNotExist, ValueError, TypeError) as error:  # type: ignore[attr-defined]
        raise Http404 from error


# --- columns -------------------------------------------------------------------------------
# One enforcement of the field profiles for pages, API serializers, filters, ordering, search,
# exports and reports:
#
#   may_read(user, Case, "classification")            one field (or relation) of a model
#   fields_for(user, Case)                            every readable concrete field, in order
#   readable_path(user, Case, "custody_record__release_date")   a filter's or sort's path
#   allowed_params(user, Case, {"release_date_from": "custody_record__release_date", …})
#
# A relation (forward or reverse) is readable only if the profile names it; a path is readable
# only if every step is. ``id``/``pk`` (the keyset order) are always readable.
ALWAYS_READABLE = frozenset({"id", "pk"})


def _profile(user: User, model: type[Model]) -> Any:
    """``_ALL``, or the set of names the user's roles may read of ``model`` (possibly empty)."""
    names: set[str] = set()
    for role in roles(user):
        profile = FIELD_PROFILES.get(role, {}).get(model)
        if profile == _ALL:
            return _ALL
        names.update(profile or ())
    return names


def may_read(user: User, model: type[Model], name: str) -> bool:
    """Whether the user may read field or relation ``name`` of ``model``."""
    if name in ALWAYS_READABLE:
        return True
    profile = _profile(user, model)
    if profile == _ALL:
        return not name.endswith("_index")
    return name in profile


def readable_path(user: User, model: type[Model], path: str) -> bool:
    """Whether every step of a lookup path (``custody_record__release_date__gte``) is readable:
    a filter or sort on it reveals nothing the user may not read."""
    from django.core.exceptions import FieldDoesNotExist

    current: Any = model
    for part in path.split("__"):
        if current is None:
            return True  # a lookup or transform after the last field (gte, code of a unit …)
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return current is not model and part in _LOOKUPS
        if current in _PROFILED and not may_read(user, current, part):
            return False
        related = field.related_model if field.is_relation else None
        current = related if related in _PROFILED else None
    return True


_LOOKUPS = frozenset({"gte", "lte", "gt", "lt", "exact", "in", "contains", "icontains"})


def allowed_params(user: User, model: type[Model], paths: dict[str, str]) -> set[str]:
    """Of ``{parameter: lookup path}``, the parameters the user may filter or sort by."""
    return {name for name, path in paths.items() if readable_path(user, model, path)}


def fields_for(user: User, model: type[Model]) -> list[str]:
    """The model's fields the user may read: the union over their roles, in model order."""
    allowed: set[str] = set()
    every = [
        f.name
        for f in model._meta.concrete_fields
        if f.name != "id" and not f.name.endswith("_index") and f.name not in INDEX_COPIES
    ]
    for role in roles(user):
        profile = FIELD_PROFILES.get(role, {}).get(model)
        if profile == _ALL:
            return every
        allowed.update(profile or ())
    return [name for name in every if name in allowed]


# A list may load the person's uuid as this annotation instead of the chain of PERSON_PATH.
PERSON_UUID = "about_person_uuid"


def person_uuids(objects: Iterable[Model]) -> list[str]:
    """The uuids of the people these objects are about, for the audit row."""
    found: list[str] = []
    for obj in objects:
        if PERSON_UUID in obj.__dict__:
            found.append(str(obj.__dict__[PERSON_UUID]))
            continue
        path = PERSON_PATH.get(type(obj))
        if path is None:
            continue
        target: Any = obj
        for part in filter(None, path.split("__")):
            target = getattr(target, part)
        found.append(str(target.uuid))
    return sorted(set(found))


def loan_list_for_user(user: User) -> QuerySet[LoanApplication]:
    """Loans of the cases the user may see; the bank sees the loans of referrals sent to it."""
    base = LoanApplication.objects.select_related(
        "case__person", "case__commune", "programme", "referral"
    )
    return _scoped(
        base,
        _scope(
            user,
            "loan.view",
            "case__",
            by_agency=lambda agencies: Q(referral__agency_id__in=agencies),
        ),
    )


def enrollment_list_for_user(user: User) -> QuerySet[Enrollment]:
    base = Enrollment.objects.select_related("course__commune", "referral__need__case__person")
    return _scoped(
        base,
        _scope(
            user,
            "training.view",
            "referral__need__case__",
            by_agency=lambda agencies: Q(referral__agency_id__in=agencies),
        ),
    )


LIST_SELECTORS[LoanApplication] = loan_list_for_user
LIST_SELECTORS[Enrollment] = enrollment_list_for_user
PERSON_PATH[LoanApplication] = "case__person"
PERSON_PATH[Enrollment] = "referral__need__case__person"


# --- reports -------------------------------------------------------------------------------------


def _referred_to_via(case_ref: str) -> AgencyFilter:
    def condition(agencies: set[int]) -> Q:
        return Q(
            Exists(Referral.objects.filter(need__case=OuterRef(case_ref), agency_id__in=agencies))
        )

    return condition


def _referral_addressed_to(agencies: set[int]) -> Q:
    return Q(referral__agency_id__in=agencies)


# Model → (path to its case, what an agency role sees of it) for the report figures: the same
# rule as the lists (commune roles their communes, agencies what was referred to them, grants).
REPORT_PATHS: dict[str, tuple[str, AgencyFilter]] = {
    "case": ("", _case_referred_to),
    "casemilestone": ("case__", _referred_to_via("case_id")),
    "need": ("case__", _need_referred_to),
    "referral": ("need__case__", _addressed_to),
    "loanapplication": ("case__", _referral_addressed_to),
    "enrollment": ("referral__need__case__", _referral_addressed_to),
    "jobplacement": ("referral__need__case__", _referral_addressed_to),
    "jobfollowup": (
        "placement__referral__need__case__",
        lambda a: Q(placement__referral__agency_id__in=a),
    ),
    "judicialrecordrequest": ("case__", _referral_addressed_to),
}


def sees_whole_province(user: User, capability: str) -> bool:
    return has(user, capability) and _scope(user, capability) is None


def units_to_import(user: User) -> set[int] | None:
    """Where the user may register imported release notices: None for any commune (provincial
    police), else the communes of their commune police memberships."""
    require(user, "case.import")
    return None if sees_whole_province(user, "case.import") else units_for(user, "case.import")


def report_rows_for_user(user: User, queryset: QuerySet[M]) -> QuerySet[M]:
    """The rows of ``queryset`` whose figures the user may see in a report (``report.view``);
    none for a role without it. The same rule as ``_scope``, shaped for aggregates over large
    tables: the commune and grant part is one subquery of case ids (``case_id IN (…)``) with the
    granted ids read first, so that a commune's report reads that commune's rows through the
    indexes instead of joining every case of the province."""
    case_prefix, by_agency = REPORT_PATHS[queryset.model._meta.model_name]
    active = {r for r in roles(user) if "report.view" in CAPABILITIES.get(r, ())}
    if Role.PROVINCIAL_POLICE in active:
        return queryset
    cases = Q(pk__in=[])
    units = _units(user, active & COMMUNE_ROLES)
    if units:
        cases |= Q(commune_id__in=units)
    granted = [row["content_object_id"] for row in granted_cases(user)] if active else []
    if granted:  # a few ids, written out: the planner then estimates the commune part well
        cases |= Q(pk__in=granted)
    if case_prefix:
        q = Q(**{f"{case_prefix}pk__in": Case.objects.filter(cases).values("pk")})
    else:
        q = cases
    agencies = _agencies(user, active & AGENCY_ROLES)
    if agencies:
        q |= by_agency(agencies)
    return queryset.filter(q)


def data_request_list_for_user(user: User) -> QuerySet[DataSubjectRequest]:
    """Requests about people the user may see (``dsr.view``); every request for ``dsr.oversee``
    (the auditor, whose pages show no personal data)."""
    base = DataSubjectRequest.objects.select_related("person", "rule", "recorded_by")
    if has(user, "dsr.oversee"):
        return base
    return _about_visible_person(base, user, "dsr.view", "person_id")


PERSON_PATH[DataSubjectRequest] = "person"


# Models whose fields the profiles govern; relations to anything else (reference data: units,
# agencies, need types, users) are read by their public key and need no profile.
_PROFILED = frozenset({Person, CustodyRecord, Case, Need, Referral, CaseNote, Consent})


# --- routes ------------------------------------------------------------------------------------
# Every URL name is one or the other; tests/test_route_audit.py walks the URL patterns and fails
# on a route in neither, and on a personal-data route whose read leaves no access event. A refusal
# (401/403/404) on a personal-data route is itself recorded (``audit.audit_denied``).
PERSONAL_DATA_ROUTES = frozenset(
    {
        # API
        "api-people", "api-prison-notice", "api-people-search", "api-person",
        "api-person-update", "api-custody-records", "api-custody-create", "api-custody-record",
        "api-cases", "api-case-create", "api-case", "api-case-milestones", "api-case-action",
        "api-needs", "api-need-create", "api-need", "api-need-withdraw", "api-referrals",
        "api-referral-create", "api-referral", "api-referral-history", "api-referral-action",
        "api-notes", "api-note-create", "api-note", "api-consents", "api-consent-create",
        "api-consent", "api-consent-withdraw",
        # staff pages
        "worklist", "notice-register", "case-timeline", "case-action", "need-refer", "inbox",
        "referral-act", "loans", "loan-detail", "loan-step", "loan-create", "referral-training",
        "enrol", "placement", "enrollment-finish", "judicial-records", "overdue", "follow-ups",
        "import-recheck", "import-commit", "privacy-requests",
        "privacy-request", "privacy-request-new", "subject-json", "subject-pdf",
        "report-xlsx", "report-pdf", "audit-events", "audit-export",
        "case-list", "case-export", "case-page", "case-needs", "case-documents",
        "case-viewers", "case-close", "need-withdraw", "referral-detail", "referral-cancel",
        "consent-withdraw", "search", "outreach-person-messages", "outreach-person-zalo",
        "outreach-console",
        # the agencies' day (issue 15)
        "case-certificate", "loan-edit", "inbox-accept", "legal-aid",
    }
)  # fmt: skip
NO_PERSONAL_DATA_ROUTES: dict[str, str] = {
    "api-agencies": "reference data",
    "api-units": "reference data",
    "api-unit-lookup": "reference data",
    "api-need-types": "reference data",
    "api-schema": "the API's description",
    "api-docs": "the API's description",
    "api-redoc": "the API's description",
    "home": "links only",
    "account-login": "sign-in (audited as login / failed_login)",
    "account-otp": "sign-in second factor",
    "account-logout": "sign-out",
    "import-template": "an empty template",
    "imports": "the user's uploads: file names and counts",
    "import-detail": "row numbers, columns and messages, never values or names",
    "reports": "the form, and figures aggregated within the viewer's scope (downloads audited)",
    "courses": "training courses, no people",
    "notifications": "the user's own notices (text written for them, no record read)",
    "healthz": "probe",
    "readyz": "probe",
    "metrics": "counters without labels of people",
    "hook-twilio-status": "provider callback (signature checked)",
    "hook-twilio-inbound": "provider callback (signature checked)",
    "hook-zalo": "provider callback (signature checked)",
    "hook-gateway-report": "provider callback (per-message token checked, known ids only)",
    "outreach-home": "outreach: counts and content, no people",
    "outreach-content-new": "content library",
    "outreach-content-preview": "content library",
    "outreach-content": "content library",
    "outreach-content-action": "content library",
    "outreach-segment-new": "segments are counts, never names",
    "outreach-segment-count": "segments are counts, never names",
    "outreach-segment": "segments are counts, never names",
    "outreach-campaign-new": "campaigns: counts and statuses",
    "outreach-campaign": "campaigns: counts and statuses",
    "outreach-campaign-action": "campaigns: counts and statuses",
    "outreach-approvals": "content and campaigns awaiting approval",
    "outreach-questions": "questions from the public website, not registry records",
    "outreach-question-action": "questions from the public website, not registry records",
}

# The HCD forms (registry/views/documents.py): a case's forms are personal data; the templates
# and the periodic reports' pages hold figures and dates only (their downloads are audited).
PERSONAL_DATA_ROUTES = PERSONAL_DATA_ROUTES | {"case-dossier", "case-form", "commune-form"}
NO_PERSONAL_DATA_ROUTES.update(
    {
        "document-templates": "the forms' templates: layouts and dates, no record",
        "document-template-file": "a form's template (fields as {{ names }}, no record)",
        "periodic-reports": "a commune's reporting calendar: periods, dates, who sent",
        "periodic-report-file": "HCD-12/13 figures within the viewer's scope (download audited)",
        "periodic-report-sent": "records that a report was sent",
        "periodic-submissions": "which communes sent each period's report",
    }
)

# --- the police's legal workflow (Circular 10/2024 art. 9–15) -----------------------------------
from registry.models.supervision import (  # noqa: E402
    DetentionPeriod,
    EndOfManagement,
    Helper,
    HelperAssignment,
    HelperReport,
    QuarterlyGroup,
    ReportingFailure,
    Transfer,
)

for _model in (
    HelperAssignment,
    HelperReport,
    QuarterlyGroup,
    DetentionPeriod,
    ReportingFailure,
    EndOfManagement,
    Transfer,
):
    PERSON_PATH[_model] = "case__person"


def supervision_rows_for_user(user: User, model: type[M]) -> QuerySet[M]:
    """Rows of a supervision model (by its ``case``) the user may see (``supervision.view``): the
    commune roles their communes' cases, the provincial police every case, grants as for cases."""
    return _scoped(model.objects.all(), _scope(user, "supervision.view", "case__"))  # type: ignore[attr-defined]


def helper_list_for_user(user: User) -> QuerySet[Helper]:
    """Helpers registered in the user's communes (police and commune committee)."""
    if sees_whole_province(user, "supervision.view"):
        return Helper.objects.all()
    return Helper.objects.filter(commune_id__in=units_for(user, "supervision.view"))


def transfer_list_for_user(user: User) -> QuerySet[Transfer]:
    """Transfers from or to the user's communes. The sending commune keeps its transfers (who, from
    where to where, when) after the case has left its scope; the receiving commune sees a proposal
    addressed to it before the case is in its scope."""
    base = Transfer.objects.select_related("case__person", "from_commune", "to_commune")
    if sees_whole_province(user, "supervision.view"):
        return base
    units = units_for(user, "supervision.view")
    return base.filter(Q(from_commune_id__in=units) | Q(to_commune_id__in=units))


PERSONAL_DATA_ROUTES |= {
    "case-supervision",
    "case-supervision-action",
    "supervision-work",
    "supervision-quarter",
    "transfers",
    "transfer-act",
}
# Who opens a case's "Giám sát" tab: the police (every step), the commune committee (the chair's
# decisions on helpers and on ending management) and the provincial police (read).
for _role in (Role.COMMUNE_POLICE, Role.COMMUNE_COMMITTEE, Role.PROVINCIAL_POLICE):
    CAPABILITIES[_role] = CAPABILITIES[_role] | {"supervision.view"}


def quarter_groups_for_user(
    user: User, *, commune_id: int, year: int, quarter: int
) -> QuerySet[QuarterlyGroup]:
    """The HCD-09 rows: each case's current group (not superseded) for one quarter in one commune,
    as the user may see them, with the person and the helper report it followed."""
    return (
        supervision_rows_for_user(user, QuarterlyGroup)
        .filter(case__commune_id=commune_id, year=year, quarter=quarter, superseded_at__isnull=True)
        .select_related("case__person", "case__commune", "helper_report", "set_by")
        .order_by("group", "case__person__full_name", "id")
    )
