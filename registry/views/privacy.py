"""Data-subject requests: the list with deadlines and the overdue ones, recording a request for a
person, acknowledging and closing it, and "everything we hold" as JSON and PDF."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access, subject_data
from registry.audit import audit_record
from registry.forms.privacy import DataRequestCloseForm, DataRequestForm
from registry.models import DataSubjectRequest, Person
from registry.models.access import AccessEvent
from registry.services import privacy
from registry.views.common import Problems, attempt, done, form_status, verified_required

A = AccessEvent.Action


def _may_see_people(request: HttpRequest) -> bool:
    return access.has(request.user, "dsr.view")


@verified_required
@transaction.atomic
def request_list(request: HttpRequest) -> HttpResponse:
    if not (access.has(request.user, "dsr.view") or access.has(request.user, "dsr.oversee")):
        raise PermissionDenied
    today = timezone.localdate()
    rows = access.data_request_list_for_user(request.user)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        rows = rows.filter(DataSubjectRequest.overdue_q(today))
    else:
        rows = rows.filter(status__in=DataSubjectRequest.OPEN)
    rows = list(rows.order_by("complete_due", "id")[:300])
    show_people = _may_see_people(request)
    if show_people:
        audit_record(actor=request.user, action=A.LIST, objects=rows, model=DataSubjectRequest)
    return render(
        request,
        "privacy/requests.html",
        {
            "rows": [(r, r.is_overdue(today)) for r in rows],
            "overdue_only": overdue_only,
            "show_people": show_people,
            "today": today,
        },
    )


@verified_required
def request_new(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    access.require(request.user, "dsr.manage")
    person = access.get_for_user(request.user, Person, uuid)
    form = DataRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            form,
            lambda: privacy.data_request_record(
                actor=request.user, person=person, **form.cleaned_data
            ),
        )
        if outcome.ok and outcome.result is not None:
            return done(
                request,
                _("Đã ghi nhận yêu cầu. Hạn giải quyết: %(date)s.")
                % {"date": outcome.result.complete_due.strftime("%d/%m/%Y")},
                "privacy-request",
                uuid=outcome.result.uuid,
            )
    with transaction.atomic():
        audit_record(
            actor=request.user, action=A.VIEW, objects=[person], purpose="data request form"
        )
        case = access.case_list_for_user(request.user).filter(person=person).first()
    return render(
        request,
        "privacy/request_new.html",
        {"form": form, "person": person, "case": case},
        status=form_status(form, outcome),
    )


def _request_for(request: HttpRequest, uuid) -> DataSubjectRequest:  # type: ignore[no-untyped-def]
    try:
        return access.data_request_list_for_user(request.user).get(uuid=uuid)
    except (DataSubjectRequest.DoesNotExist, ValueError) as error:
        raise Http404 from error


@verified_required
def request_detail(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    if not (access.has(request.user, "dsr.view") or access.has(request.user, "dsr.oversee")):
        raise PermissionDenied
    item = _request_for(request, uuid)
    action = request.POST.get("action") if request.method == "POST" else None
    close_form = DataRequestCloseForm(request.POST if action in ("complete", "refuse") else None)
    problems = Problems(request.POST if action == "acknowledge" else None)
    outcome = None
    if action is not None:
        access.require(request.user, "dsr.manage")
        if action == "acknowledge":
            problems.is_valid()
            outcome = attempt(
                problems,
                lambda: privacy.data_request_acknowledge(actor=request.user, request=item),
            )
            message = _("Đã ghi nhận: đã xác nhận với người yêu cầu.")
        elif action in ("complete", "refuse") and close_form.is_valid():
            outcome = attempt(
                close_form,
                lambda: privacy.data_request_close(
                    actor=request.user,
                    request=item,
                    response=close_form.cleaned_data["response"],
                    refused=action == "refuse",
                ),
            )
            message = (
                _("Đã từ chối yêu cầu.") if action == "refuse" else _("Đã hoàn thành yêu cầu.")
            )
        if outcome is not None and outcome.ok:
            return done(request, message, "privacy-request", uuid=item.uuid)
    show_people = _may_see_people(request)
    with transaction.atomic():
        if show_people:
            audit_record(actor=request.user, action=A.VIEW, objects=[item])
        open_ = item.status in DataSubjectRequest.OPEN
    return render(
        request,
        "privacy/request.html",
        {
            "item": item,
            "show_people": show_people,
            "can_manage": access.has(request.user, "dsr.manage") and open_,
            "can_export": access.has(request.user, "dsr.export"),
            "close_form": close_form,
            "problems": problems,
            "today": timezone.localdate(),
        },
        status=form_status(close_form if action != "acknowledge" else problems, outcome),
    )


def _subject(request: HttpRequest, uuid) -> tuple[Person, list]:  # type: ignore[no-untyped-def]
    access.require(request.user, "dsr.export")
    person = access.get_for_user(request.user, Person, uuid)
    sections = subject_data.subject_data(person)
    audit_record(
        actor=request.user,
        action=A.EXPORT,
        objects=[person],
        purpose="data subject access: everything held",
    )
    return person, sections


@verified_required
@transaction.atomic
def subject_json(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    person, sections = _subject(request, uuid)
    body = json.dumps(subject_data.to_json(person, sections), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{person.uuid}.json"'
    return response


@verified_required
@transaction.atomic
def subject_pdf(request: HttpRequest, uuid) -> HttpResponse:  # type: ignore[no-untyped-def]
    person, sections = _subject(request, uuid)
    response = HttpResponse(subject_data.to_pdf(person, sections), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-{person.uuid}.pdf"'
    return response
