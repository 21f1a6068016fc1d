"""Supervision pages (Circular 10/2024 art. 9–15): the case's "Giám sát" tab and its actions
(helper proposal and decision, helper report, quarterly group, pause and resume, failure to report,
transfer, end of management), a commune's quarter page to classify every active case at once, the
transfers inbox of the receiving commune, and the supervision worklist with its home cards.

Reads go through ``registry.access`` and are audited in the same transaction; writes are services
run by ``attempt``; a destructive step (refusing, withdrawing, ending management) is confirmed on a
page of its own before it runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from registry import access
from registry.audit import audit_record
from registry.forms import supervision as f
from registry.models import AccessEvent, AdministrativeUnit, Case, CaseMilestone, User
from registry.models.supervision import (
    DetentionPeriod,
    EndOfManagement,
    HelperAssignment,
    HelperReport,
    QuarterlyGroup,
    ReportingFailure,
    Transfer,
    quarter_label,
)
from registry.services import supervision as sv
from registry.views.casework import case_context, open_case
from registry.views.common import attempt, done, form_status, verified_required
from registry.views.home import Card, register_card

A = AccessEvent.Action

POLICE = "case.transition"
CHAIR = "case.assign_helper"


def _may(user: User, *capabilities: str) -> bool:
    return any(access.has(user, c) for c in capabilities)


def _rows(user: User, model: type[Any], case: Case):  # type: ignore[no-untyped-def]
    return access.supervision_rows_for_user(user, model).filter(case=case)


# --- the case's tab -------------------------------------------------------------------------


def _tab_context(request: HttpRequest, case: Case, **bound: Any) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    police = access.has(user, POLICE)
    reader = access.has(user, "note.view")  # the police, commune and province: groups, failures
    open_case_ = case.status != Case.Status.CLOSED
    context = case_context(request, case, "supervision")
    assignments = list(_rows(user, HelperAssignment, case).select_related("helper"))
    proposal = next((a for a in assignments if a.status == "proposed"), None)
    ends = list(_rows(user, EndOfManagement, case))
    end_proposal = next((e for e in ends if e.status == "proposed"), None)
    detention = _rows(user, DetentionPeriod, case).filter(status="held").first()
    transfers = list(_rows(user, Transfer, case).select_related("to_commune", "from_commune"))
    failures = list(_rows(user, ReportingFailure, case).select_related("other_commune"))
    helpers = access.helper_list_for_user(user).filter(commune_id=case.commune_id)

    def form(name: str, cls: type[forms.Form], **kwargs: Any) -> forms.Form:
        # ids prefixed by the action: many forms on one page, no id twice
        return bound.get(name) or cls(auto_id=f"{name}-%s", **kwargs)

    context.update(
        {
            "police": police,
            "can_decide": open_case_ and _may(user, POLICE, CHAIR),
            "active_case": case.status == Case.Status.ACTIVE and police,
            "assignments": assignments,
            "proposal": proposal,
            "decision_due": sv.helper_decision_due(case),
            "ends": ends,
            "end_proposal": end_proposal,
            "detention": detention,
            "transfers": transfers,
            "pending_transfer": next((t for t in transfers if t.status == "proposed"), None),
            "failures": [(x, ReportingFailure.TRANSITIONS.allowed(x.status)) for x in failures]
            if reader
            else [],
            "reader": reader,
            "groups": list(_rows(user, QuarterlyGroup, case)) if reader else [],
            "reports": list(_rows(user, HelperReport, case)) if reader else [],
            "propose_form": form(
                "helper-propose", f.HelperProposeForm, helpers=helpers, initial={"on": today}
            ),
            "decide_form": form("helper-decide", f.HelperDecideForm, initial={"on": today}),
            "report_form": form(
                "helper-report", f.HelperReportForm, initial={"received_on": today}
            ),
            "group_form": form("group", f.GroupForm),
            "pause_form": form("pause", f.PauseForm, initial={"started_on": today}),
            "resume_form": form("resume", f.DateForm, initial={"on": today}),
            "failure_form": form("failure", f.FailureStepForm, initial={"on": today}),
            "transfer_form": form(
                "transfer-propose", f.TransferForm, exclude=case.commune_id, initial={"on": today}
            ),
            "end_form": form("end-propose", f.EndProposeForm, initial={"on": today}),
            "end_decide_form": form("end-decide", f.EndDecideForm, initial={"on": today}),
            "refused_form": next(iter(bound.values()), None),
        }
    )
    return context


@verified_required
def case_supervision(request: HttpRequest, uuid: str) -> HttpResponse:
    access.require(request.user, "supervision.view")
    with transaction.atomic():
        case = open_case(request, uuid, "supervision")
        context = _tab_context(request, case)
    return render(request, "supervision/case_supervision.html", context)


def _one(queryset: Any, uuid: str | None) -> Any:
    try:
        return queryset.get(uuid=uuid)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def _helper_propose(user: User, case: Case, data: dict[str, Any]) -> Any:
    chosen = data["helper"]
    if chosen is None:
        chosen = sv.helper_create(
            actor=user,
            commune=case.commune,
            form=data["form"] or "individual",
            kind=data["kind"] or "family",
            name=data["name"],
            phone=data["phone"],
            address=data["address"],
            relationship=data["relationship"],
        )
    return sv.helper_propose(
        actor=user,
        case=case,
        helper=chosen,
        on=data["on"],
        supervision_plan=data["supervision_plan"] or None,
    )


# action → (capabilities, form, call(user, case, data, request), message, confirm title or None)
ACTIONS: dict[str, tuple[tuple[str, ...], Any, Any, Any, Any]] = {
    "helper-propose": (
        (POLICE,),
        f.HelperProposeForm,
        lambda u, c, d, r: _helper_propose(u, c, d),
        gettext_lazy("Đã ghi đề xuất người giúp đỡ (HCD-06)."),
        None,
    ),
    "helper-decide": (
        (POLICE, CHAIR),
        f.HelperDecideForm,
        lambda u, c, d, r: sv.helper_decide(
            actor=u,
            assignment=_one(_rows(u, HelperAssignment, c), r.POST.get("item")),
            on=d["on"],
            decision_number=d["decision_number"],
        ),
        gettext_lazy("Đã ghi quyết định phân công người giúp đỡ (HCD-07)."),
        None,
    ),
    "helper-withdraw": (
        (POLICE, CHAIR),
        f.ReasonForm,
        lambda u, c, d, r: sv.helper_withdraw(
            actor=u,
            assignment=_one(_rows(u, HelperAssignment, c), r.POST.get("item")),
            reason=d["reason"],
        ),
        gettext_lazy("Đã ghi: không phân công người này."),
        gettext_lazy("Không phân công người giúp đỡ đã đề xuất"),
    ),
    "helper-report": (
        (POLICE,),
        f.HelperReportForm,
        lambda u, c, d, r: sv.helper_report_record(
            actor=u,
            case=c,
            year=d["quarter"][0],
            quarter=d["quarter"][1],
            received_on=d["received_on"],
            summary=d["summary"],
            suggested_group=d["suggested_group"],
        ),
        gettext_lazy("Đã ghi báo cáo của người giúp đỡ (HCD-08)."),
        None,
    ),
    "group": (
        (POLICE,),
        f.GroupForm,
        lambda u, c, d, r: sv.group_set(
            actor=u,
            case=c,
            year=d["quarter"][0],
            quarter=d["quarter"][1],
            group=d["group"],
            reason=d["reason"],
        ),
        gettext_lazy("Đã phân loại."),
        None,
    ),
    "pause": (
        (POLICE,),
        f.PauseForm,
        lambda u, c, d, r: sv.detention_start(
            actor=u,
            case=c,
            place_kind=d["place_kind"],
            place=d["place"],
            started_on=d["started_on"],
        ),
        gettext_lazy("Đã tạm dừng quản lý; hồ sơ xếp loại D."),
        None,
    ),
    "resume": (
        (POLICE,),
        f.DateForm,
        lambda u, c, d, r: sv.detention_end(
            actor=u,
            detention=_one(_rows(u, DetentionPeriod, c), r.POST.get("item")),
            on=d["on"],
        ),
        gettext_lazy("Đã tiếp tục quản lý."),
        None,
    ),
    "failure": (
        (POLICE,),
        f.FailureStepForm,
        lambda u, c, d, r: sv.reporting_failure_step(
            actor=u,
            failure=_one(_rows(u, ReportingFailure, c), r.POST.get("item")),
            action=r.POST.get("step", ""),
            on=d["on"],
            findings=d["findings"],
            summons_appear_by=d["summons_appear_by"],
            other_commune=d["other_commune"],
        ),
        gettext_lazy("Đã ghi bước xác minh."),
        None,
    ),
    "transfer-propose": (
        (POLICE,),
        f.TransferForm,
        lambda u, c, d, r: sv.transfer_propose(
            actor=u,
            case=c,
            to_commune=d["to_commune"],
            new_address=d["new_address"],
            on=d["on"],
            out_of_province=d["out_of_province"],
            destination=d["destination"],
            letter_number=d["letter_number"],
            letter_date=d["letter_date"],
        ),
        gettext_lazy("Đã gửi đề nghị chuyển hồ sơ."),
        None,
    ),
    "transfer-cancel": (
        (POLICE,),
        f.ReasonForm,
        lambda u, c, d, r: sv.transfer_cancel(
            actor=u,
            transfer=_one(access.transfer_list_for_user(u).filter(case=c), r.POST.get("item")),
            reason=d["reason"],
        ),
        gettext_lazy("Đã hủy đề nghị chuyển."),
        gettext_lazy("Hủy đề nghị chuyển hồ sơ"),
    ),
    "end-propose": (
        (POLICE,),
        f.EndProposeForm,
        lambda u, c, d, r: sv.end_propose(
            actor=u,
            case=c,
            ground=d["ground"],
            on=d["on"],
            facts=d["facts"],
            basis=d["basis"] if d["ground"] == "expunged" else "",
            reference=d["reference"],
            reference_date=d["reference_date"],
        ),
        gettext_lazy("Đã ghi đề nghị kết thúc quản lý (HCD-10)."),
        None,
    ),
    "end-decide": (
        (POLICE, CHAIR),
        f.EndDecideForm,
        lambda u, c, d, r: sv.end_decide(
            actor=u,
            proposal=_one(_rows(u, EndOfManagement, c), r.POST.get("item")),
            on=d["on"],
            decision_number=d["decision_number"],
        ),
        gettext_lazy("Đã ghi quyết định kết thúc quản lý (HCD-11); hồ sơ đã kết thúc."),
        gettext_lazy("Ghi quyết định kết thúc quản lý"),
    ),
    "end-reject": (
        (POLICE, CHAIR),
        f.ReasonForm,
        lambda u, c, d, r: sv.end_reject(
            actor=u,
            proposal=_one(_rows(u, EndOfManagement, c), r.POST.get("item")),
            reason=d["reason"],
        ),
        gettext_lazy("Đã ghi: không đồng ý kết thúc."),
        gettext_lazy("Không đồng ý kết thúc quản lý"),
    ),
    "end-withdraw": (
        (POLICE,),
        f.ReasonForm,
        lambda u, c, d, r: sv.end_withdraw(
            actor=u,
            proposal=_one(_rows(u, EndOfManagement, c), r.POST.get("item")),
            reason=d["reason"],
        ),
        gettext_lazy("Đã rút đề nghị kết thúc."),
        None,
    ),
}

CONSEQUENCES = {
    "helper-withdraw": [gettext_lazy("Đề xuất này kết thúc; có thể đề xuất người khác.")],
    "transfer-cancel": [gettext_lazy("Xã nơi đến không còn thấy đề nghị; hồ sơ ở lại xã.")],
    "end-decide": [
        gettext_lazy("Hồ sơ kết thúc theo căn cứ đã đề nghị; người này ra khỏi danh sách quản lý."),
        gettext_lazy("Các đề nghị hỗ trợ đang mở bị hủy, nhu cầu đang mở được đóng."),
        gettext_lazy("Người giúp đỡ thôi giúp đỡ."),
    ],
    "end-reject": [gettext_lazy("Hồ sơ tiếp tục được quản lý.")],
}


@verified_required
@require_POST
def case_supervision_action(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    capabilities, form_class, call, message, confirm = ACTIONS[action]
    case = access.get_for_user(request.user, Case, uuid)
    if not _may(request.user, *capabilities):
        raise PermissionDenied(action)
    kwargs: dict[str, Any] = {}
    if form_class is f.HelperProposeForm:
        kwargs["helpers"] = access.helper_list_for_user(request.user).filter(
            commune_id=case.commune_id
        )
    if form_class is f.TransferForm:
        kwargs["exclude"] = case.commune_id
    form = form_class(request.POST, auto_id=f"{action}-%s", **kwargs)
    outcome = None
    if form.is_valid():
        if confirm and request.POST.get("confirm") != "1":
            with transaction.atomic():
                audit_record(
                    actor=request.user, action=A.VIEW, objects=[case], purpose="supervision"
                )
                context = case_context(request, case, "supervision")
            context.update(
                {
                    "title": confirm,
                    "form": form,
                    "consequences": CONSEQUENCES.get(action, []),
                    "item": request.POST.get("item", ""),
                    "action": action,
                }
            )
            return render(request, "supervision/confirm.html", context)
        outcome = attempt(form, lambda: call(request.user, case, form.cleaned_data, request))
        if outcome.ok:
            return done(request, str(message), "case-supervision", uuid=case.uuid)
    with transaction.atomic():
        case = open_case(request, uuid, "supervision")
        context = _tab_context(request, case, **{action: form})
    return render(
        request,
        "supervision/case_supervision.html",
        context,
        status=form_status(form, outcome),
    )


# --- the commune's quarter page -------------------------------------------------------------


def _quarter(request: HttpRequest) -> tuple[int, int]:
    choices = dict(f.recent_quarters(8))
    wanted = request.GET.get("q", "")
    if wanted not in choices:
        wanted = f.recent_quarters(1)[0][0]
    year, quarter = wanted.split("-")
    return int(year), int(quarter)


@verified_required
def quarter_page(request: HttpRequest) -> HttpResponse:
    """Every active case of one commune with its group for the quarter: one form, one row per case
    (group and reason), saved all at once (art. 12; the HCD-09 list is read from these rows)."""
    access.require(request.user, POLICE)
    units = access.units_for(request.user, POLICE)
    communes = AdministrativeUnit.objects.filter(pk__in=units).order_by("name")
    if not communes:
        raise PermissionDenied("the quarter page is a commune's")
    commune = communes.filter(code=request.GET.get("commune", "")).first() or communes[0]
    year, quarter = _quarter(request)
    cases = list(
        access.case_list_for_user(request.user)
        .filter(commune=commune, status=Case.Status.ACTIVE)
        .order_by("person__full_name", "id")
    )
    current = {
        g.case_id: g
        for g in QuarterlyGroup.objects.filter(
            case__in=cases, year=year, quarter=quarter, superseded_at__isnull=True
        )
    }
    held = set(
        DetentionPeriod.objects.filter(case__in=cases, status="held").values_list(
            "case_id", flat=True
        )
    )
    form = forms.Form(request.POST or None)
    for case in cases:
        old = current.get(case.pk)
        form.fields[f"g_{case.pk}"] = forms.ChoiceField(
            label=_("Phân loại"),
            choices=f.GROUP_CHOICES,
            required=False,
            initial=old.group if old else ("D" if case.pk in held else ""),
        )
        form.fields[f"r_{case.pk}"] = forms.CharField(
            label=_("Lý do"), required=False, max_length=500, initial=old.reason if old else ""
        )
    outcome = None
    if request.method == "POST" and form.is_valid():
        rows = [(c, form.cleaned_data[f"g_{c.pk}"], form.cleaned_data[f"r_{c.pk}"]) for c in cases]
        by_uuid = {str(c.uuid): c for c in cases}

        def classify() -> int:
            try:
                return sv.quarter_classify(
                    actor=request.user, commune=commune, year=year, quarter=quarter, rows=rows
                )
            except ValidationError as error:
                fixed = {
                    (f"g_{by_uuid[k].pk}" if k in by_uuid else k): [
                        f"{by_uuid[k].person.full_name}: {text}" if k in by_uuid else text
                        for text in texts
                    ]
                    for k, texts in error.message_dict.items()
                }
                raise ValidationError(fixed) from error

        outcome = attempt(form, classify)
        if outcome.ok:
            messages_text = _("Đã lưu phân loại %(quarter)s: %(count)s hồ sơ thay đổi.") % {
                "quarter": quarter_label(year, quarter),
                "count": outcome.result,
            }
            messages.success(request, messages_text)
            return redirect(
                f"{reverse('supervision-quarter')}?commune={commune.code}&q={year}-{quarter}"
            )
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=A.LIST,
            model=Case,
            objects=cases,
            purpose=f"quarter {year}-{quarter}",
        )
    counts = {g: 0 for g in "ABCD"}
    for g in current.values():
        counts[g.group] += 1
    return render(
        request,
        "supervision/quarter.html",
        {
            "form": form,
            "rows": [(c, form[f"g_{c.pk}"], form[f"r_{c.pk}"], c.pk in held) for c in cases],
            "commune": commune,
            "communes": communes,
            "quarter_label": quarter_label(year, quarter),
            "q": f"{year}-{quarter}",
            "quarters": f.recent_quarters(8),
            "counts": counts,
            "unclassified": len(cases) - len(current),
        },
        status=form_status(form, outcome),
    )


# --- transfers ------------------------------------------------------------------------------


@verified_required
def transfers(request: HttpRequest) -> HttpResponse:
    """Transfers to the user's communes waiting for an answer (accept within 5 working days, or
    refuse), then the ones the user's communes sent and received."""
    access.require(request.user, POLICE)
    units = access.units_for(request.user, POLICE)
    everything = access.transfer_list_for_user(request.user)
    with transaction.atomic():
        incoming = list(
            everything.filter(status="proposed", to_commune_id__in=units).order_by("due_on")
        )
        others = list(everything.exclude(pk__in=[t.pk for t in incoming])[:100])
        audit_record(
            actor=request.user,
            action=A.LIST,
            model=Transfer,
            objects=[*incoming, *others],
            purpose="transfers",
        )
    return render(
        request,
        "supervision/transfers.html",
        {
            "incoming": [
                (
                    t,
                    f.DateForm(auto_id=f"accept-{t.uuid}-%s", initial={"on": timezone.localdate()}),
                    f.ReasonForm(auto_id=f"refuse-{t.uuid}-%s"),
                )
                for t in incoming
            ],
            "others": others,
            "today": timezone.localdate(),
        },
    )


