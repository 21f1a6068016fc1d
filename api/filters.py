"""Filters of the list endpoints (django-filter), applied to querysets already scoped by the
access policy. Exact search by national ID or phone goes through the blind indexes."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from registry import validation
from registry.models import Case, CaseNote, Consent, CustodyRecord, Need, Person, Referral


class PersonFilter(django_filters.FilterSet):
    """No national ID or phone here: identifiers never travel in URLs (and so never in access
    logs or proxies). Exact search by them is ``POST /api/v1/people/search/``."""

    name = django_filters.CharFilter(method="by_name", label="Họ tên (không cần dấu)")
    commune = django_filters.CharFilter(
        field_name="cases__commune__code", label="Mã xã", distinct=True
    )

    class Meta:
        model = Person
        fields = ["gender", "birth_year"]

    def by_name(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(folded_name__contains=validation.fold(value))


class CustodyRecordFilter(django_filters.FilterSet):
    release_date_from = django_filters.DateFilter(field_name="release_date", lookup_expr="gte")
    release_date_to = django_filters.DateFilter(field_name="release_date", lookup_expr="lte")

    class Meta:
        model = CustodyRecord
        fields = ["release_kind"]


class CaseFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="commune__code", label="Mã xã")
    release_date_from = django_filters.DateFilter(
        field_name="custody_record__release_date", lookup_expr="gte"
    )
    release_date_to = django_filters.DateFilter(
        field_name="custody_record__release_date", lookup_expr="lte"
    )
    need_type = django_filters.CharFilter(field_name="needs__need_type__code", distinct=True)

    class Meta:
        model = Case
        fields = ["status", "classification"]


class NeedFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="case__commune__code")
    need_type = django_filters.CharFilter(field_name="need_type__code")

    class Meta:
        model = Need
        fields = ["status", "priority"]


class ReferralFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="need__case__commune__code")
    need_type = django_filters.CharFilter(field_name="need__need_type__code")
    agency = django_filters.CharFilter(field_name="agency__code")
    overdue = django_filters.BooleanFilter(method="by_overdue", label="Quá hạn trả lời")

    class Meta:
        model = Referral
        fields = ["status", "outcome"]

    def by_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Referral.overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class CaseNoteFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case__uuid")

    class Meta:
        model = CaseNote
        fields = ["kind"]


class ConsentFilter(django_filters.FilterSet):
    person = django_filters.UUIDFilter(field_name="person__uuid")

    class Meta:
        model = Consent
        fields = ["purpose", "channel", "status"]
