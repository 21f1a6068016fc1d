"""Casework: the commune police's worklist, the case list, and the case page with its tabs
(overview, timeline, needs and referrals, documents, who viewed) and its actions — recording a
visit or a milestone, the address check and the presentation, assessing needs, closing the case
through a confirmation page.

Every read goes through the access policy and leaves an access event in the same transaction;
every field shown obeys the viewer's field profile (``access.fields_for``); every write is a
service run by ``attempt`` (400 bad input, 409 illegal step, the form kept as typed).
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from registry import access, services
from registry.audit import audit_record, events_about
from registry.filters import CaseFilter, refused_params
from registry.forms.casework import (
    CertificateForm,
    CloseForm,
    MilestoneForm,
    NeedsForm,
    NoteForm,
    StepDateForm,
)
from registry.models import (
    AccessEvent,
    Case,
    CaseMilestone,
    CustodyRecord,
    Need,
    Person,
    Referral,
    ReferralTransition,
)
from registry.reports.exports import neutralise
from registry.selectors import shown_only
from registry.tables import CASE_SORTS, CaseTable, worklist_lines
from registry.views.common import (
    Problems,
    attempt,
    done,
    form_status,
    keyset_page,
    verified_required,
)
from registry.views.display import display, summary
from registry.worklists import (
    LINE_FIELDS,
    REFERRAL_LINE_FIELDS,
    TABLE_FIELDS,
    commune_worklist,
    first_rows,
    next_deadline,
)

A = AccessEvent.Action


# --- the worklist --------------------------------------------------------------------------------


@verified_required
@transaction.atomic
def worklist(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "case.view")
    if not access.units_for(request.user, "case.view"):
        raise PermissionDenied("the worklist is the commune's")
    today = timezone.localdate()
    work = commune_worklist(user=request.user, on=today)
    sections = {
        "expected": first_rows(work.expected_arrivals, 50, fields=LINE_FIELDS),
        "visits": first_rows(work.visits_due, 50, fields=LINE_FIELDS),
        "expungements": first_rows(work.expungements_coming, 50, fields=LINE_FIELDS),
        "referrals": first_rows(work.referrals_waiting, 50, fields=REFERRAL_LINE_FIELDS),
    }
    audit_record(
        actor=request.user,
        action=A.LIST,
        model=Case,
        objects=[*sections["expected"], *sections["visits"], *sections["expungements"]],
        purpose="worklist",
    )
    if sections["referrals"]:  # their lines name the person too
        audit_record(
            actor=request.user,
            action=A.LIST,
            model=Referral,
            objects=sections["referrals"],
            purpose="worklist",
        )
    return render(
        request,
        "casework/worklist.html",
        {
            **worklist_lines(sections, today=today),
            "today": today,
            "can_register": access.has(request.user, "case.create"),
        },
    )


# --- the case list -------------------------------------------------------------------------------


def _case_filter(request: HttpRequest) -> tuple[CaseFilter, list[str]]:
    queryset = access.case_list_for_user(request.user)
    found = CaseFilter(request.GET or None, user=request.user, queryset=queryset)
    return found, refused_params(request.GET, found)


@verified_required
@transaction.atomic
def case_list(request: HttpRequest) -> HttpResponse:
    """Every case the user may see, filtered (filters in the URL, identifiers never), sorted and
    paged by keyset; each name links to its case page."""
    access.require(request.user, "case.view")
    found, refused = _case_filter(request)
    if refused or (found.is_bound and not found.is_valid()):
        return render(
            request,
            "casework/case_list.html",
            {"filter": found, "refused": refused, "table": None},
            status=400,
        )
    sort = request.GET.get("sort") if request.GET.get("sort") in CASE_SORTS else "name"
    key, descending = CASE_SORTS[sort]
    page = keyset_page(
        shown_only(found.qs, TABLE_FIELDS),
        key=key,
        descending=descending,
        cursor=request.GET.get("after"),
    )
    filtered = any(v for k, v in request.GET.items() if k in found.filters)
    audit_record(
        actor=request.user,
        action=A.SEARCH if filtered else A.LIST,
        objects=page.rows,
        model=Case,
        purpose="case list",
    )
    table = CaseTable(page.rows, user=request.user)
    return render(
        request,
        "casework/case_list.html",
        {
            "filter": found,
            "filtered": filtered,
            "table": table,
            "sort": sort,
            "next_cursor": page.next_cursor,
            "has_previous": page.has_previous,
            "can_export": access.has(request.user, "case.export"),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@verified_required
@transaction.atomic
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered case list as CSV: only the person and case fields of the user's profile."""
    access.require(request.user, "case.export")
    found, refused = _case_filter(request)
    if refused or (found.is_bound and not found.is_valid()):
        return HttpResponse(_("Bộ lọc không hợp lệ."), status=400)
    cases = list(found.qs.order_by("id")[:50_000])
    audit_record(actor=request.user, action=A.EXPORT, objects=cases, model=Case)
    person_fields = [f for f in access.fields_for(request.user, Person) if f != "uuid"]
    case_fields = [f for f in access.fields_for(request.user, Case) if f not in ("person",)]
    header = [str(Person._meta.get_field(f).verbose_name) for f in person_fields] + [
        str(Case._meta.get_field(f).verbose_name) for f in case_fields
    ]
    writer = csv.writer(_Echo())

    def lines():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(header)
        for case in cases:
            row = [display(case.person, f) for f in person_fields]
            row += [display(case, f) for f in case_fields]
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"ho-so-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the case page -------------------------------------------------------------------------------

