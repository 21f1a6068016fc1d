"""Pages of the agencies that receive referrals: the Social Policy Bank's loans (Decision 22/2023)
and Home Affairs' courses, enrolments, placements and follow-ups; and everyone's notifications.

Reads go through the access policy and are audited; writes are services; an agency acts only on
referrals addressed to it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from registry import access, services
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.forms.agencies import (
    CourseForm,
    JudicialRecordForm,
    LoanForm,
    LoanStepForm,
    PlacementForm,
)
from registry.forms.casework import ReferralActionForm
from registry.models import (
    AccessEvent,
    Agency,
    JudicialRecordRequest,
    LoanApplication,
    Notification,
    Referral,
    TrainingCourse,
)
from registry.models.training import Enrollment, JobFollowUp
from registry.services import loans, training
from registry.services.judicial_records import (
    judicial_record_issue,
    judicial_record_refuse,
    judicial_record_request_create,
)
from registry.views.common import refused, verified_required

A = AccessEvent.Action


def _own_referral(request: HttpRequest, uuid: str, capability: str) -> Referral:
    referral = access.get_for_user(request.user, Referral, uuid)
    access.require(request.user, capability)
    if referral.agency_id not in access.agencies_for(request.user, "referral.act"):
        raise PermissionDenied("not addressed to this agency")
    return referral


def _errors(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(getattr(error, "message", error))]


def _refused(request: HttpRequest, error: Exception) -> HttpResponse:
    return refused(
        request, _errors(error), status=409 if isinstance(error, ApplicationError) else 400
    )


# --- Social Policy Bank --------------------------------------------------------------------------


@verified_required
@transaction.atomic
def loan_worklist(request: HttpRequest) -> HttpResponse:
    """The loans in the user's scope (the branch's; a commune's for its committee, which confirms
    Form 01/02), and for the bank the loan referrals it accepted that have no application yet."""
    access.require(request.user, "loan.view")
    mine = access.loan_list_for_user(request.user).order_by("-applied_on", "-id")[:100]
    waiting = (
        access.referral_list_for_user(request.user)
        .filter(
            agency_id__in=access.agencies_for(request.user, "referral.act"),
            need__need_type__code="loan",
            status__in=[Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS],
            loans__isnull=True,
        )
        .order_by("response_due", "id")[:100]
    )
    rows = list(mine)
    referrals = list(waiting) if access.has(request.user, "loan.manage") else []
    audit_record(
        actor=request.user,
        action=A.LIST,
        objects=rows,
        model=LoanApplication,
        purpose="loan worklist",
    )
    audit_record(
        actor=request.user,
        action=A.LIST,
        objects=[*referrals],
        model=Referral,
        purpose="loan worklist",
    )
    return render(request, "agencies/loans.html", {"loans": rows, "referrals": referrals})


@verified_required
def loan_create(request: HttpRequest, uuid: str) -> HttpResponse:
    referral = _own_referral(request, uuid, "loan.manage")
    if request.method != "POST":
        audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="loan")
    form = LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loan = loans.loan_application_create(
                actor=request.user, case=referral.need.case, referral=referral, **form.cleaned_data
            )
        except (ValidationError, ApplicationError) as error:
            form.add_error(None, "; ".join(_errors(error)))
        else:
            return redirect("loan-detail", uuid=loan.uuid)
    return render(
        request,
        "agencies/loan_form.html",
        {"form": form, "referral": referral},
        status=400 if form.errors else 200,
    )


@verified_required
@transaction.atomic
def loan_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    loan = access.get_for_user(request.user, LoanApplication, uuid)
    audit_record(actor=request.user, action=A.VIEW, objects=[loan], purpose="loan")
    record = loan.case.custody_record
    check = loans.loan_check(
        programme=loan.programme,
        purpose=loan.purpose,
        amount=loan.amount,
        course_months=loan.course_months,
        released_employees=loan.released_employees,
        release_date=record.release_date if record else None,
        certificate_date=record.certificate_date if record else None,
        applied_on=loan.applied_on,
        form_confirmed=loan.form_confirmed_on is not None,
    )
    return render(
        request,
        "agencies/loan_detail.html",
        {
            "loan": loan,
            "check": check,
            "form": LoanStepForm(),
            "can_manage": access.has(request.user, "loan.manage"),
            "can_confirm": access.has(request.user, "loan.confirm_form")
            or access.has(request.user, "loan.manage"),
        },
    )


LOAN_STEPS = {
    "confirm-form": lambda user, loan, d: loans.loan_confirm_form(
        actor=user, loan=loan, on=d["date"]
    ),
    "submit": lambda user, loan, d: loans.loan_submit(actor=user, loan=loan),
    "approve": lambda user, loan, d: loans.loan_approve(
        actor=user, loan=loan, amount=d["amount"] or 0
    ),
    "reject": lambda user, loan, d: loans.loan_reject(actor=user, loan=loan, reason=d["reason"]),
    "disburse": lambda user, loan, d: loans.loan_disburse(
        actor=user, loan=loan, amount=d["amount"] or 0, on=d["date"] or timezone.localdate()
    ),
    "repaying": lambda user, loan, d: loans.loan_start_repaying(actor=user, loan=loan),
    "overdue": lambda user, loan, d: loans.loan_mark_overdue(actor=user, loan=loan),
    "repaid": lambda user, loan, d: loans.loan_repaid(
        actor=user, loan=loan, on=d["date"] or timezone.localdate()
    ),
}


@verified_required
def loan_step(request: HttpRequest, uuid: str, step: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    loan = access.get_for_user(request.user, LoanApplication, uuid)
    if step not in LOAN_STEPS:
        return HttpResponse(status=404)
    # The commune committee confirms Form 01/02; the bank may record that confirmation too.
    allowed = {"loan.manage", "loan.confirm_form"} if step == "confirm-form" else {"loan.manage"}
    if not any(access.has(request.user, capability) for capability in allowed):
        raise PermissionDenied(step)
    form = LoanStepForm(request.POST)
    form.is_valid()
    try:
        LOAN_STEPS[step](request.user, loan, form.cleaned_data)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, error)
    return redirect("loan-detail", uuid=loan.uuid)


# --- Home Affairs --------------------------------------------------------------------------------


@verified_required
def courses(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "training.manage")
    agencies = access.agencies_for(request.user, "training.manage")
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            training.course_create(
                actor=request.user, agency=_first_agency(agencies), **form.cleaned_data
            )
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                for text in texts:
                    form.add_error(field if field in form.fields else None, text)
        else:
            return redirect("courses")
    rows = (
        TrainingCourse.objects.filter(agency_id__in=agencies)
        .select_related("commune")
        .order_by("-starts_on")
    )
    return render(
        request,
        "agencies/courses.html",
        {"form": form, "courses": rows[:100]},
        status=400 if form.errors else 200,
    )


def _first_agency(agency_ids: set[int]) -> Agency | None:
    return Agency.objects.filter(pk__in=agency_ids).order_by("pk").first()


@verified_required
@transaction.atomic
def referral_training(request: HttpRequest, uuid: str) -> HttpResponse:
    """A training or job referral: matching courses, enrolments, placements."""
    referral = _own_referral(request, uuid, "training.manage")
    audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="training")
    matches = training.courses_for_referral(referral=referral, trade=request.GET.get("trade", ""))[
        :20
    ]
    return render(
        request,
        "agencies/referral_training.html",
        {
            "referral": referral,
            "matches": matches,
            "trade": request.GET.get("trade", ""),
            "enrollments": referral.enrollments.select_related("course"),
            "placements": referral.placements.prefetch_related("follow_ups"),
            "placement_form": PlacementForm(),
        },
    )


@verified_required
def enrol(request: HttpRequest, uuid: str, course_uuid: str) -> HttpResponse:
    referral = _own_referral(request, uuid, "training.manage")
    course = TrainingCourse.objects.filter(
        uuid=course_uuid, agency_id__in=access.agencies_for(request.user, "training.manage")
    ).first()
    if request.method != "POST" or course is None:
        return HttpResponse(status=404 if course is None else 405)
    try:
        training.enrollment_create(actor=request.user, referral=referral, course=course)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, error)
    return redirect("referral-training", uuid=referral.uuid)


@verified_required
def enrollment_finish(request: HttpRequest, uuid: str) -> HttpResponse:
    enrollment = access.get_for_user(request.user, Enrollment, uuid)
    _own_referral(request, str(enrollment.referral.uuid), "training.manage")
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        training.enrollment_finish(
            actor=request.user,
            enrollment=enrollment,
            completed=request.POST.get("completed") == "1",
            on=timezone.localdate(),
            attended_days=int(request.POST.get("attended_days") or 0),
        )
    except (ValidationError, ApplicationError, ValueError) as error:
        return _refused(request, error)
    return redirect("referral-training", uuid=enrollment.referral.uuid)


@verified_required
def placement(request: HttpRequest, uuid: str) -> HttpResponse:
    referral = _own_referral(request, uuid, "training.manage")
    form = PlacementForm(request.POST or None)
    if request.method != "POST":
        return HttpResponse(status=405)
    if not form.is_valid():
        return refused(request, [m for errors in form.errors.values() for m in errors])
    try:
        training.placement_record(actor=request.user, referral=referral, **form.cleaned_data)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, error)
    return redirect("referral-training", uuid=referral.uuid)


@verified_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "training.manage")
    agencies = access.agencies_for(request.user, "training.manage")
    if request.method == "POST":
        follow_up = JobFollowUp.objects.filter(
            uuid=request.POST.get("follow_up"), placement__referral__agency_id__in=agencies
        ).first()
        if follow_up is None:
            return HttpResponse(status=404)
        try:
            training.follow_up_record(
                actor=request.user,
                follow_up=follow_up,
                employed=request.POST.get("employed") == "1",
                on=timezone.localdate(),
            )
        except (ValidationError, ApplicationError) as error:
            return _refused(request, error)
        return redirect("follow-ups")
    due = list(
        JobFollowUp.objects.filter(
            placement__referral__agency_id__in=agencies,
            outcome=JobFollowUp.Outcome.DUE,
            due_on__lte=timezone.localdate(),
        )
        .select_related("placement__referral__need__case__person")
        .order_by("due_on")[:100]
    )
    audit_record(
        actor=request.user,
        action=A.LIST,
        objects=[f.placement.referral for f in due],
        model=Referral,
        purpose="job follow-ups",
    )
    return render(request, "agencies/follow_ups.html", {"due": due})


# --- notifications -------------------------------------------------------------------------------


@verified_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(Notification.objects.filter(user=request.user).order_by("-created_at")[:100])
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("notifications")
    return render(request, "agencies/notifications.html", {"rows": rows})


# --- Justice: judicial record certificates -------------------------------------------------------


@verified_required
def judicial_records(request: HttpRequest, uuid: str) -> HttpResponse:
    """Certificate requests of a referred person: record one (due date and fee computed), issue or
    refuse it."""
    referral = _own_referral(request, uuid, "records.manage")
    action = request.POST.get("action", "create") if request.method == "POST" else ""
    form = JudicialRecordForm(request.POST if action == "create" else None)
    try:
        if action in ("issue", "refuse"):
            found = JudicialRecordRequest.objects.filter(
                uuid=request.POST.get("request"), referral=referral
            ).first()
            if found is None:
                return HttpResponse(status=404)
            if action == "issue":
                judicial_record_issue(actor=request.user, request=found, on=timezone.localdate())
            else:
                judicial_record_refuse(
                    actor=request.user, request=found, reason=request.POST.get("reason", "")
                )
            return redirect("judicial-records", uuid=referral.uuid)
        if action == "create" and form.is_valid():
            judicial_record_request_create(
                actor=request.user, case=referral.need.case, referral=referral, **form.cleaned_data
            )
            return redirect("judicial-records", uuid=referral.uuid)
    except (ValidationError, ApplicationError) as error:
        if action != "create":
            return _refused(request, error)
        form.add_error(None, "; ".join(_errors(error)))
    with transaction.atomic():
        audit_record(
            actor=request.user, action=A.VIEW, objects=[referral], purpose="judicial records"
        )
        rows = list(referral.judicial_record_requests.order_by("-requested_on"))
    return render(
        request,
        "agencies/judicial_records.html",
        {"referral": referral, "form": form, "rows": rows},
        status=400 if form.errors else 200,
    )


@verified_required
@transaction.atomic
def overdue(request: HttpRequest) -> HttpResponse:
    """Referrals in the user's scope still unanswered after their deadline, oldest first."""
    access.require(request.user, "referral.view")
    rows = list(
        access.referral_list_for_user(request.user)
        .filter(Referral.overdue_q(timezone.localdate()))
        .order_by("response_due", "id")[:200]
    )
    audit_record(
        actor=request.user, action=A.LIST, objects=rows, model=Referral, purpose="overdue referrals"
    )
    return render(request, "agencies/overdue.html", {"rows": rows})


