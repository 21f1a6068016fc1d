"""Staff pages over the registry: lists, details and CSV exports of each kind of record, and the
writes that go with them. Thin: every read goes through ``registry.access`` and is audited in the
same transaction; every write is a service call. Out of scope → 404, forbidden action → 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from registry import access, services
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import (
    AccessEvent,
    AdministrativeUnit,
    Agency,
    Case,
    CaseNote,
    Consent,
    CustodyRecord,
    Need,
    NeedType,
    Person,
    Referral,
)
from registry.reports.exports import neutralise

A = AccessEvent.Action
PAGE_SIZE = 50


def verified_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and second factor verified; otherwise to the sign-in or the code page. No
    personal data is read before this passes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_verified():
            return redirect(f"{reverse('account-otp')}?next={request.get_full_path()}")
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Resource:
    slug: str
    model: type[models.Model]
    capability: str
    title: str


RESOURCES = {
    r.slug: r
    for r in (
        Resource("people", Person, "person", "Người chấp hành xong án"),
        Resource("custody-records", CustodyRecord, "custody", "Hồ sơ thi hành án"),
        Resource("cases", Case, "case", "Hồ sơ tái hòa nhập"),
        Resource("needs", Need, "need", "Nhu cầu"),
        Resource("referrals", Referral, "referral", "Đề nghị hỗ trợ"),
        Resource("notes", CaseNote, "note", "Ghi chép"),
        Resource("consents", Consent, "consent", "Sự đồng ý"),
    )
}


def _resource(slug: str) -> Resource:
    resource = RESOURCES.get(slug)
    if resource is None:
        raise Http404
    return resource


def display(obj: models.Model, name: str) -> str:
    value = getattr(obj, name)
    field = obj._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)


def _rows(objects: list[models.Model], fields: list[str]) -> list[list[str]]:
    return [[display(obj, name) for name in fields] for obj in objects]


def _labels(model: type[models.Model], fields: list[str]) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in fields]


@verified_required
def home(request: HttpRequest) -> HttpResponse:
    visible = [r for r in RESOURCES.values() if access.has(request.user, f"{r.capability}.view")]
    return render(
        request,
        "home.html",
        {
            "resources": visible,
            "can_audit": access.has(request.user, "audit.view"),
            "can_report": access.has(request.user, "report.view"),
            "can_import": access.has(request.user, "case.import"),
            "can_privacy": access.has(request.user, "dsr.view")
            or access.has(request.user, "dsr.oversee"),
            "can_act": access.has(request.user, "referral.act"),
            "can_loans": access.has(request.user, "loan.view"),
            "can_training": access.has(request.user, "training.manage"),
            "can_outreach": access.has(request.user, "content.view")
            or access.has(request.user, "campaign.view"),
        },
    )


def keyset_page(queryset: models.QuerySet, after: str | None) -> tuple[list, int | None]:
    """Newest first, PAGE_SIZE rows after the row ``after`` (its id); no COUNT over the scope, so
    a page costs the same on page 1 and page 1,000. Returns the rows and the next ``after``."""
    queryset = queryset.order_by("-id")
    if after and after.isdigit():
        queryset = queryset.filter(id__lt=int(after))
    rows = list(queryset[: PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], (rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None)


@verified_required
@transaction.atomic
def resource_list(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(slug)
    access.require(request.user, f"{resource.capability}.view")
    queryset = access.LIST_SELECTORS[resource.model](request.user)
    objects, next_after = keyset_page(queryset, request.GET.get("after"))
    audit_record(actor=request.user, action=A.LIST, objects=objects, model=resource.model)
    fields = access.fields_for(request.user, resource.model)
    return render(
        request,
        "registry/list.html",
        {
            "resource": resource,
            "next_after": next_after,
            "labels": _labels(resource.model, fields),
            "fields": fields,
            "rows": zip(objects, _rows(objects, fields), strict=True),
            "can_export": access.has(request.user, f"{resource.capability}.export"),
        },
    )


@verified_required
@transaction.atomic
def resource_detail(request: HttpRequest, slug: str, uuid: str) -> HttpResponse:
    resource = _resource(slug)
    obj = access.get_for_user(request.user, resource.model, uuid)
    audit_record(actor=request.user, action=A.VIEW, objects=[obj])
    fields = access.fields_for(request.user, resource.model)
    return render(
        request,
        "registry/detail.html",
        {
            "resource": resource,
            "object": obj,
            "can_dsr": access.has(request.user, "dsr.manage"),
            "items": zip(
                fields, _labels(resource.model, fields), _rows([obj], fields)[0], strict=True
            ),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@verified_required
@transaction.atomic
def resource_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    resource = _resource(slug)
    access.require(request.user, f"{resource.capability}.export")
    objects = list(access.LIST_SELECTORS[resource.model](request.user).order_by("id"))
    audit_record(actor=request.user, action=A.EXPORT, objects=objects, model=resource.model)
    fields = access.fields_for(request.user, resource.model)
    writer = csv.writer(_Echo())
    lines = [fields, *([neutralise(c) for c in row] for row in _rows(objects, fields))]
    response = StreamingHttpResponse(
        (writer.writerow(line) for line in lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response


# --- writes --------------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    return parse_date(value) if value else None


def _required_date(value: str | None, field: str) -> dt.date:
    parsed = _date(value)
    if parsed is None:
        raise ValidationError({field: _("Nhập ngày theo dạng năm-tháng-ngày.")})
    return parsed


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _unit_for(user: Any, code: str) -> AdministrativeUnit:
    """A current commune the user works in; 403 for any other commune, 400 for an unknown code."""
    unit = access.commune_to_open_case(user, code)
    if unit is None:
        raise ValidationError({"commune": _("Không có xã, phường với mã này.")})
    return unit


def _create(request: HttpRequest, resource: Resource) -> models.Model:
    user, data = request.user, request.POST
    if resource.model is Person:  # registering a prison notice: person, custody record, case
        case = services.prison_notice_register(
            actor=user,
            commune=_unit_for(user, data.get("commune", "")),
            person={
                "full_name": data.get("full_name", ""),
                "gender": data.get("gender", ""),
                "date_of_birth": _date(data.get("date_of_birth")),
                "national_id": data.get("national_id") or None,
                "phone": data.get("phone") or None,
                "address": data.get("address") or None,
            },
            custody={
                "release_date": _date(data.get("release_date")),
                "release_kind": data.get("release_kind", ""),
                "main_penalty": data.get("main_penalty", ""),
                "sentence_months": _int(data.get("sentence_months")),
                "offence": data.get("offence") or None,
            },
        )
        return case.person
    parent_models = {
        CustodyRecord: Person,
        Consent: Person,
        Case: Person,
        Need: Case,
        CaseNote: Case,
        Referral: Need,
    }
    parent = access.get_for_user(user, parent_models[resource.model], data.get("parent", ""))
    if resource.model is Case:
        return services.case_open(
            actor=user, person=parent, commune=_unit_for(user, data.get("commune", ""))
        )
    if resource.model is CustodyRecord:
        return services.custody_record_create(
            actor=user,
            person=parent,
            release_date=_date(data.get("release_date")),
            release_kind=data.get("release_kind", ""),
            main_penalty=data.get("main_penalty", ""),
            sentence_months=_int(data.get("sentence_months")),
        )
    if resource.model is Consent:
        return services.consent_record(
            actor=user,
            person=parent,
            purpose=data.get("purpose", ""),
            evidence=data.get("evidence", ""),
        )
    if resource.model is Need:
        need_type = get_object_or_404(NeedType, code=data.get("need_type", ""))
        return services.need_identify(actor=user, case=parent, need_type=need_type)
    if resource.model is CaseNote:
        return services.case_note_add(
            actor=user,
            case=parent,
            kind=data.get("kind", "visit"),
            happened_on=_required_date(data.get("happened_on"), "happened_on"),
            text=data.get("text", ""),
        )
    agency = get_object_or_404(Agency, code=data.get("agency", ""))
    return services.referral_send(actor=user, need=parent, agency=agency)


@verified_required
def resource_create(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(slug)
    if request.method != "POST":
        return HttpResponse(status=405)
    access.require(request.user, f"{resource.capability}.create")
    return _write(request, resource, lambda: _create(request, resource))


def _update(request: HttpRequest, resource: Resource, obj: models.Model) -> models.Model:
    data = request.POST
    if isinstance(obj, Person):
        return services.person_update(
            actor=request.user,
            person=obj,
            phone=data.get("phone", ""),
            reason=data.get("reason", ""),
        )
    if isinstance(obj, Case):
        return services.case_record_milestone(
            actor=request.user,
            case=obj,
            kind=data.get("kind", ""),
            on=_required_date(data.get("on"), "on"),
            note=data.get("note"),
        )
    raise Http404


@verified_required
def resource_update(request: HttpRequest, slug: str, uuid: str) -> HttpResponse:
    resource = _resource(slug)
    if request.method != "POST":
        return HttpResponse(status=405)
    obj = access.get_for_user(request.user, resource.model, uuid)
    access.require(request.user, f"{resource.capability}.update")
    return _write(request, resource, lambda: _update(request, resource, obj))


def _transition(request: HttpRequest, obj: models.Model, action: str) -> models.Model:
    user, data = request.user, request.POST
    if isinstance(obj, Case) and action == "close":
        access.require(user, "case.transition")
        return services.case_close(actor=user, case=obj, reason=data.get("reason", ""))
    if isinstance(obj, Need) and action == "withdraw":
        access.require(user, "need.transition")
        return services.need_withdraw(actor=user, need=obj)
    if isinstance(obj, Consent) and action == "withdraw":
        access.require(user, "consent.transition")
        return services.consent_withdraw(actor=user, consent=obj)
    if isinstance(obj, Referral) and action == "cancel":
        access.require(user, "referral.cancel")
        return services.referral_cancel(actor=user, referral=obj, reason=data.get("reason", ""))
    if isinstance(obj, Referral) and action in services.REFERRAL_ACTIONS:
        access.require(user, "referral.act")
        if obj.agency_id not in access.agencies_for(user, "referral.act"):
            raise PermissionDenied("not addressed to this agency")
        return services.referral_transition(
            actor=user,
            referral=obj,
            action=action,
            reason=data.get("reason", ""),
            outcome=data.get("outcome", ""),
        )
    raise Http404


@verified_required
def resource_transition(request: HttpRequest, slug: str, uuid: str, action: str) -> HttpResponse:
    resource = _resource(slug)
    if request.method != "POST":
        return HttpResponse(status=405)
    obj = access.get_for_user(request.user, resource.model, uuid)
    return _write(request, resource, lambda: _transition(request, obj, action))


def _write(
    request: HttpRequest, resource: Resource, call: Callable[[], models.Model]
) -> HttpResponse:
    """Run a service; bad input answers 400 with the messages, an illegal step 409."""
    try:
        with transaction.atomic():
            obj = call()
    except ValidationError as error:
        return render(request, "errors/refused.html", {"messages": error.messages}, status=400)
    except ApplicationError as error:
        return render(request, "errors/refused.html", {"messages": [error.message]}, status=409)
    target = obj if hasattr(obj, "uuid") else None
    if (
        target is not None
        and type(target) in access.LIST_SELECTORS
        and access.LIST_SELECTORS[type(target)](request.user).filter(pk=target.pk).exists()
    ):
        slug = next(r.slug for r in RESOURCES.values() if r.model is type(target))
        return redirect("resource-detail", slug=slug, uuid=target.uuid)
    return redirect("resource-list", slug=resource.slug)


# --- the access log ------------------------------------------------------------------------

AUDIT_FILTERS = ("username", "action", "object_type", "date_from", "date_to", "person")


def _events(request: HttpRequest) -> models.QuerySet[AccessEvent]:
    events = AccessEvent.objects.all()
    params = request.GET
    if params.get("username"):
        events = events.filter(username=params["username"])
    if params.get("action"):
        events = events.filter(action=params["action"])
    if params.get("object_type"):
        events = events.filter(object_type=params["object_type"])
    if _date(params.get("date_from")):
        events = events.filter(at__date__gte=_date(params["date_from"]))
    if _date(params.get("date_to")):
        events = events.filter(at__date__lte=_date(params["date_to"]))
    if params.get("person"):
        events = events.filter(person_ids__icontains=params["person"])
    return events.order_by("-at", "-id")


@verified_required
def audit_events(request: HttpRequest) -> HttpResponse:
    """The auditor's page: who did what, with filters. Holds no personal data beyond uuids."""
    access.require(request.user, "audit.view")
    page = Paginator(_events(request), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "actions": AccessEvent.Action.choices,
            "filters": {k: request.GET.get(k, "") for k in AUDIT_FILTERS},
        },
    )


