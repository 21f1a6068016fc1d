"""Pages of the agencies that receive referrals: the Social Policy Bank's loans (Decision 22/2023)
and Home Affairs' courses, enrolments, placements and follow-ups; and everyone's notifications.

Reads go through the access policy and are audited; writes are services; an agency acts only on
referrals addressed to it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import access, services
from registry.audit import audit_record
from registry.counts import kept as counts_kept
from registry.errors import ApplicationError
from registry.filters import INBOX_VIEWS, OverdueFilter, ReferralInboxFilter, refused_params
from registry.forms.agencies import (
    CourseForm,
    FinishForm,
    FollowUpForm,
    JudicialRecordForm,
    LegalAidForm,
    LoanForm,
    LoanStepForm,
    PlacementForm,
    ReasonForm,
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
from registry.selectors import shown_only
from registry.services import loans, training
from registry.services.judicial_records import (
    judicial_record_issue,
    judicial_record_refuse,
    judicial_record_request_create,
    legal_aid_record,
)
from registry.tables import OverdueTable, ReferralInboxTable
from registry.views.common import (
    attempt,
    done,
    form_status,
    keyset_page,
    refused,
    verified_required,
)

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
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            form,
            lambda: loans.loan_application_create(
                actor=request.user, case=referral.need.case, referral=referral, **form.cleaned_data
            ),
        )
        if outcome.ok and outcome.result is not None:
            return done(request, _("Đã lập hồ sơ vay."), "loan-detail", uuid=outcome.result.uuid)
    return render(
        request,
        "agencies/loan_form.html",
        {"form": form, "referral": referral, "person": referral.need.case.person},
        status=form_status(form, outcome),
    )


@verified_required
def loan_edit(request: HttpRequest, uuid: str) -> HttpResponse:
    """Correct a draft's purpose, amount, term and their basis until it is submitted."""
    access.require(request.user, "loan.manage")
    loan = access.get_for_user(request.user, LoanApplication, uuid)
    if request.method != "POST":
        audit_record(actor=request.user, action=A.VIEW, objects=[loan], purpose="loan")
    initial = {
        "purpose": loan.purpose,
        "amount": loan.amount,
        "course_months": loan.course_months,
        "released_employees": loan.released_employees,
        "term_months": loan.term_months,
    }
    form = LoanForm(request.POST or None, initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            form, lambda: loans.loan_update(actor=request.user, loan=loan, **form.cleaned_data)
        )
        if outcome.ok:
            return done(request, _("Đã sửa hồ sơ vay."), "loan-detail", uuid=loan.uuid)
    return render(
        request,
        "agencies/loan_form.html",
        {
            "form": form,
            "loan": loan,
            "person": loan.case.person,
            "check": loans.loan_check_for(loan),
            "editable": loan.status == LoanApplication.Status.DRAFT,
        },
        status=form_status(form, outcome),
    )


def _loan_page(
    request: HttpRequest, loan: LoanApplication, *, problems: list[str] | None = None, status=200
) -> HttpResponse:
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[loan], purpose="loan")
        check = loans.loan_check_for(loan)
    user = request.user
    can_manage = access.has(user, "loan.manage")
    can_confirm = access.has(user, "loan.confirm_form") or can_manage
    steps = [
        (name, step)
        for name, step in LoanApplication.TRANSITIONS.allowed(loan.status)
        if (can_manage and name != "confirm-form")
        or (name == "confirm-form" and can_confirm and loan.form_confirmed_on is None)
    ]
    record = loan.case.custody_record
    return render(
        request,
        "agencies/loan_detail.html",
        {
            "loan": loan,
            "check": check,
            "steps": steps,
            "today": timezone.localdate(),
            "problems": problems or [],
            "can_manage": can_manage,
            "needs_certificate": record is None or not record.certificate_date,
            "timeline": loan.referral.transitions.select_related("actor").order_by(
                "created_at", "id"
            )
            if loan.referral_id
            else [],
        },
        status=status,
    )


@verified_required
def loan_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    loan = access.get_for_user(request.user, LoanApplication, uuid)
    return _loan_page(request, loan)