@verified_required
@require_POST
def transfer_act(request: HttpRequest, uuid: str, action: str) -> HttpResponse:
    access.require(request.user, POLICE)
    transfer = _one(access.transfer_list_for_user(request.user), uuid)
    if action == "accept":
        form: forms.Form = f.DateForm(request.POST)
        call = lambda: sv.transfer_accept(  # noqa: E731
            actor=request.user, transfer=transfer, on=form.cleaned_data["on"]
        )
        message = _("Đã tiếp nhận hồ sơ; hồ sơ đã chuyển về xã.")
    elif action == "refuse":
        form = f.ReasonForm(request.POST)
        call = lambda: sv.transfer_refuse(  # noqa: E731
            actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"]
        )
        message = _("Đã từ chối tiếp nhận.")
    else:
        raise Http404
    outcome = None
    if form.is_valid():
        if action == "refuse" and request.POST.get("confirm") != "1":
            with transaction.atomic():
                audit_record(
                    actor=request.user, action=A.VIEW, objects=[transfer], purpose="transfers"
                )
            return render(
                request,
                "supervision/transfer_confirm.html",
                {"transfer": transfer, "form": form},
            )
        outcome = attempt(form, call)
        if outcome.ok:
            if action == "accept":
                return done(request, message, "case-supervision", uuid=transfer.case.uuid)
            return done(request, message, "transfers")
    with transaction.atomic():
        audit_record(actor=request.user, action=A.VIEW, objects=[transfer], purpose="transfers")
    return render(
        request,
        "supervision/transfer_confirm.html",
        {"transfer": transfer, "form": form, "refused": True},
        status=form_status(form, outcome),
    )


