"""Registering a prison's release notice (Circular 10/2024 art. 8): the person, their custody
record and an expected case, all or nothing. A refused notice comes back with every problem at
once in the error summary and everything typed kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from registry import access, services
from registry.errors import ApplicationError
from registry.forms.casework import PrisonNoticeForm
from registry.models import AdministrativeUnit, User
from registry.services import existence
from registry.views.common import apply_errors, attempt, done, form_status, verified_required


def communes_to_open(user: User) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(pk__in=access.units_for(user, "case.create")).order_by(
        "folded_name"
    )


def _arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "commune": data.get("commune"),
        "person": {k: data.get(k) or None for k in PrisonNoticeForm.PERSON}
        | {"gender": data.get("gender") or ""},
        "custody": {
            k: data.get(k) if data.get(k) != "" else None for k in PrisonNoticeForm.CUSTODY
        },
    }


@verified_required
def notice_register(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.create")
    communes = communes_to_open(request.user)
    initial = {"commune": communes.first()} if communes.count() == 1 else {}
    form = PrisonNoticeForm(request.POST or None, communes=communes, initial=initial)
    outcome = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:  # existence is a read: answered (and audited) before the write's transaction
                existence.national_id_check(
                    actor=request.user,
                    national_id=data.get("national_id"),
                    purpose="register notice",
                )
            except ApplicationError as error:
                form.add_error("national_id", error.message)
                return render(request, "casework/notice_form.html", {"form": form}, status=400)
            outcome = attempt(
                form,
                lambda: services.prison_notice_register(
                    actor=request.user,
                    reporting_deadline=data["reporting_deadline"],
                    **_arguments(data),
                ),
            )
            if outcome.ok and outcome.result is not None:
                return done(
                    request,
                    _("Đã lưu thông báo của trại giam. Hạn xác minh nơi cư trú: %(date)s.")
                    % {"date": outcome.result.address_check_due.strftime("%d/%m/%Y")},
                    "case-page",
                    uuid=outcome.result.uuid,
                )
        else:
            # Some values could not be read: still say what else is wrong, all at once.
            try:
                services.prison_notice_check(**_arguments(form.cleaned_data))
            except ValidationError as error:
                apply_errors(form, _without(error, set(form.errors)))
    return render(
        request, "casework/notice_form.html", {"form": form}, status=form_status(form, outcome)
    )


def _without(error: ValidationError, fields: set[str]) -> ValidationError:
    """The service's problems minus those of fields the form already refused."""
    return ValidationError({k: v for k, v in error.error_dict.items() if k not in fields})
