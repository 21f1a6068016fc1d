"""Segments: typed filters over the registry, compiled to one SQL query over people.

A segment reaches people with an open case (not closed) who match every filter that is set. The
filters are stored as JSON on ``Segment.filters`` and always read back through
``SegmentFilters.from_json``, which ignores unknown keys and refuses bad values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from registry import validation
from registry.models import Case, Consent, CustodyRecord, Need, Person, Referral
from registry.models.loans import LoanProgramme
from registry.workdays import add_months

OPEN_CASE = ~Q(status=Case.Status.CLOSED)


@dataclass
class SegmentFilters:
    communes: list[int] = field(default_factory=list)  # AdministrativeUnit ids (2025 list)
    need_types: list[str] = field(default_factory=list)  # NeedType codes
    need_statuses: list[str] = field(default_factory=list)
    referral_statuses: list[str] = field(default_factory=list)
    days_since_release_min: int | None = None
    days_since_release_max: int | None = None
    loan_window_open: bool = False
    age_min: int | None = None
    age_max: int | None = None
    gender: str = ""
    consent_channel: str = ""  # "sms" | "zalo": only people who agreed to messages there

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SegmentFilters:
        data = data or {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        filters = cls(**known)
        filters.check()
        return filters

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], "", False)}

    def check(self) -> None:
        errors: dict[str, Any] = {}
        for low, high in (
            ("days_since_release_min", "days_since_release_max"),
            ("age_min", "age_max"),
        ):
            a, b = getattr(self, low), getattr(self, high)
            for name, value in ((low, a), (high, b)):
                if value is not None and (not isinstance(value, int) or value < 0):
                    errors[name] = _("Nhập một số nguyên không âm.")
            if isinstance(a, int) and isinstance(b, int) and a > b:
                errors[high] = _("Giá trị “đến” phải lớn hơn hoặc bằng giá trị “từ”.")
        if self.gender not in ("", *Person.Gender.values):
            errors["gender"] = _("Giới tính không hợp lệ.")
        if self.consent_channel not in ("", *Consent.Channel.values):
            errors["consent_channel"] = _("Kênh không hợp lệ.")
        if errors:
            raise ValidationError(errors)


def segment_people(
    filters: SegmentFilters, *, today: dt.date | None = None, include_closed: bool = False
) -> QuerySet[Person]:
    """The people a segment reaches (unscoped: callers show counts only, or write the outbox).
    ``include_closed`` also counts people whose cases are all closed (the "selected" figure of a
    campaign's explained count)."""
    today = today or validation.today()
    cases = Case.objects.filter(person=OuterRef("pk"))
    if not include_closed:
        cases = cases.filter(OPEN_CASE)
    if filters.communes:
        cases = cases.filter(commune_id__in=filters.communes)
    people = Person.objects.filter(Exists(cases))

    if filters.need_types or filters.need_statuses:
        needs = Need.objects.filter(case__person=OuterRef("pk")).exclude(
            case__status=Case.Status.CLOSED
        )
        if filters.need_types:
            needs = needs.filter(need_type__code__in=filters.need_types)
        if filters.need_statuses:
            needs = needs.filter(status__in=filters.need_statuses)
        people = people.filter(Exists(needs))
    if filters.referral_statuses:
        people = people.filter(
            Exists(
                Referral.objects.filter(
                    need__case__person=OuterRef("pk"), status__in=filters.referral_statuses
                )
            )
        )

    released = CustodyRecord.objects.filter(person=OuterRef("pk"))
    window_years = _loan_window_years(today) if filters.loan_window_open else None
    if filters.days_since_release_min is not None:
        released = released.filter(
            release_date__lte=today - dt.timedelta(days=filters.days_since_release_min)
        )
    if filters.days_since_release_max is not None:
        released = released.filter(
            release_date__gte=today - dt.timedelta(days=filters.days_since_release_max)
        )
    if window_years is not None:
        released = released.filter(
            release_date__gt=add_months(today, -12 * window_years), release_date__lte=today
        )
    if (
        filters.days_since_release_min is not None
        or filters.days_since_release_max is not None
        or window_years is not None
    ):
        people = people.filter(Exists(released))

    if filters.age_min is not None:
        people = people.filter(birth_year__lte=today.year - filters.age_min)
    if filters.age_max is not None:
        people = people.filter(birth_year__gte=today.year - filters.age_max)
    if filters.gender:
        people = people.filter(gender=filters.gender)
    if filters.consent_channel:
        people = people.filter(
            Exists(
                Consent.objects.filter(
                    Q(expires_on__isnull=True) | Q(expires_on__gte=today),
                    person=OuterRef("pk"),
                    purpose=Consent.Purpose.OUTREACH,
                    status=Consent.Status.GIVEN,
                    channel__in=["", filters.consent_channel],
                )
            )
        )
    return people


def _loan_window_years(today: dt.date) -> int:
    programme = (
        LoanProgramme.objects.filter(LoanProgramme.valid_on_q(today))
        .order_by("-valid_from")
        .first()
    )
    return int(programme.window_years) if programme else 5