# --- the supervision worklist and the home cards --------------------------------------------


def _helper_proposals_due(user: User) -> Any:
    """Active cases with a reception meeting and neither a proposed nor an active helper."""
    return (
        access.case_list_for_user(user)
        .filter(status=Case.Status.ACTIVE, milestones__kind=CaseMilestone.Kind.RECEPTION_MEETING)
        .exclude(
            Exists(
                HelperAssignment.objects.filter(
                    case=OuterRef("pk"), status__in=["proposed", "active"]
                )
            )
        )
    )


def _decisions_awaited(user: User) -> Any:
    return access.supervision_rows_for_user(user, HelperAssignment).filter(status="proposed")


def _ends_awaited(user: User) -> Any:
    return access.supervision_rows_for_user(user, EndOfManagement).filter(status="proposed")


def _failures_open(user: User) -> Any:
    return access.supervision_rows_for_user(user, ReportingFailure).filter(
        status__in=ReportingFailure.OPEN
    )


def _transfers_to_answer(user: User) -> Any:
    units = access.units_for(user, POLICE)
    return access.transfer_list_for_user(user).filter(status="proposed", to_commune_id__in=units)


@verified_required
def supervision_work(request: HttpRequest) -> HttpResponse:
    """What the commune's supervision owes today: helper proposals due (3 working days after the
    reception meeting), decisions awaited, people who did not report, transfers to answer, end
    proposals awaiting the chair."""
    user = request.user
    if not _may(user, POLICE, CHAIR) or not (
        access.units_for(user, POLICE) | access.units_for(user, CHAIR)
    ):
        raise PermissionDenied("the supervision worklist is the commune's")
    with transaction.atomic():
        due = sv.helper_decisions_due(
            list(
                _helper_proposals_due(user)
                .select_related("person")
                .annotate(
                    meeting_on=Subquery(
                        CaseMilestone.objects.filter(
                            case=OuterRef("pk"), kind=CaseMilestone.Kind.RECEPTION_MEETING
                        ).values("date")[:1]
                    )
                )
                .order_by("meeting_on", "id")[:100]
            )
        )
        awaited = list(_decisions_awaited(user).select_related("case__person", "helper")[:100])
        ends = list(_ends_awaited(user).select_related("case__person")[:100])
        failures = (
            list(_failures_open(user).select_related("case__person")[:100])
            if access.has(user, POLICE)
            else []
        )
        incoming = list(_transfers_to_answer(user)[:100]) if access.has(user, POLICE) else []
        audit_record(
            actor=user,
            action=A.LIST,
            model=Case,
            objects=[
                *(c for c, _d in due),
                *(a.case for a in awaited),
                *(e.case for e in ends),
                *(x.case for x in failures),
                *(t.case for t in incoming),
            ],
            purpose="supervision worklist",
        )
    return render(
        request,
        "supervision/work.html",
        {
            "due": due,
            "awaited": awaited,
            "ends": ends,
            "failures": failures,
            "incoming": incoming,
            "today": timezone.localdate(),
            "police": access.has(user, POLICE),
        },
    )


