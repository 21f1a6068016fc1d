"""Worklists: what is waiting for a user today, read through the access policy (every queryset here
is already scoped to the user), and the next deadline of a case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db.models import F, Model, Q, QuerySet

from registry import access
from registry.models import Case, Referral, User
from registry.selectors import shown_only

M = TypeVar("M", bound=Model)


@dataclass
class CommuneWorklist:
    expected_arrivals: QuerySet[Case]  # prison notices: address check due (3 working days)
    visits_due: QuerySet[Case]  # active cases not seen within their group's cadence
    expungements_coming: QuerySet[Case]  # eligible within the look-ahead window
    referrals_waiting: QuerySet[Referral]  # referrals addressed to the user's agency, unanswered


def commune_worklist(*, user: User, on: dt.date) -> CommuneWorklist:
    cases = access.case_list_for_user(user)
    expected = cases.filter(
        status__in=[Case.Status.EXPECTED, Case.Status.AWAITING_ARRIVAL]
    ).order_by("address_check_due", "id")
    due = Q(pk__in=[])
    for group, days in settings.CONTACT_CADENCE_DAYS.items():
        limit = on - dt.timedelta(days=int(days))
        due |= Q(classification=group) & (
            Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=limit)
        )
    visits = (
        cases.filter(status=Case.Status.ACTIVE)
        .filter(due)
        # Never seen first, then the longest unseen.
        .order_by(F("last_contact_on").asc(nulls_first=True), "id")
    )
    horizon = on + dt.timedelta(days=settings.EXPUNGEMENT_LOOKAHEAD_DAYS)
    # The case's copy of its record's date (Case.expungement_eligible_on): a range of one index.
    expungements = cases.filter(
        status=Case.Status.ACTIVE, expungement_eligible_on__range=(on, horizon)
    ).order_by("expungement_eligible_on", "id")
    waiting = (
        access.referral_list_for_user(user)
        .filter(
            agency_id__in=access.agencies_for(user, "referral.view"),
            status=Referral.Status.REQUESTED,
        )
        .order_by("response_due", "id")
    )
    return CommuneWorklist(expected, visits, expungements, waiting)


# The columns a line of the worklist shows (with the person's uuid for the audit row). The scoped
# selector joins whole rows of the case, its person, custody record, commune and two officers:
# at 150 lines, about 850 model instances and 3,600 encrypted-field slots a page, the worklist's
# largest cost (issue 20, docs/performance.md).
LINE_FIELDS = (
    "uuid",
    "status",
    "address_check_due",
    "reporting_deadline",
    "classification",
    "last_contact_on",
    "expungement_eligible_on",
    "person__uuid",
    "person__full_name",
)
# A referral's line: the need, the person's name (and uuid for the audit row), the deadline.
REFERRAL_LINE_FIELDS = (
    "uuid",
    "response_due",
    "need__need_type__name",
    "need__case__person__uuid",
    "need__case__person__full_name",
)
# A row of the case table (registry/tables.py CaseTable) and the keys the case list sorts by.
TABLE_FIELDS = (
    *LINE_FIELDS,
    "created_at",
    "sort_name",
    "person__birth_year",
    "commune__name",
    "commune__folded_name",
    "assigned_officer__username",
    "assigned_officer__first_name",
    "assigned_officer__last_name",
)


def first_rows(queryset: QuerySet[M], count: int, *, fields: tuple[str, ...] = ()) -> list[M]:
    """The first ``count`` rows of a worklist in two steps: the ids alone (the ordering query
    without the joins of the scoped selector, which on a million cases made the planner join every
    custody record before sorting), then those rows with their joins — only ``fields`` if given,
    then by key alone — in the same order."""
    ids = list(queryset.values_list("id", flat=True)[:count])
    if fields:
        # The ids came through the scoped query: their rows are read by key alone, without
        # compiling the scope and the list's conditions a second time (≈ 2 ms a list).
        rows = shown_only(queryset.model._default_manager.filter(pk__in=ids), fields)
    else:
        rows = queryset.filter(id__in=ids)
    found = {row.pk: row for row in rows}
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class Deadline:
    label: str
    day: dt.date


def next_deadline(case: Case, *, today: dt.date, sees_supervision: bool) -> Deadline | None:
    """The next date the commune police must act on for this case: the address check while the
    notice is new, the reporting deadline while the person is awaited, then the next visit its
    group asks for; the expungement date when it comes first. ``sees_supervision`` False (an
    agency's view) gives nothing: those dates are police supervision data."""
    from django.utils.translation import gettext as _

    if not sees_supervision or case.status == Case.Status.CLOSED:
        return None
    if case.status == Case.Status.EXPECTED and case.address_check_due:
        return Deadline(_("Hạn xác minh nơi cư trú"), case.address_check_due)
    if case.status == Case.Status.AWAITING_ARRIVAL and case.reporting_deadline:
        return Deadline(_("Hạn trình diện"), case.reporting_deadline)
    found: list[Deadline] = []
    cadence = settings.CONTACT_CADENCE_DAYS.get(case.classification or "")
    if case.status == Case.Status.ACTIVE and cadence:
        last = case.last_contact_on
        found.append(
            Deadline(
                _("Hạn thăm gặp"),
                last + dt.timedelta(days=int(cadence)) if last else today,
            )
        )
    eligible = case.expungement_eligible_on  # the custody record's date, copied on the case
    if eligible and eligible >= today:
        found.append(Deadline(_("Đủ điều kiện xóa án tích"), eligible))
    return min(found, key=lambda d: d.day) if found else None
