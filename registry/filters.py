"""Filters of the staff lists (django-filter), shaped by the viewer's field profile: a role sees
only the filters on fields it may read, and a request naming any other filter is refused (400)
rather than silently ignored — a filter on a hidden field would reveal that field, and an ignored
one would log an unrelated list as a search. Identifiers (national ID, phone) are never filters:
they go by POST to the search page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.models import AdministrativeUnit, Agency, Case, NeedType, Referral, User

DUE_CHOICES = [
    ("address_overdue", _("Quá hạn xác minh nơi cư trú")),
    ("visit_due", _("Đến hạn thăm gặp")),
    ("expungement_soon", _("Sắp đủ điều kiện xóa án tích")),
]

# Parameters of a list page that are not filters.
PAGE_PARAMS = {"sort", "after"}


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Trạng thái"), choices=Case.Status.choices, empty_label=_("Tất cả")
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã, phường"),
        queryset=AdministrativeUnit.objects.none(),
        to_field_name="code",
        empty_label=_("Tất cả"),
    )
    classification = django_filters.ChoiceFilter(
        label=_("Phân loại"), choices=Case.Classification.choices, empty_label=_("Tất cả")
    )
    officer = django_filters.ModelChoiceFilter(
        label=_("Cán bộ quản lý"),
        field_name="assigned_officer",
        queryset=User.objects.none(),
        empty_label=_("Tất cả"),
    )
    due = django_filters.ChoiceFilter(
        label=_("Việc đến hạn"), choices=DUE_CHOICES, method="filter_due", empty_label=_("Tất cả")
    )
    need_type = django_filters.ModelChoiceFilter(
        label=_("Có nhu cầu"),
        queryset=NeedType.objects.filter(is_active=True).order_by("ordering"),
        to_field_name="code",
        method="filter_need",
        empty_label=_("Tất cả"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(self, data: Any = None, *, user: User, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        for name in set(self.filters) - allowed_case_filters(user):
            del self.filters[name]
        if "commune" in self.filters:
            self.filters["commune"].queryset = _communes_for(user)
        if "officer" in self.filters:
            self.filters["officer"].queryset = _officers_for(user)

    def filter_due(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        today = timezone.localdate()
        if value == "address_overdue":
            return queryset.filter(status=Case.Status.EXPECTED, address_check_due__lt=today)
        if value == "visit_due":
            due = Q(pk__in=[])
            for group, days in settings.CONTACT_CADENCE_DAYS.items():
                limit = today - dt.timedelta(days=int(days))
                due |= Q(classification=group) & (
                    Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=limit)
                )
            return queryset.filter(due, status=Case.Status.ACTIVE)
        horizon = today + dt.timedelta(days=settings.EXPUNGEMENT_LOOKAHEAD_DAYS)
        return queryset.filter(
            status=Case.Status.ACTIVE,
            expungement_eligible_on__range=(today, horizon),
        )

    def filter_need(self, queryset: QuerySet[Case], name: str, value: NeedType) -> QuerySet[Case]:
        open_needs = Case.objects.filter(
            needs__need_type=value, needs__status__in=["identified", "referred"]
        )
        return queryset.filter(pk__in=open_needs.values("pk"))


# Each filter and the field path it reads: a role may use it only if it may read the whole path
# (``access.allowed_params``, the one enforcement of the field profiles).
CASE_FILTER_PATHS = {
    "status": "status",
    "commune": "commune",
    "classification": "classification",
    "officer": "assigned_officer",
    "need_type": "needs__need_type",
}


def allowed_case_filters(user: User) -> set[str]:
    """The case-list filters this user may use: each needs the field it reads in the user's
    profile; the supervision dates (visits due, address checks) are the police's."""
    allowed = access.allowed_params(user, Case, CASE_FILTER_PATHS)
    if all(access.may_read(user, Case, name) for name in ("address_check_due", "last_contact_on")):
        allowed.add("due")
    return allowed