def supervision_count(user: User, today: dt.date) -> int:
    """For the header: transfers to answer and people who did not report."""
    if not access.has(user, POLICE):
        return _decisions_awaited(user).count() + _ends_awaited(user).count()
    return _transfers_to_answer(user).count() + _failures_open(user).count()


def _cards(user: User, today: dt.date) -> list[Card]:
    if not _may(user, POLICE, CHAIR) or not (
        access.units_for(user, POLICE) | access.units_for(user, CHAIR)
    ):
        return []
    work = reverse("supervision-work")
    cards = [
        Card(_("Quyết định phân công người giúp đỡ đang chờ"), _decisions_awaited(user).count(),
             f"{work}#cho-quyet-dinh"),
        Card(_("Đề nghị kết thúc quản lý chờ quyết định"), _ends_awaited(user).count(),
             f"{work}#ket-thuc"),
    ]  # fmt: skip
    if access.has(user, POLICE):
        cards = [
            Card(
                _("Cần đề xuất người giúp đỡ"),
                _helper_proposals_due(user).count(),
                f"{work}#can-de-xuat",
            ),
            *cards,
            Card(
                _("Không trình diện: cần xác minh"),
                _failures_open(user).count(),
                f"{work}#khong-trinh-dien",
                alert=True,
            ),
            Card(
                _("Hồ sơ chuyển đến chờ tiếp nhận"),
                _transfers_to_answer(user).count(),
                reverse("transfers"),
            ),
        ]
    return cards


register_card(_cards)