# --- the inbox of referrals ---------------------------------------------------------------------


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
    for referral in rows:
        referral.steps = Referral.TRANSITIONS.allowed(  # type: ignore[attr-defined]
            referral.status, among=Referral.AGENCY_ACTIONS
        )
    return render(
        request,
        "agencies/inbox.html",
        {
            "rows": rows,
            "today": today,
            "form": ReferralActionForm(),
        },
    )


@verified_required
def referral_act(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    referral = access.get_for_user(request.user, Referral, uuid)
    if action not in Referral.AGENCY_ACTIONS:
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
        return refused(
            request, messages, status=409 if isinstance(error, ApplicationError) else 400
        )
    return redirect("inbox")


@verified_required
@transaction.atomic
def referral_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """One referral with its whole history: what the receiving agency may see of the need and
    the person, the note sent with it, the deadline, each step; the steps the viewer may take."""
    referral = access.get_for_user(request.user, Referral, uuid)
    audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="referral")
    user = request.user
    addressed = referral.agency_id in access.agencies_for(user, "referral.act")
    steps = (
        Referral.TRANSITIONS.allowed(referral.status, among=Referral.AGENCY_ACTIONS)
        if addressed
        else []
    )
    return render(
        request,
        "agencies/referral_detail.html",
        {
            "referral": referral,
            "history": referral.transitions.select_related("actor").order_by("created_at", "id"),
            "steps": steps,
            "form": ReferralActionForm(),
            "can_cancel": access.has(user, "referral.cancel")
            and referral.status not in Referral.TERMINAL,
            "can_open_case": access.case_list_for_user(user)
            .filter(pk=referral.need.case_id)
            .exists(),
            "today": timezone.localdate(),
        },
    )
