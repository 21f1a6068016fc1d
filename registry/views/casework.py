"""Casework pages for the commune police: the worklist, registering a prison notice, and the case
timeline with its actions (address check, presentation, milestones, notes, needs, closing).

Every read goes through the access policy and is audited; every write is a service. A refused form
comes back with what was typed and the messages beside the fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from registry import access, selectors, services
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.forms import (
    CloseForm,
    MilestoneForm,
    NeedsForm,
    NoteForm,
    PrisonNoticeForm,
    ReferForm,
    ReferralActionForm,
)
from registry.models import (
    AccessEvent,
    AdministrativeUnit,
    Case,
    CustodyRecord,
    Need,
    Referral,
    ReferralTransition,
)
from registry.views.common import verified_required
from registry.worklists import commune_worklist, first_rows

A = AccessEvent.Action


def _communes(user: Any):  # type: ignore[no-untyped-def]
    return AdministrativeUnit.objects.filter(pk__in=access.units_for(user, "case.create")).order_by(
        "name"
    )


@verified_required
@transaction.atomic
def worklist(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.view")
    work = commune_worklist(user=request.user, on=timezone.localdate())
    sections = {
        "expected": first_rows(work.expected_arrivals, 50),
        "visits": first_rows(work.visits_due, 50),
        "expungements": first_rows(work.expungements_coming, 50),
        "referrals": first_rows(work.referrals_waiting, 50),
    }
    audit_record(
        actor=request.user,
        action=A.LIST,
        model=Case,
        objects=[*sections["expected"], *sections["visits"], *sections["expungements"]],
        purpose="worklist",
    )
    return render(
        request,
        "casework/worklist.html",
        {
            **sections,
            "today": timezone.localdate(),
            "can_register": access.has(request.user, "case.create"),
        },
    )


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's messages next to the form's fields (or on top when no field matches)."""
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in messages.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@verified_required
def notice_register(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.create")
    form = PrisonNoticeForm(request.POST or None, communes=_communes(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                case = services.prison_notice_register(
                    actor=request.user,
                    commune=data["commune"],
                    person={k: data[k] or None for k in PrisonNoticeForm.PERSON}
                    | {"gender": data["gender"]},
                    custody={
                        k: data[k] if data[k] != "" else None for k in PrisonNoticeForm.CUSTODY
                    },
                    reporting_deadline=data["reporting_deadline"],
                )
        except ValidationError as error:
            _apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("case-timeline", uuid=case.uuid)
    return render(
        request, "casework/notice_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _timeline(case: Case, user: Any) -> list[dict[str, Any]]:
    entries = [
        {"date": m.date, "kind": "milestone", "title": m.get_kind_display(), "text": ""}
        for m in case.milestones.all()
    ]
    if access.has(user, "note.view"):
        entries += [
            {"date": n.happened_on, "kind": "note", "title": n.get_kind_display(), "text": n.text}
            for n in case.notes.all()
        ]
    transitions = ReferralTransition.objects.filter(referral__need__case=case).select_related(
        "referral__agency", "referral__need__need_type"
    )
    statuses = dict(Referral.Status.choices)
    entries += [
        {
            "date": timezone.localtime(t.created_at).date(),
            "kind": "referral",
            "title": f"{t.referral.need.need_type.name} — {t.referral.agency.name}",
            "text": statuses.get(t.to_status, t.to_status) + (f": {t.reason}" if t.reason else ""),
        }
        for t in transitions
    ]
    if access.has(user, "loan.view"):
        entries += [
            {
                "date": loan.disbursed_on or loan.applied_on,
                "kind": "loan",
                "title": f"{loan.get_purpose_display()} — {loan.amount:,} đ".replace(",", "."),
                "text": loan.get_status_display(),
            }
            for loan in access.loan_list_for_user(user).filter(case=case)
        ]
    return sorted(entries, key=lambda e: e["date"], reverse=True)


@verified_required
def case_timeline(request: HttpRequest, uuid: str) -> HttpResponse:
    with transaction.atomic():
        case = access.get_for_user(request.user, Case, uuid)
        audit_record(actor=request.user, action=A.VIEW, objects=[case], purpose="timeline")
        custody_fields = access.fields_for(request.user, CustodyRecord)
        context = {
            "case": case,
            "entries": _timeline(case, request.user),
            "needs": case.needs.select_related("need_type").order_by("need_type__ordering"),
            "can_edit": access.has(request.user, "case.transition"),
            "can_messages": access.has(request.user, "message.view"),
            "show_expungement": "expungement_eligible_date" in custody_fields,
            "show_explanation": "expungement_explanation" in custody_fields,
            "milestone_form": MilestoneForm(),
            "note_form": NoteForm(),
            "needs_form": NeedsForm(),
            "close_form": CloseForm(),
        }
    return render(request, "casework/timeline.html", context)


ACTIONS = {
    "verify-address": ("case.transition", None),
    "present": ("case.transition", None),
    "milestone": ("case.update", MilestoneForm),
    "note": ("note.create", NoteForm),
    "needs": ("need.create", NeedsForm),
    "close": ("case.transition", CloseForm),
}


@verified_required
def case_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    case = access.get_for_user(request.user, Case, uuid)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    capability, form_class = ACTIONS[action]
    if not access.has(request.user, capability):
        raise PermissionDenied(capability)
    form = form_class(request.POST) if form_class else None
    messages: list[str] = []
    if form is not None and not form.is_valid():
        messages = [m for errors in form.errors.values() for m in errors]
    else:
        data = form.cleaned_data if form is not None else {}
        try:
            with transaction.atomic():
                _do(request.user, case, action, data)
        except ValidationError as error:
            messages = error.messages
        except ApplicationError as error:
            messages = [str(error.message)]
    if messages:
        return render(request, "errors/refused.html", {"messages": messages}, status=400)
    return redirect("case-timeline", uuid=case.uuid)


def _do(user: Any, case: Case, action: str, data: dict[str, Any]) -> None:
    if action == "verify-address":
        services.case_verify_address(actor=user, case=case)
    elif action == "present":
        services.case_record_presentation(actor=user, case=case)
    elif action == "milestone":
        services.case_record_milestone(
            actor=user, case=case, kind=data["kind"], on=data["date"], note=data["note"] or None
        )
    elif action == "note":
        services.case_note_add(
            actor=user,
            case=case,
            kind=data["kind"],
            happened_on=data["happened_on"],
            text=data["text"],
        )
    elif action == "needs":
        for need_type in data["need_types"]:
            if not case.needs.filter(
                need_type=need_type, status__in=["identified", "referred"]
            ).exists():
                services.need_identify(actor=user, case=case, need_type=need_type)
    elif action == "close":
        services.case_close(actor=user, case=case, reason=data["reason"])


@verified_required
def need_refer(request: HttpRequest, uuid: str) -> HttpResponse:
    """Refer a need to an agency proposed from the need-type responsibilities; without a legal duty
    of the receiver, the person's consent (with its evidence) is recorded first."""
    need = access.get_for_user(request.user, Need, uuid)
    access.require(request.user, "referral.create")
    agencies = selectors.agencies_for_need(need=need, on=timezone.localdate())
    form = ReferForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                consent = None
                if data["consent_evidence"].strip():
                    consent = services.consent_record(
                        actor=request.user,
                        person=need.case.person,
                        purpose="referral",
                        agency=data["agency"],
                        need_type=need.need_type,
                        evidence=data["consent_evidence"],
                    )
                services.referral_send(
                    actor=request.user,
                    need=need,
                    agency=data["agency"],
                    consent=consent,
                    note=data["note"] or None,
                )
        except ValidationError as error:
            _apply_errors(form, error)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("case-timeline", uuid=need.case.uuid)
    return render(
        request,
        "casework/refer_form.html",
        {"form": form, "need": need},
        status=400 if form.errors else 200,
    )


@verified_required
@transaction.atomic
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals addressed to the user's agency that are still open, overdue first."""
    access.require(request.user, "referral.act")
    today = timezone.localdate()
    rows = list(
        access.referral_list_for_user(request.user)
        .filter(agency_id__in=access.agencies_for(request.user, "referral.act"))
        .exclude(status__in=Referral.TERMINAL)
        .order_by("response_due", "id")[:100]
    )
    audit_record(actor=request.user, action=A.LIST, objects=rows, model=Referral, purpose="inbox")
    return render(
        request,
        "casework/inbox.html",
        {
            "rows": rows,
            "today": today,
            "form": ReferralActionForm(),
            "actions": services.REFERRAL_ACTIONS,
        },
    )


@verified_required
def referral_act(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    referral = access.get_for_user(request.user, Referral, uuid)
    if action not in services.REFERRAL_ACTIONS or action == "cancel":
        return HttpResponse(status=404)
    access.require(request.user, "referral.act")
    if referral.agency_id not in access.agencies_for(request.user, "referral.act"):
        raise PermissionDenied("not addressed to this agency")
    form = ReferralActionForm(request.POST)
    form.is_valid()
    try:
        services.referral_transition(
            actor=request.user,
            referral=referral,
            action=action,
            reason=form.cleaned_data.get("reason", ""),
            outcome=form.cleaned_data.get("outcome", ""),
        )
    except (ValidationError, ApplicationError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error.message)]
        return render(request, "errors/refused.html", {"messages": messages}, status=400)
    return redirect("inbox")
