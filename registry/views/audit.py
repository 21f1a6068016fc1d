"""The auditor's access log: who did what, filtered, paged by keyset, exported as CSV; labels in
Vietnamese (roles, actions, kinds of record). The log holds no personal data beyond uuids."""

from __future__ import annotations

import csv

import django_filters
from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.audit import audit_record, events_about, purpose_label
from registry.filters import refused_params
from registry.forms.common import DATE
from registry.models import AccessEvent, Role
from registry.reports.exports import neutralise
from registry.views.common import keyset_page, verified_required


def object_types() -> list[tuple[str, str]]:
    """Model names as stored in the log, with their Vietnamese names."""
    found = {
        m._meta.model_name: str(m._meta.verbose_name).capitalize()
        for m in apps.get_models()
        if m._meta.app_label in ("registry", "outreach")
    }
    return sorted(found.items(), key=lambda item: item[1])


class EventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("Tên đăng nhập"))
    action = django_filters.ChoiceFilter(
        label=_("Hành động"), choices=AccessEvent.Action.choices, empty_label=_("Tất cả")
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Loại hồ sơ"), choices=object_types, empty_label=_("Tất cả")
    )
    person = django_filters.UUIDFilter(label=_("Mã người (uuid)"), method="filter_person")
    date_from = django_filters.DateFilter(
        label=_("Từ ngày"), field_name="at", lookup_expr="date__gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("Đến ngày"), field_name="at", lookup_expr="date__lte", widget=DATE
    )

    class Meta:
        model = AccessEvent
        fields: list[str] = []

    def filter_person(
        self, queryset: QuerySet[AccessEvent], name: str, value: object
    ) -> QuerySet[AccessEvent]:
        return queryset & events_about(str(value))


ROLE_NAMES = dict(Role.choices)


def role_label(codes: str) -> str:
    return ", ".join(str(ROLE_NAMES.get(code, code)) for code in codes.split(",") if code)


@verified_required
def audit_events(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "audit.view")
    found = EventFilter(request.GET or None, queryset=AccessEvent.objects.all())
    if refused_params(request.GET, found) or (found.is_bound and not found.is_valid()):
        return render(request, "audit/events.html", {"filter": found, "events": []}, status=400)
    page = keyset_page(found.qs, key="at", descending=True, cursor=request.GET.get("after"))
    audit_record(
        actor=request.user,
        action=AccessEvent.Action.LIST,
        model=AccessEvent,
        purpose="access log read",
    )
    types = dict(object_types())
    rows = [(e, role_label(e.role), types.get(e.object_type, e.object_type)) for e in page.rows]
    return render(
        request,
        "audit/events.html",
        {"filter": found, "events": rows, "next_cursor": page.next_cursor},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@verified_required
@transaction.atomic
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered access log as CSV (the export itself is logged)."""
    access.require(request.user, "audit.export")
    found = EventFilter(request.GET or None, queryset=AccessEvent.objects.all())
    if refused_params(request.GET, found) or (found.is_bound and not found.is_valid()):
        return HttpResponse(_("Bộ lọc không hợp lệ."), status=400)
    audit_record(
        actor=request.user,
        action=AccessEvent.Action.EXPORT,
        model=AccessEvent,
        purpose="access log export",
    )
    types = dict(object_types())
    actions = dict(AccessEvent.Action.choices)
    header = [
        _("Lúc"),
        _("Tên đăng nhập"),
        _("Vai trò"),
        _("Hành động"),
        _("Loại hồ sơ"),
        _("Mã hồ sơ"),
        _("Mã người"),
        _("Mục đích"),
        _("Địa chỉ IP"),
    ]
    writer = csv.writer(_Echo())

    def lines():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow([str(h) for h in header])
        for e in found.qs.order_by("-at", "-id").iterator():
            row = [
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"),
                e.username,
                role_label(e.role),
                str(actions.get(e.action, e.action)),
                types.get(e.object_type, e.object_type),
                " ".join(e.object_ids),
                " ".join(e.person_ids),
                purpose_label(e.purpose),
                e.ip or "",
            ]
            yield writer.writerow([neutralise(str(cell)) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"nhat-ky-truy-cap-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