def refused_params(params: Any, filterset: django_filters.FilterSet) -> list[str]:
    """Query parameters that are neither a filter this user may use nor a page parameter."""
    return sorted(set(params) - set(filterset.filters) - PAGE_PARAMS)


def _communes_for(user: User) -> QuerySet[AdministrativeUnit]:
    current = AdministrativeUnit.objects.filter(
        unit_list=AdministrativeUnit.List.Y2025, level=AdministrativeUnit.Level.COMMUNE
    ).order_by("folded_name")
    units = access.units_for(user, "case.view")
    return current.filter(pk__in=units) if units else current


def _officers_for(user: User) -> QuerySet[User]:
    units = access.units_for(user, "case.view")
    officers = User.objects.filter(
        memberships__role="commune_police", memberships__is_active=True, is_active=True
    )
    if units:
        officers = officers.filter(memberships__units__in=units)
    return officers.distinct().order_by("last_name", "first_name", "username")


# --- the agencies' inbox -------------------------------------------------------------------------

# How many days before its deadline a new referral counts as "due soon".
DUE_SOON_DAYS = 3
INBOX_VIEWS = [
    ("new", _("Mới, chưa trả lời")),
    ("due_soon", _("Sắp đến hạn trả lời")),
    ("overdue", _("Quá hạn trả lời")),
    ("in_progress", _("Đang thực hiện")),
    ("finished", _("Đã kết thúc")),
]


class ReferralInboxFilter(django_filters.FilterSet):
    """The agency's referrals by where they stand; without a choice, every open referral. Only
    the referral's own fields and the need type: nothing of the police's supervision."""

    view = django_filters.ChoiceFilter(
        label=_("Xem"), choices=INBOX_VIEWS, method="filter_view", empty_label=_("Đang mở")
    )
    need_type = django_filters.ModelChoiceFilter(
        label=_("Nhu cầu"),
        field_name="need__need_type",
        queryset=NeedType.objects.filter(is_active=True).order_by("ordering"),
        to_field_name="code",
        empty_label=_("Tất cả"),
    )

    class Meta:
        model = Referral
        fields: list[str] = []

    def __init__(self, data: Any = None, *, today: dt.date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.today = today

    @property
    def qs(self) -> QuerySet[Referral]:
        rows = super().qs
        if (
            not self.form.is_bound
            or not self.form.is_valid()
            or not self.form.cleaned_data.get("view")
        ):
            rows = rows.exclude(status__in=Referral.TERMINAL)
        return rows

    def filter_view(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        status = Referral.Status
        new = queryset.filter(status=status.REQUESTED)
        if value == "new":
            return new
        if value == "due_soon":
            soon = self.today + dt.timedelta(days=DUE_SOON_DAYS)
            return new.filter(response_due__gte=self.today, response_due__lte=soon)
        if value == "overdue":
            return new.filter(response_due__lt=self.today)
        if value == "in_progress":
            return queryset.filter(status__in=[status.ACCEPTED, status.IN_PROGRESS, status.ON_HOLD])
        return queryset.filter(status__in=Referral.TERMINAL)


class OverdueFilter(django_filters.FilterSet):
    """The provincial police's overdue list by receiving agency and commune."""

    agency = django_filters.ModelChoiceFilter(
        label=_("Cơ quan nhận"),
        queryset=Agency.objects.filter(need_types__isnull=False).distinct().order_by("name"),
        to_field_name="code",
        empty_label=_("Tất cả"),
    )
    commune = django_filters.ModelChoiceFilter(
        label=_("Xã, phường"),
        field_name="need__case__commune",
        queryset=AdministrativeUnit.objects.filter(
            unit_list=AdministrativeUnit.List.Y2025, level=AdministrativeUnit.Level.COMMUNE
        ).order_by("folded_name"),
        to_field_name="code",
        empty_label=_("Tất cả"),
    )

    class Meta:
        model = Referral
        fields: list[str] = []