LOAN_STEPS = {
    "confirm-form": lambda user, loan, d: loans.loan_confirm_form(
        actor=user, loan=loan, on=d["date"]
    ),
    "submit": lambda user, loan, d: loans.loan_submit(actor=user, loan=loan),
    "approve": lambda user, loan, d: loans.loan_approve(
        actor=user, loan=loan, amount=d["amount"] or 0, on=d["date"]
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
LOAN_DONE = {
    "confirm-form": gettext_lazy("Đã ghi nhận UBND xã xác nhận mẫu 01/02."),
    "submit": gettext_lazy("Đã nộp hồ sơ vay."),
    "approve": gettext_lazy("Đã phê duyệt khoản vay."),
    "reject": gettext_lazy("Đã từ chối cho vay."),
    "disburse": gettext_lazy("Đã ghi nhận giải ngân."),
    "repaying": gettext_lazy("Đã ghi nhận bắt đầu trả nợ."),
    "overdue": gettext_lazy("Đã ghi nhận khoản vay quá hạn."),
    "repaid": gettext_lazy("Đã ghi nhận trả hết nợ."),
}


@verified_required
def loan_step(request: HttpRequest, uuid: str, step: str) -> HttpResponse:
    loan = access.get_for_user(request.user, LoanApplication, uuid)
    if step not in LOAN_STEPS:
        return HttpResponse(status=404)
    # The commune committee confirms Form 01/02; the bank may record that confirmation too.
    allowed = {"loan.manage", "loan.confirm_form"} if step == "confirm-form" else {"loan.manage"}
    if not any(access.has(request.user, capability) for capability in allowed):
        raise PermissionDenied(step)
    machine = LoanApplication.TRANSITIONS[step]
    if request.method != "POST" or (machine.destructive and "confirmed" not in request.POST):
        if not machine.destructive:
            return HttpResponse(status=405)
        # Refusing a loan is final: a page of its own says so and asks for the reason.
        with transaction.atomic():
            audit_record(actor=request.user, action=A.VIEW, objects=[loan], purpose="loan")
        form = LoanStepForm(request.POST or None)
        if request.method == "POST":
            form.is_valid()
        return render(
            request,
            "agencies/confirm.html",
            {
                "title": _("Từ chối cho vay %(name)s") % {"name": loan.case.person.full_name},
                "consequences": [
                    _("Hồ sơ vay chuyển sang “Từ chối”; không phê duyệt lại được."),
                    _(
                        "Đề nghị vay vốn ghi “Không thực hiện được” với lý do này; Công an xã "
                        "được thông báo và có thể gửi đề nghị mới."
                    ),
                ],
                "fields": [form["reason"]],
                "form": form,
                "button": _("Từ chối cho vay"),
                "destructive": True,
                "action": request.path,
                "back": reverse("loan-detail", args=[loan.uuid]),
            },
        )
    form = LoanStepForm(request.POST)
    form.is_valid()
    try:
        with transaction.atomic():
            LOAN_STEPS[step](request.user, loan, form.cleaned_data)
    except (ValidationError, ApplicationError) as error:
        loan.refresh_from_db()
        return _loan_page(
            request,
            loan,
            problems=_errors(error),
            status=409 if isinstance(error, ApplicationError) else 400,
        )
    return done(request, str(LOAN_DONE[step]), "loan-detail", uuid=loan.uuid)


# --- Home Affairs --------------------------------------------------------------------------------


@verified_required
def courses(request: HttpRequest) -> HttpResponse:
    """The agency's courses with the seats left, counted from the enrolments; a new course."""
    access.require(request.user, "training.manage")
    agencies = access.agencies_for(request.user, "training.manage")
    form = CourseForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            form,
            lambda: training.course_create(
                actor=request.user, agency=_first_agency(agencies), **form.cleaned_data
            ),
        )
        if outcome.ok:
            return done(request, _("Đã thêm khóa học."), "courses")
    rows = training.courses_with_seats(
        TrainingCourse.objects.filter(agency_id__in=agencies).select_related("commune")
    ).order_by("-starts_on", "-id")
    return render(
        request,
        "agencies/courses.html",
        {"form": form, "courses": rows[:100], "today": timezone.localdate()},
        status=form_status(form, outcome),
    )


def _first_agency(agency_ids: set[int]) -> Agency | None:
    return Agency.objects.filter(pk__in=agency_ids).order_by("pk").first()


def _training_page(
    request: HttpRequest,
    referral: Referral,
    *,
    placement_form: PlacementForm | None = None,
    finish_form: FinishForm | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="training")
        trade = request.GET.get("trade", "")
        matches = list(training.courses_for_referral(referral=referral, trade=trade)[:20])
        enrollments = list(referral.enrollments.select_related("course"))
        placements = list(referral.placements.prefetch_related("follow_ups"))
    today = timezone.localdate()
    working = referral.status in training.WORKING
    return render(
        request,
        "agencies/referral_training.html",
        {
            "referral": referral,
            "person": referral.need.case.person,
            "matches": matches if working else [],
            "trade": trade,
            "enrollments": enrollments,
            "placements": placements,
            "can_enrol": working,
            "can_place": referral.status in training.WORKING | {Referral.Status.COMPLETED},
            "placement_form": placement_form or PlacementForm(initial={"started_on": today}),
            "finish_form": finish_form or FinishForm(initial={"on": today}),
            "problems": problems or [],
            "today": today,
        },
        status=status,
    )


@verified_required
def referral_training(request: HttpRequest, uuid: str) -> HttpResponse:
    """A training or job referral: matching courses with seats left, enrolments, placements."""
    referral = _own_referral(request, uuid, "training.manage")
    return _training_page(request, referral)


@verified_required
def enrol(request: HttpRequest, uuid: str, course_uuid: str) -> HttpResponse:
    referral = _own_referral(request, uuid, "training.manage")
    course = TrainingCourse.objects.filter(
        uuid=course_uuid, agency_id__in=access.agencies_for(request.user, "training.manage")
    ).first()
    if request.method != "POST" or course is None:
        return HttpResponse(status=404 if course is None else 405)
    try:
        with transaction.atomic():
            training.enrollment_create(actor=request.user, referral=referral, course=course)
    except (ValidationError, ApplicationError) as error:
        referral.refresh_from_db()
        return _training_page(request, referral, problems=_errors(error), status=_status_of(error))
    return done(
        request,
        _("Đã ghi danh khóa %(trade)s.") % {"trade": course.trade},
        "referral-training",
        uuid=referral.uuid,
    )


@verified_required
def enrollment_finish(request: HttpRequest, uuid: str) -> HttpResponse:
    """Completion (not before the course starts) or dropping out, on the day given."""
    enrollment = access.get_for_user(request.user, Enrollment, uuid)
    referral = _own_referral(request, str(enrollment.referral.uuid), "training.manage")
    if request.method != "POST":
        return HttpResponse(status=405)
    form = FinishForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = attempt(
            form,
            lambda: training.enrollment_finish(
                actor=request.user,
                enrollment=enrollment,
                completed=form.cleaned_data["completed"] == "1",
                on=form.cleaned_data["on"],
                attended_days=form.cleaned_data["attended_days"] or 0,
            ),
        )
        if outcome.ok:
            return done(
                request, _("Đã ghi kết quả khóa học."), "referral-training", uuid=referral.uuid
            )
    referral.refresh_from_db()
    return _training_page(request, referral, finish_form=form, status=form_status(form, outcome))


@verified_required
def placement(request: HttpRequest, uuid: str) -> HttpResponse:
    referral = _own_referral(request, uuid, "training.manage")
    if request.method != "POST":
        return HttpResponse(status=405)
    form = PlacementForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = attempt(
            form,
            lambda: training.placement_record(
                actor=request.user, referral=referral, **form.cleaned_data
            ),
        )
        if outcome.ok:
            return done(
                request, _("Đã ghi nhận việc làm."), "referral-training", uuid=referral.uuid
            )
    referral.refresh_from_db()
    return _training_page(request, referral, placement_form=form, status=form_status(form, outcome))


@verified_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """The follow-ups due at 3, 6 and 12 months, each recorded with its date (not before the job
    started)."""
    access.require(request.user, "training.manage")
    agencies = access.agencies_for(request.user, "training.manage")
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        follow_up = JobFollowUp.objects.filter(
            uuid=request.POST.get("follow_up"), placement__referral__agency_id__in=agencies
        ).first()
        if follow_up is None:
            return HttpResponse(status=404)
        form = FollowUpForm(request.POST)
        outcome = None
        if form.is_valid():
            outcome = attempt(
                form,
                lambda: training.follow_up_record(
                    actor=request.user,
                    follow_up=follow_up,
                    employed=form.cleaned_data["employed"] == "1",
                    on=form.cleaned_data["on"],
                ),
            )
            if outcome.ok:
                return done(request, _("Đã ghi kết quả theo dõi việc làm."), "follow-ups")
        problems = [e for errors in form.errors.values() for e in errors]
        status = form_status(form, outcome)
    today = timezone.localdate()
    with transaction.atomic():
        due = list(
            JobFollowUp.objects.filter(
                placement__referral__agency_id__in=agencies,
                outcome=JobFollowUp.Outcome.DUE,
                due_on__lte=today,
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
    return render(
        request,
        "agencies/follow_ups.html",
        {"due": due, "today": today, "problems": problems},
        status=status,
    )


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


# --- Justice and the police records unit: judicial record certificates, legal aid ---------------


@verified_required
def judicial_records(request: HttpRequest, uuid: str) -> HttpResponse:
    """Certificate requests of a referred person: record one (due date and fee computed), issue or
    refuse it (refusing is confirmed and needs a reason)."""
    referral = _own_referral(request, uuid, "records.manage")
    action = request.POST.get("action", "create") if request.method == "POST" else ""
    form = JudicialRecordForm(request.POST if action == "create" else None)
    problems: list[str] = []
    status = 200
    if action in ("issue", "refuse"):
        found = JudicialRecordRequest.objects.filter(
            uuid=request.POST.get("request"), referral=referral
        ).first()
        if found is None:
            return HttpResponse(status=404)
        if action == "refuse" and "confirmed" not in request.POST:
            with transaction.atomic():
                audit_record(
                    actor=request.user,
                    action=A.VIEW,
                    objects=[referral],
                    purpose="judicial records",
                )
            return _confirm_refusal(request, referral, found)
        try:
            with transaction.atomic():
                if action == "issue":
                    judicial_record_issue(
                        actor=request.user,
                        request=found,
                        on=_date(request.POST.get("on")) or timezone.localdate(),
                    )
                else:
                    judicial_record_refuse(
                        actor=request.user, request=found, reason=request.POST.get("reason", "")
                    )
        except (ValidationError, ApplicationError) as error:
            if action == "refuse" and isinstance(error, ValidationError):
                return _confirm_refusal(request, referral, found, problems=_errors(error))
            problems, status = _errors(error), _status_of(error)
        else:
            message = _("Đã cấp phiếu.") if action == "issue" else _("Đã từ chối cấp phiếu.")
            return done(request, message, "judicial-records", uuid=referral.uuid)
    elif action == "create" and form.is_valid():
        outcome = attempt(
            form,
            lambda: judicial_record_request_create(
                actor=request.user, case=referral.need.case, referral=referral, **form.cleaned_data
            ),
        )
        if outcome.ok:
            return done(request, _("Đã tiếp nhận yêu cầu."), "judicial-records", uuid=referral.uuid)
        status = outcome.status
    with transaction.atomic():
        audit_record(
            actor=request.user, action=A.VIEW, objects=[referral], purpose="judicial records"
        )
        rows = list(referral.judicial_record_requests.order_by("-requested_on"))
    return render(
        request,
        "agencies/judicial_records.html",
        {
            "referral": referral,
            "person": referral.need.case.person,
            "form": form,
            "rows": rows,
            "problems": problems,
            "today": timezone.localdate(),
        },
        status=400 if form.errors and status == 200 else status,
    )


def _confirm_refusal(
    request: HttpRequest,
    referral: Referral,
    found: JudicialRecordRequest,
    problems: list[str] | None = None,
) -> HttpResponse:
    form = ReasonForm(request.POST if problems else None)
    if problems:
        form.is_valid()
        for problem in problems:
            form.add_error("reason", problem)
    return render(
        request,
        "agencies/confirm.html",
        {
            "title": _("Từ chối cấp phiếu lý lịch tư pháp cho %(name)s")
            % {"name": referral.need.case.person.full_name},
            "consequences": [
                _("Yêu cầu chuyển sang “Từ chối cấp”; không cấp lại được trên yêu cầu này."),
                _(
                    "Đề nghị ghi “Không thực hiện được” với lý do này; Công an xã được thông báo "
                    "và có thể gửi đề nghị mới khi đủ giấy tờ."
                ),
            ],
            "fields": [form["reason"]],
            "form": form,
            "hidden": {"action": "refuse", "request": str(found.uuid)},
            "button": _("Từ chối cấp phiếu"),
            "destructive": True,
            "action": request.path,
            "back": reverse("judicial-records", args=[referral.uuid]),
        },
        status=400 if problems else 200,
    )


@verified_required
def legal_aid(request: HttpRequest, uuid: str) -> HttpResponse:
    """Legal aid given on a legal-aid referral: what was done and when; the referral completes."""
    referral = _own_referral(request, uuid, "referral.act")
    if referral.need.need_type.code != "legal_aid":
        return HttpResponse(status=404)
    form = LegalAidForm(request.POST or None, initial={"on": timezone.localdate()})
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            form,
            lambda: legal_aid_record(actor=request.user, referral=referral, **form.cleaned_data),
        )
        if outcome.ok:
            return done(
                request, _("Đã ghi nhận trợ giúp pháp lý."), "referral-detail", uuid=referral.uuid
            )
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="legal aid")
    return render(
        request,
        "agencies/legal_aid.html",
        {"referral": referral, "person": referral.need.case.person, "form": form},
        status=form_status(form, outcome),
    )


# --- overdue referrals (the provincial police) ----------------------------------------------------


@verified_required
@transaction.atomic
def overdue(request: HttpRequest) -> HttpResponse:
    """Referrals in the user's scope still unanswered after their deadline, the latest first:
    the person, the commune, the agency, the days late, a link; filtered by agency and commune."""
    access.require(request.user, "referral.view")
    today = timezone.localdate()
    base = access.referral_list_for_user(request.user).filter(Referral.overdue_q(today))
    found = OverdueFilter(request.GET or None, queryset=base)
    refused = refused_params(request.GET, found)
    if refused or (found.is_bound and not found.is_valid()):
        return render(
            request,
            "agencies/overdue.html",
            {"filter": found, "refused": refused, "table": None},
            status=400,
        )
    page = keyset_page(
        found.qs.select_related("need__case__commune"),
        key="response_due",
        descending=False,
        cursor=request.GET.get("after"),
        size=50,
    )
    audit_record(
        actor=request.user,
        action=A.LIST,
        objects=page.rows,
        model=Referral,
        purpose="overdue referrals",
    )
    return render(
        request,
        "agencies/overdue.html",
        {
            "filter": found,
            "table": OverdueTable(page.rows, today=today),
            "next_cursor": page.next_cursor,
            "has_previous": page.has_previous,
            "filtered": any(request.GET.get(k) for k in found.filters),
        },
    )


# --- the inbox of referrals ---------------------------------------------------------------------


# What a row of the inbox shows (ReferralInboxTable), the person's uuid for the audit row, and the
# keys it sorts by.
INBOX_FIELDS = (
    "uuid",
    "status",
    "response_due",
    "sent_at",
    "note",
    "need__need_type__name",
    "need__case__person__uuid",
    "need__case__person__full_name",
    "need__case__commune__name",
    "sent_by__username",
    "sent_by__first_name",
    "sent_by__last_name",
)


def _inbox_rows(request: HttpRequest):  # type: ignore[no-untyped-def]
    return (
        access.referral_list_for_user(request.user)
        .filter(agency_id__in=access.agencies_for(request.user, "referral.act"))
        .select_related("need__case__commune")
    )


@verified_required
@transaction.atomic
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals addressed to the user's agency: new, due soon, overdue, in progress or
    finished, the nearest deadline first; several new ones accepted at once."""
    access.require(request.user, "referral.act")
    today = timezone.localdate()
    found = ReferralInboxFilter(request.GET or None, queryset=_inbox_rows(request), today=today)
    refused = refused_params(request.GET, found)
    if refused or (found.is_bound and not found.is_valid()):
        return render(
            request,
            "agencies/inbox.html",
            {"filter": found, "refused": refused, "table": None},
            status=400,
        )
    newest = request.GET.get("sort") == "newest"  # else the nearest deadline first
    page = keyset_page(
        shown_only(found.qs, INBOX_FIELDS),
        key="sent_at" if newest else "response_due",
        descending=newest,
        cursor=request.GET.get("after"),
        size=50,
    )
    audit_record(
        actor=request.user, action=A.LIST, objects=page.rows, model=Referral, purpose="inbox"
    )
    # The tabs' figures, kept a short while like the header's (registry/counts.py).
    counts = counts_kept(
        request.user,
        "inbox",
        lambda: {
            name: ReferralInboxFilter({"view": name}, queryset=_inbox_rows(request), today=today)
            .qs.order_by()
            .count()
            for name in ("new", "overdue")
        },
    )
    return render(
        request,
        "agencies/inbox.html",
        {
            "filter": found,
            "table": ReferralInboxTable(page.rows, today=today),
            "next_cursor": page.next_cursor,
            "has_previous": page.has_previous,
            "counts": counts,
            "view": request.GET.get("view", ""),
            "views": INBOX_VIEWS,
            "any_new": any(r.status == Referral.Status.REQUESTED for r in page.rows),
            "newest": newest,
        },
    )


@verified_required
def inbox_accept(request: HttpRequest) -> HttpResponse:
    """Accept the new referrals ticked in the inbox, all or none."""
    if request.method != "POST":
        return HttpResponse(status=405)
    access.require(request.user, "referral.act")
    chosen = request.POST.getlist("referrals")
    rows = list(_inbox_rows(request).filter(uuid__in=chosen[:200])) if chosen else []
    if not rows:
        return refused(request, [_("Chọn ít nhất một đề nghị mới để tiếp nhận.")])
    try:
        with transaction.atomic():
            for referral in rows:
                services.referral_accept(actor=request.user, referral=referral)
    except (ValidationError, ApplicationError) as error:
        return _refused(request, error)
    messages.success(request, _("Đã tiếp nhận %(count)d đề nghị.") % {"count": len(rows)})
    return redirect(request.POST.get("next") or "inbox")


def _act_page(
    request: HttpRequest, referral: Referral, action: str, form: ReferralActionForm, status: int
) -> HttpResponse:
    """The page of one step that needs a reason, an outcome or a confirmation: only its fields."""
    step = Referral.TRANSITIONS[action]
    fields = []
    if step.needs_reason:
        fields.append(form["reason"])
    if action == "complete":
        fields.append(form["outcome"])
    person = referral.need.case.person.full_name
    consequences = {
        "reject": [
            _("Đề nghị chuyển sang “Từ chối”; cơ quan không làm tiếp đề nghị này."),
            _("Công an xã được thông báo lý do và có thể gửi đề nghị tới nơi khác."),
        ],
        "fail": [
            _("Đề nghị chuyển sang “Không thực hiện được”."),
            _("Nhu cầu trở lại “Đã xác định”: Công an xã được thông báo và có thể gửi lại."),
        ],
        "hold": [_("Đề nghị tạm dừng cho đến khi cơ quan tiếp tục.")],
        "complete": [
            _("Đề nghị kết thúc với kết quả đã chọn; nhu cầu ghi là đã (hoặc không) đáp ứng."),
            _("Công an xã được thông báo."),
        ],
    }.get(action, [])
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="referral")
    return render(
        request,
        "agencies/confirm.html",
        {
            "title": _("%(step)s đề nghị %(need)s của %(name)s")
            % {"step": step.button, "need": referral.need.need_type.name, "name": person},
            "consequences": consequences,
            "fields": fields,
            "form": form,
            "button": step.button,
            "destructive": step.destructive,
            "action": request.path,
            "back": reverse("referral-detail", args=[referral.uuid]),
        },
        status=status,
    )


@verified_required
def referral_act(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    """One step of the agency on a referral. Steps with a reason, an outcome or a refusal are
    asked on a page of their own (GET), then confirmed (POST with ``confirmed``)."""
    referral = access.get_for_user(request.user, Referral, uuid)
    if action not in Referral.AGENCY_ACTIONS:
        return HttpResponse(status=404)
    access.require(request.user, "referral.act")
    if referral.agency_id not in access.agencies_for(request.user, "referral.act"):
        raise PermissionDenied("not addressed to this agency")
    step = Referral.TRANSITIONS[action]
    asks = step.needs_reason or step.destructive or action == "complete"
    if request.method != "POST" or (asks and "confirmed" not in request.POST):
        if not asks:
            return HttpResponse(status=405)
        return _act_page(request, referral, action, ReferralActionForm(), 200)
    form = ReferralActionForm(request.POST)
    form.is_valid()
    outcome = attempt(
        form,
        lambda: services.referral_transition(
            actor=request.user,
            referral=referral,
            action=action,
            reason=form.cleaned_data.get("reason", ""),
            outcome=form.cleaned_data.get("outcome", ""),
        ),
    )
    if not outcome.ok:
        if asks:
            return _act_page(request, referral, action, form, outcome.status)
        return refused(request, [str(e) for e in form.non_field_errors()], status=outcome.status)
    message = _("Đã %(step)s đề nghị %(need)s của %(name)s.") % {
        "step": step.label,
        "need": referral.need.need_type.name,
        "name": referral.need.case.person.full_name,
    }
    messages.success(request, message)
    back = request.POST.get("next", "")
    if back.startswith("/inbox/"):
        return redirect(back)
    return redirect("referral-detail", uuid=referral.uuid)


@verified_required
@transaction.atomic
def referral_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    """One referral with its whole history: what the receiving agency may see of the need and
    the person, the note sent with it, the deadline, each step and the agency's work behind it;
    the steps the viewer may take and where the work is recorded."""
    referral = access.get_for_user(request.user, Referral, uuid)
    audit_record(actor=request.user, action=A.VIEW, objects=[referral], purpose="referral")
    user = request.user
    addressed = referral.agency_id in access.agencies_for(user, "referral.act")
    steps = (
        Referral.TRANSITIONS.allowed(referral.status, among=Referral.AGENCY_ACTIONS)
        if addressed
        else []
    )
    code = referral.need.need_type.code
    return render(
        request,
        "agencies/referral_detail.html",
        {
            "referral": referral,
            "history": referral.transitions.select_related("actor").order_by("created_at", "id"),
            "steps": steps,
            "addressed": addressed,
            "work_url": _work_url(user, referral, code) if addressed else "",
            "can_cancel": access.has(user, "referral.cancel")
            and referral.status not in Referral.TERMINAL,
            "can_open_case": access.case_list_for_user(user)
            .filter(pk=referral.need.case_id)
            .exists(),
            "today": timezone.localdate(),
        },
    )


def _work_url(user, referral: Referral, code: str) -> str:  # type: ignore[no-untyped-def]
    """Where the agency records its work on this referral (enrolment, loan, certificate …)."""
    if code in ("training", "job") and access.has(user, "training.manage"):
        return reverse("referral-training", args=[referral.uuid])
    if code == "loan" and access.has(user, "loan.manage"):
        loan = referral.loans.order_by("-id").first()
        if loan is not None:
            return reverse("loan-detail", args=[loan.uuid])
        return reverse("loan-create", args=[referral.uuid])
    if code == "judicial_record" and access.has(user, "records.manage"):
        return reverse("judicial-records", args=[referral.uuid])
    if code == "legal_aid":
        return reverse("legal-aid", args=[referral.uuid])
    return ""


def _status_of(error: Exception) -> int:
    if isinstance(error, ApplicationError):
        return error.status
    return 400


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