TABS = (
    ("overview", gettext_lazy("Tổng quan"), "case-page", None),
    ("timeline", gettext_lazy("Diễn biến"), "case-timeline", None),
    ("needs", gettext_lazy("Nhu cầu, đề nghị"), "case-needs", "need.view"),
    ("documents", gettext_lazy("Giấy tờ"), "case-documents", "case.transition"),
    ("dossier", gettext_lazy("Hồ sơ HCD"), "case-dossier", "case.export"),
    ("viewers", gettext_lazy("Ai đã xem"), "case-viewers", "access.who_viewed"),
)
# The police's legal workflow (registry/views/supervision.py); the committee opens it too.
TABS += (("supervision", gettext_lazy("Giám sát"), "case-supervision", "supervision.view"),)

PERSON_SHOWN = (
    "full_name",
    "gender",
    "birth_year",
    "date_of_birth",
    "national_id",
    "phone",
    "address",
    "ethnicity",
    "family_contact",
)
CUSTODY_SHOWN = (
    "release_date",
    "release_kind",
    "certificate_number",
    "certificate_date",
    "certificate_issuer",
    "court",
    "judgment_number",
    "judgment_date",
    "offence",
    "penal_code_articles",
    "offence_date",
    "main_penalty",
    "sentence_months",
    "prison",
    "additional_penalties",
    "additional_penalty_months",
    "civil_obligations",
    "obligations_fulfilled",
    "expungement_eligible_date",
    "expungement_explanation",
)
CASE_SHOWN = (
    "status",
    "close_reason",
    "closed_on",
    "commune",
    "assigned_officer",
    "classification",
    "classified_on",
    "helper",
    "helper_assigned_on",
    "reporting_deadline",
    "address_check_due",
    "last_contact_on",
)


def open_case(request: HttpRequest, uuid: Any, purpose: str) -> Case:
    """The case if the user may see it (404 otherwise), its read audited."""
    case = access.get_for_user(request.user, Case, uuid)
    audit_record(actor=request.user, action=A.VIEW, objects=[case], purpose=purpose)
    return case


def case_context(request: HttpRequest, case: Case, tab: str) -> dict[str, Any]:
    """What every tab of the case page shows: the header and the tabs the user may open."""
    user = request.user
    case_fields = set(access.fields_for(user, Case))
    supervision = {"address_check_due", "last_contact_on"} <= case_fields
    tabs = [
        (name, label, reverse(url, args=[case.uuid]), name == tab)
        for name, label, url, capability in TABS
        if capability is None or access.has(user, capability)
    ]
    if access.has(user, "message.view"):
        tabs.append(
            (
                "messages",
                gettext_lazy("Tin nhắn"),
                reverse("outreach-person-messages", args=[case.person.uuid]),
                False,
            )
        )
    return {
        "case": case,
        "tab": tab,
        "tabs": tabs,
        "show_classification": "classification" in case_fields,
        "show_officer": "assigned_officer" in case_fields,
        "deadline": next_deadline(case, today=timezone.localdate(), sees_supervision=supervision),
        "can_edit": access.has(user, "case.transition") and case.status != Case.Status.CLOSED,
    }


