"""Filters of the list endpoints (django-filter), applied to querysets already scoped by the
access policy. Each filter names the field path it reads (``field_name``); a role may use only the
filters and sorts whose every step its field profile allows (``access.allowed_params``): an
unknown parameter answers 400, a filter or sort outside the role's profile 403 (a well-formed
request the role may not make) — never an ignored filter. Exact search by national ID or phone
is ``POST /api/v1/people/search/`` (identifiers never travel in URLs)."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter

from registry import access, validation
from registry.models import Case, CaseNote, Consent, CustodyRecord, Need, Person, Referral

CODE = r"^[A-Za-z0-9_.-]{0,40}$"


@extend_schema_field({"type": "string", "pattern": CODE})
class CodeFilter(django_filters.CharFilter):
    """A code (commune, need type, agency): letters, digits, ``_.-``. The schema says so and the
    filter refuses anything else with a 400 (a NUL used to pass the schema and fail in Django)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [RegexValidator(CODE)])
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[^\\x00]{0,200}$"})
class TextFilter(django_filters.CharFilter):
    """Free text (a name): anything but NUL (which Django's field refuses), 200 characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


class PersonFilter(django_filters.FilterSet):
    """No national ID or phone here: identifiers never travel in URLs (and so never in access
    logs or proxies). Exact search by them is ``POST /api/v1/people/search/``."""

    name = TextFilter(field_name="full_name", method="by_name", label="Họ tên (không cần dấu)")
    commune = CodeFilter(field_name="cases__commune__code", label="Mã xã", distinct=True)

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
    commune = CodeFilter(field_name="commune__code", label="Mã xã")
    release_date_from = django_filters.DateFilter(
        field_name="custody_record__release_date", lookup_expr="gte"
    )
    release_date_to = django_filters.DateFilter(
        field_name="custody_record__release_date", lookup_expr="lte"
    )
    need_type = CodeFilter(field_name="needs__need_type__code", distinct=True)

    class Meta:
        model = Case
        fields = ["status", "classification"]


class NeedFilter(django_filters.FilterSet):
    commune = CodeFilter(field_name="case__commune__code")
    need_type = CodeFilter(field_name="need_type__code")

    class Meta:
        model = Need
        fields = ["status", "priority"]


class ReferralFilter(django_filters.FilterSet):
    commune = CodeFilter(field_name="need__case__commune__code")
    need_type = CodeFilter(field_name="need__need_type__code")
    agency = CodeFilter(field_name="agency__code")
    overdue = django_filters.BooleanFilter(
        field_name="response_due", method="by_overdue", label="Quá hạn trả lời"
    )

    class Meta:
        model = Referral
        fields = ["status", "outcome"]

    # A method filter's type cannot be guessed by the schema generator: say it is a boolean.
    @extend_schema_field(OpenApiTypes.BOOL)
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


def _well_typed(flt: Any, value: str) -> bool:
    """A typed filter's value as the schema describes it: present, an integer for numbers (our
    numeric filters are all whole), ``true``/``false`` for booleans."""
    if isinstance(flt, django_filters.CharFilter) and not isinstance(
        flt, django_filters.UUIDFilter
    ):
        return True
    if value == "":  # "overdue=" (no choice made) is how forms send an unset boolean
        return isinstance(flt, django_filters.BooleanFilter)
    if isinstance(flt, django_filters.NumberFilter):
        return re.fullmatch(r"-?\d{1,9}", value) is not None
    if isinstance(flt, django_filters.BooleanFilter):
        return value in ("true", "false")
    return True


# Parameters of every list beside its filters: pagination and the (single) sort.
PAGING = frozenset({"cursor", "page_size", "ordering"})


class PolicyFilterBackend(DjangoFilterBackend):
    """django-filter under the field profiles: an unknown parameter, or a filter on a field the
    role may not read, answers 400 instead of being ignored (an ignored filter returns rows the
    caller did not ask for, and says nothing of why)."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        filters = dict(filterset_class.base_filters) if filterset_class else {}
        params = set(request.query_params)
        unknown = sorted(params - set(filters) - PAGING)
        if unknown:
            raise ValidationError({name: [_("Không có tham số này.")] for name in unknown})
        malformed = sorted(
            name
            for name in params & set(filters)
            if not _well_typed(filters[name], request.query_params.get(name, ""))
        )
        if malformed:  # django-filter would drop an empty date or read 0.5 as a birth year
            raise ValidationError({name: [_("Giá trị không hợp lệ.")] for name in malformed})
        allowed = access.allowed_params(
            request.user, queryset.model, {n: f.field_name for n, f in filters.items()}
        )
        refused = sorted((params & set(filters)) - allowed)
        if refused:  # a well-formed request the role may not make: 403, like any other action
            raise PermissionDenied(
                _("Vai trò của bạn không được lọc theo trường này: %(names)s.")
                % {"names": ", ".join(refused)}
            )
        return super().filter_queryset(request, queryset, view)


class PolicyOrderingFilter(OrderingFilter):
    """Sorts only by the view's ``ordering_fields`` that the role may read; anything else is 400."""

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        terms = [t for f in getattr(view, "ordering_fields", None) or [] for t in (f, f"-{f}")]
        for parameter in parameters:
            parameter["schema"]["enum"] = terms
        return parameters

    def get_ordering(self, request: Any, queryset: QuerySet, view: Any) -> Any:
        given = request.query_params.get(self.ordering_param)
        if given is not None:
            fields = [term.strip().lstrip("-") for term in given.split(",")]
            valid = set(getattr(view, "ordering_fields", None) or [])
            allowed = access.allowed_params(
                request.user, queryset.model, {name: name for name in valid}
            )
            if any(f in valid and f not in allowed for f in fields):
                raise PermissionDenied(_("Vai trò của bạn không được sắp xếp theo trường này."))
            if any(f not in valid for f in fields):
                raise ValidationError(
                    {self.ordering_param: [_("Không sắp xếp được theo trường này.")]}
                )
        return super().get_ordering(request, queryset, view)