@verified_required
@transaction.atomic
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered access log as CSV, for the auditor (the export itself is logged)."""
    access.require(request.user, "audit.export")
    events = _events(request)
    audit_record(
        actor=request.user, action=A.EXPORT, model=AccessEvent, purpose="access log export"
    )
    header = [
        "at",
        "username",
        "role",
        "action",
        "object_type",
        "object_ids",
        "person_ids",
        "purpose",
        "ip",
    ]
    writer = csv.writer(_Echo())
    lines = [writer.writerow(header)]
    for e in events.iterator():
        row = [
            e.at.isoformat(),
            e.username,
            e.role,
            e.action,
            e.object_type,
            " ".join(e.object_ids),
            " ".join(e.person_ids),
            e.purpose,
            e.ip or "",
        ]
        lines.append(writer.writerow([neutralise(str(cell)) for cell in row]))
    response = StreamingHttpResponse(iter(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    return response


@verified_required
@transaction.atomic
def person_viewers(request: HttpRequest, uuid: str) -> HttpResponse:
    """Who viewed this person (provincial police)."""
    access.require(request.user, "access.who_viewed")
    person = access.get_for_user(request.user, Person, uuid)
    audit_record(
        actor=request.user, action=A.VIEW, objects=[person], purpose="who viewed this person"
    )
    events = AccessEvent.objects.filter(person_ids__icontains=str(person.uuid)).order_by(
        "-at", "-id"
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/viewers.html", {"person": person, "page": page})