def _overview(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    context = case_context(request, case, "overview")
    person_fields = set(access.fields_for(user, Person))
    custody_fields = set(access.fields_for(user, CustodyRecord))
    case_fields = set(access.fields_for(user, Case))
    record = case.custody_record
    context.update(
        {
            "person_rows": summary(case.person, [f for f in PERSON_SHOWN if f in person_fields]),
            "custody_rows": summary(record, [f for f in CUSTODY_SHOWN if f in custody_fields])
            if record is not None
            else [],
            "case_rows": summary(case, [f for f in CASE_SHOWN if f in case_fields]),
            "steps": [
                (
                    name,
                    step,
                    forms.get("step_forms", {}).get(name)
                    or StepDateForm(initial={"on": today}, prefix=name),
                )
                for name, step in Case.TRANSITIONS.allowed(
                    case.status, among=("verify-address", "present")
                )
            ]
            if context["can_edit"]
            else [],
            "can_close": context["can_edit"],
            "can_note": access.has(user, "note.create") and case.status != Case.Status.CLOSED,
            "can_milestone": access.has(user, "case.update") and context["can_edit"],
            "can_dsr": access.has(user, "dsr.manage"),
            "note_form": forms.get("note_form")
            or NoteForm(initial={"kind": "visit", "happened_on": today}),
            "milestone_form": forms.get("milestone_form") or MilestoneForm(initial={"date": today}),
            "can_certificate": access.has(user, "case.update")
            and context["can_edit"]
            and record is not None,
            "certificate_form": forms.get("certificate_form")
            or CertificateForm(
                initial={
                    "number": record.certificate_number if record else "",
                    "issued_on": record.certificate_date if record else None,
                    "issuer": (record.certificate_issuer or record.prison) if record else "",
                }
            ),
            "problems": forms.get("problems"),
        }
    )
    return context


@verified_required
def case_page(request: HttpRequest, uuid: str) -> HttpResponse:
    with transaction.atomic():
        case = open_case(request, uuid, "case overview")
        context = _overview(request, case)
    return render(request, "casework/case_overview.html", context)


@verified_required
def case_timeline(request: HttpRequest, uuid: str) -> HttpResponse:
    with transaction.atomic():
        case = open_case(request, uuid, "timeline")
        context = case_context(request, case, "timeline")
        context["entries"] = timeline(case, request.user)
    return render(request, "casework/case_timeline.html", context)


def timeline(case: Case, user: Any) -> list[dict[str, Any]]:
    """The case's history as the user may see it: milestones (police supervision data), notes,
    the steps of the referrals the user may see, loans; newest first."""
    entries: list[dict[str, Any]] = []
    if {"address_check_due", "last_contact_on"} <= set(access.fields_for(user, Case)):
        entries += [
            {"date": m.date, "kind": "milestone", "title": m.get_kind_display(), "text": ""}
            for m in case.milestones.all()
        ]
    if access.has(user, "note.view"):
        entries += [
            {"date": n.happened_on, "kind": "note", "title": n.get_kind_display(), "text": n.text}
            for n in case.notes.all()
        ]
    referrals = access.referral_list_for_user(user).filter(need__case=case)
    transitions = ReferralTransition.objects.filter(referral__in=referrals).select_related(
        "referral__agency", "referral__need__need_type"
    )
    statuses = dict(Referral.Status.choices)
    events = dict(ReferralTransition.Event.choices)
    entries += [
        {
            "date": t.happened_on or timezone.localtime(t.created_at).date(),
            "kind": "referral",
            "title": f"{t.referral.need.need_type.name} — {t.referral.agency.name}",
            # the agency's work (enrolled, job found, loan disbursed …), then the referral's status
            "text": (f"{events[t.event]}: " if t.event else "")
            + str(statuses.get(t.to_status, t.to_status))
            + (f" — {t.reason}" if t.reason else ""),
        }
        for t in transitions
    ]
    if access.has(user, "loan.view"):
        entries += [
            {
                "date": loan.disbursed_on or loan.applied_on,
                "kind": "loan",
                "title": _("Vay vốn: %(purpose)s") % {"purpose": loan.get_purpose_display()},
                "text": loan.get_status_display(),
            }
            for loan in access.loan_list_for_user(user).filter(case=case)
        ]
    return sorted(entries, key=lambda e: e["date"], reverse=True)


@verified_required
def case_documents(request: HttpRequest, uuid: str) -> HttpResponse:
    """The dossier of Circular 10/2024: which steps are recorded, with their dates, and which are
    missing."""
    access.require(request.user, "case.transition")
    with transaction.atomic():
        case = open_case(request, uuid, "documents")
        context = case_context(request, case, "documents")
        recorded = {m.kind: m for m in case.milestones.all()}
        context["dossier"] = [
            (label, recorded.get(kind)) for kind, label in CaseMilestone.Kind.choices
        ]
    return render(request, "casework/case_documents.html", context)


@verified_required
def case_viewers(request: HttpRequest, uuid: str) -> HttpResponse:
    """Who viewed this person, newest first (provincial police)."""
    access.require(request.user, "access.who_viewed")
    with transaction.atomic():
        case = open_case(request, uuid, "who viewed this person")
        context = case_context(request, case, "viewers")
        events = events_about(str(case.person.uuid))
        page = keyset_page(
            events, key="at", descending=True, cursor=request.GET.get("after"), size=50
        )
        context.update({"events": page.rows, "next_cursor": page.next_cursor})
    return render(request, "casework/case_viewers.html", context)


# --- actions on the case -------------------------------------------------------------------------

# action → (capability, form class or None, service call, success message)
ACTIONS: dict[str, tuple[str, Any, Any, Any]] = {
    "verify-address": (
        "case.transition",
        StepDateForm,
        lambda user, case, data: services.case_verify_address(actor=user, case=case, on=data["on"]),
        gettext_lazy("Đã ghi nhận: đã xác minh nơi cư trú."),
    ),
    "present": (
        "case.transition",
        StepDateForm,
        lambda user, case, data: services.case_record_presentation(
            actor=user, case=case, on=data["on"]
        ),
        gettext_lazy("Đã ghi nhận: người được quản lý đã trình diện."),
    ),
    "milestone": (
        "case.update",
        MilestoneForm,
        lambda user, case, data: services.case_record_milestone(
            actor=user, case=case, kind=data["kind"], on=data["date"], note=data["note"] or None
        ),
        gettext_lazy("Đã ghi mốc vào hồ sơ."),
    ),
    "certificate": (
        "case.update",
        CertificateForm,
        lambda user, case, data: services.custody_certificate_record(
            actor=user, record=_custody_record(case), **data
        ),
        gettext_lazy("Đã ghi giấy chứng nhận chấp hành xong án."),
    ),
    "note": (
        "note.create",
        NoteForm,
        lambda user, case, data: services.case_note_add(
            actor=user,
            case=case,
            kind=data["kind"],
            happened_on=data["happened_on"],
            text=data["text"],
        ),
        gettext_lazy("Đã lưu ghi chép."),
    ),
}


def _custody_record(case: Case) -> CustodyRecord:
    if case.custody_record is None:
        from registry.errors import ApplicationError

        raise ApplicationError(
            _("Hồ sơ chưa có bản án và ngày chấp hành xong án; ghi thông báo của trại giam trước.")
        )
    return case.custody_record


@verified_required
@require_POST
def case_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    capability, form_class, call, message = ACTIONS[action]
    case = access.get_for_user(request.user, Case, uuid)
    access.require(request.user, capability)
    prefix = action if form_class is StepDateForm else None
    form = form_class(request.POST, prefix=prefix) if form_class else Problems(request.POST)
    outcome = None
    if form.is_valid():
        outcome = attempt(form, lambda: call(request.user, case, form.cleaned_data))
        if outcome.ok:
            return done(request, str(message), "case-page", uuid=case.uuid)
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[case], purpose="case overview")
        context = _overview(
            request,
            case,
            note_form=form if action == "note" else None,
            milestone_form=form if action == "milestone" else None,
            certificate_form=form if action == "certificate" else None,
            problems=form if form_class is None else None,
            step_forms={action: form} if form_class is StepDateForm else {},
        )
    context["refused_form"] = form
    return render(
        request, "casework/case_overview.html", context, status=form_status(form, outcome)
    )


@verified_required
def case_needs(request: HttpRequest, uuid: str) -> HttpResponse:
    """The needs and referrals the user may see, with the steps each allows; police add needs."""
    access.require(request.user, "need.view")
    form = NeedsForm(request.POST or None)
    outcome = None
    case = access.get_for_user(request.user, Case, uuid)
    if request.method == "POST":
        access.require(request.user, "need.create")
        if form.is_valid():
            outcome = attempt(form, lambda: _add_needs(request.user, case, form.cleaned_data))
            if outcome.ok:
                return done(request, _("Đã lưu nhu cầu."), "case-needs", uuid=case.uuid)
    with transaction.atomic():
        case = open_case(request, uuid, "needs")
        context = case_context(request, case, "needs")
        user = request.user
        needs = list(
            access.need_list_for_user(user).filter(case=case).order_by("need_type__ordering")
        )
        referrals = list(
            access.referral_list_for_user(user).filter(need__case=case).order_by("-sent_at")
        )
        by_need: dict[int, list[Any]] = {}
        for referral in referrals:
            by_need.setdefault(referral.need_id, []).append(referral)
        can_refer = access.has(user, "referral.create") and case.status != Case.Status.CLOSED
        context.update(
            {
                "needs": [
                    {
                        "need": need,
                        "referrals": by_need.get(need.pk, []),
                        "can_refer": can_refer and need.status == "identified",
                        "can_withdraw": access.has(user, "need.transition")
                        and need.status == "identified",
                    }
                    for need in needs
                ],
                "can_cancel": access.has(user, "referral.cancel"),
                "can_add": access.has(user, "need.create") and case.status != Case.Status.CLOSED,
                "needs_form": form,
                "consents": list(access.consent_list_for_user(user).filter(person=case.person))
                if access.has(user, "consent.view")
                else [],
                "can_withdraw_consent": access.has(user, "consent.transition"),
            }
        )
    return render(request, "casework/case_needs.html", context, status=form_status(form, outcome))


def _add_needs(user: Any, case: Case, data: dict[str, Any]) -> None:
    open_types = set(case.needs.filter(status__in=Need.OPEN).values_list("need_type_id", flat=True))
    for need_type in data["need_types"]:
        if need_type.pk not in open_types:
            services.need_identify(actor=user, case=case, need_type=need_type)


# --- closing a case: the form, then what will happen, then the confirmed step --------------------


@verified_required
def case_close(request: HttpRequest, uuid: str) -> HttpResponse:
    case = access.get_for_user(request.user, Case, uuid)
    access.require(request.user, "case.transition")
    Case.TRANSITIONS.check("close", case.status, case.get_status_display())
    form = CloseForm(request.POST or None, initial={"on": timezone.localdate()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "reason": data["reason"],
            "on": data["on"],
            "basis": data["basis"],
            "reference": data["reference"],
            "reference_date": data["reference_date"],
        }
        if request.POST.get("confirm") == "1":
            outcome = attempt(
                form, lambda: services.case_close(actor=request.user, case=case, **arguments)
            )
            if outcome.ok:
                return done(request, _("Đã kết thúc hồ sơ."), "case-page", uuid=case.uuid)
        else:
            outcome = attempt(form, lambda: services.case_close_check(case=case, **arguments))
            if outcome.ok:
                with transaction.atomic():
                    audit_record(
                        actor=request.user, action=A.VIEW, objects=[case], purpose="close case"
                    )
                    context = case_context(request, case, "overview")
                    context.update(_what_closing_does(case, form, data))
                return render(request, "casework/case_close_confirm.html", context)
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[case], purpose="close case")
        context = case_context(request, case, "overview")
        record = case.custody_record
        custody_fields = set(access.fields_for(request.user, CustodyRecord))
        context.update(
            {
                "form": form,
                "eligible_on": record.expungement_eligible_date if record else None,
                "explanation": record.expungement_explanation
                if record and "expungement_explanation" in custody_fields
                else "",
            }
        )
    return render(request, "casework/case_close.html", context, status=form_status(form, outcome))


def _what_closing_does(case: Case, form: CloseForm, data: dict[str, Any]) -> dict[str, Any]:
    open_referrals = (
        Referral.objects.filter(need__case=case).exclude(status__in=Referral.TERMINAL).count()
    )
    open_needs = case.needs.filter(status__in=Need.OPEN).count()
    return {
        "form": form,
        "reason_label": Case.CloseReason(data["reason"]).label,
        "closed_on": data["on"],
        "open_referrals": open_referrals,
        "open_needs": open_needs,
        "expunged": data["reason"] == Case.CloseReason.EXPUNGED,
        "basis_label": dict(form.fields["basis"].choices).get(data["basis"] or "date", ""),
        "data": data,
    }
