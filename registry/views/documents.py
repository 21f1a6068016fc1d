"""The HCD forms' pages: a case's dossier (which forms are there, which are missing, each as
Word or PDF), and the province's templates (upload a replacement valid from a date).

Downloads are exports: scoped by ``registry.access``, audited, and filled only with the fields the
viewer's profile allows (``registry.documents.forms``)."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from jinja2 import TemplateError

from registry import access
from registry.audit import audit_record
from registry.documents import forms as documents
from registry.documents import periodic
from registry.documents.generate import Rendered, case_document, commune_document
from registry.documents.render import DOCX, template_for, to_pdf
from registry.forms.documents import SubmissionForm, TemplateUploadForm
from registry.models import (
    AccessEvent,
    AdministrativeUnit,
    Case,
    DocumentTemplate,
    FormCode,
    ReportSubmission,
)
from registry.services.documents import document_template_upload
from registry.services.documents import report_submission_record as record_submission
from registry.views.casework import case_context, open_case
from registry.views.common import attempt, done, form_status, verified_required
from registry.views.home import Card, register_card

A = AccessEvent.Action
STATUS_LABELS = {
    documents.PRESENT: (gettext_lazy("Đã có dữ liệu"), "green"),
    documents.MISSING: (gettext_lazy("Còn thiếu"), "red"),
    documents.NOT_NEEDED: (gettext_lazy("Chưa cần"), "grey"),
}


def template_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A template in force that fails to fill (an uploaded one with a wrong field or a forbidden
    expression) answers with what to do instead of a server error page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except TemplateError as error:
            return HttpResponse(
                _("Mẫu đang áp dụng không điền được (%(e)s). Báo Công an tỉnh sửa mẫu tại trang "
                  "Mẫu giấy tờ HCD.") % {"e": error},
                status=500,
                content_type="text/plain; charset=utf-8",
            )  # fmt: skip

    return wrapper


def file_response(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def document_response(request: HttpRequest, rendered: Rendered, fmt: str) -> HttpResponse:
    """The DOCX, or its PDF; a 503 with a Vietnamese message if LibreOffice is missing or fails."""
    on = timezone.localdate()
    if fmt == "docx":
        return file_response(rendered.docx, DOCX, rendered.file_name(on))
    try:
        body = to_pdf(rendered.docx)
    except (ImproperlyConfigured, subprocess.SubprocessError, OSError):
        return HttpResponse(
            _("Chưa chuyển được sang PDF lúc này; hãy tải bản Word (.docx)."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return file_response(body, "application/pdf", rendered.file_name(on, "pdf"))


@verified_required
def case_dossier(request: HttpRequest, uuid: str) -> HttpResponse:
    """The dossier of Circular 10/2024 Art. 11 as HCD forms: present, missing or needed only
    when something happens; each downloadable as Word or PDF."""
    access.require(request.user, "case.export")
    with transaction.atomic():
        case = open_case(request, uuid, "dossier")
        context = case_context(request, case, "dossier")
        context["forms"] = [
            {
                "spec": spec,
                "status": status,
                "label": STATUS_LABELS[status][0],
                "colour": STATUS_LABELS[status][1],
            }
            for spec, status in documents.dossier(case, request.user)
        ]
    return render(request, "casework/case_dossier.html", context)


@verified_required
@template_errors
def case_form(request: HttpRequest, uuid: str, code: str, fmt: str) -> HttpResponse:
    access.require(request.user, "case.export")
    spec = documents.FORMS.get(code.upper())
    if spec is None or spec.scope != "case" or fmt not in ("docx", "pdf"):
        raise Http404
    with transaction.atomic():
        case = access.get_for_user(request.user, Case, uuid)
        audit_record(
            actor=request.user, action=A.EXPORT, objects=[case], purpose=f"{spec.code} {fmt}"
        )
        rendered = case_document(spec.code, case, request.user, timezone.localdate())
    return document_response(request, rendered, fmt)


# --- the province's templates ------------------------------------------------------------------


@verified_required
def document_templates(request: HttpRequest) -> HttpResponse:
    """Each form's template in force today and its versions; upload a replacement."""
    access.require(request.user, "admin.use")
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        outcome = attempt(
            form,
            lambda: document_template_upload(
                actor=request.user,
                form=data["form"],
                title=data["title"],
                content=upload.read(),
                file_name=upload.name,
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                note=data["note"],
            ),
        )
        if outcome.ok:
            return done(
                request,
                _("Đã lưu mẫu %(form)s, áp dụng từ ngày %(day)s.")
                % {"form": data["form"], "day": f"{data['valid_from']:%d/%m/%Y}"},
                "document-templates",
            )
    today = timezone.localdate()
    versions: dict[str, list[DocumentTemplate]] = {}
    for version in DocumentTemplate.objects.defer("content").select_related("uploaded_by"):
        versions.setdefault(version.form, []).append(version)
    rows = []
    for code, label in FormCode.choices:
        chosen = template_for(code, today)
        rows.append(
            {
                "code": code,
                "label": label,
                "current": chosen.template,
                "title": chosen.title,
                "versions": versions.get(code, []),
            }
        )
    return render(
        request,
        "documents/templates.html",
        {"rows": rows, "form": form, "today": today},
        status=form_status(form, outcome),
    )


@verified_required
def document_template_file(request: HttpRequest, code: str) -> HttpResponse:
    """A template to edit: a given version (``?v=<uuid>``), else the one in force today."""
    access.require(request.user, "admin.use")
    if code not in FormCode.values:
        raise Http404
    version = request.GET.get("v")
    if version:
        try:
            found = DocumentTemplate.objects.filter(form=code, uuid=version).first()
        except ValidationError as error:
            raise Http404 from error
        if found is None:
            raise Http404
        content = bytes(found.content)
    else:
        content = template_for(code, timezone.localdate()).content
    return file_response(content, DOCX, f"mau-{code.lower()}.docx")


# --- periodic reports: HCD-12, HCD-13 and the quarterly list HCD-09 ----------------------------

U = AdministrativeUnit
STATUS_TAGS = {
    "sent": (gettext_lazy("Đã gửi"), "green"),
    "overdue": (gettext_lazy("Quá hạn"), "red"),
    "due": (gettext_lazy("Đến hạn gửi"), "yellow"),
    "open": (gettext_lazy("Đang trong kỳ"), "grey"),
}


def reporting_place(request: HttpRequest, unit_code: str | None) -> U | None:
    """The commune the user reports for (``unit_code`` among theirs), or None for the province
    (provincial police only); 403 for a role that owes no periodic report, 404 for a commune
    outside the user's."""
    access.require(request.user, "report.view")
    whole = access.sees_whole_province(request.user, "report.view")
    communes = U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE)
    if not whole:
        mine = access.units_for(request.user, "report.view")
        if not mine:
            raise PermissionDenied("no commune to report for")
        communes = communes.filter(pk__in=mine)
        if not unit_code:
            return communes.order_by("folded_name").first()
    if not unit_code:
        return None
    unit = communes.filter(code=unit_code).first()
    if unit is None:
        raise Http404
    return unit


def _period_or_404(form: str, kind: str, year: int, number: int) -> periodic.ReportPeriod:
    try:
        return periodic.report_period(form, kind, int(year), int(number))
    except ValueError as error:
        raise Http404 from error


def _submissions(commune: U | None, periods: list[periodic.ReportPeriod]) -> dict[str, Any]:
    rows = ReportSubmission.objects.filter(
        commune=commune, period_start__in={p.start for p in periods}
    ).select_related("submitted_by")
    return {f"{s.form}/{s.period_kind}/{s.period_start}": s for s in rows}


@verified_required
def periodic_reports(request: HttpRequest) -> HttpResponse:
    """The reporting calendar of a commune (or of the province): each period's window, due date
    and recipient, whether it was sent, its Word and PDF, and the quarter's HCD-09 list."""
    place = reporting_place(request, request.GET.get("unit"))
    today = timezone.localdate()
    periods = periodic.periods_around(today)
    sent = _submissions(place, periods)
    rows = []
    for period in periods:
        submission = sent.get(f"{period.form}/{period.kind}/{period.start}")
        status = period.status(submission, today)
        rows.append(
            {
                "period": period,
                "submission": submission,
                "status": status,
                "label": STATUS_TAGS[status][0],
                "colour": STATUS_TAGS[status][1],
            }
        )
    whole = access.sees_whole_province(request.user, "report.view")
    choices = U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE)
    if not whole:
        choices = choices.filter(pk__in=access.units_for(request.user, "report.view"))
    return render(
        request,
        "documents/periodic.html",
        {
            "place": place,
            "rows": rows,
            "today": today,
            "unit_query": f"?unit={place.code}" if place else "",
            "communes": choices.order_by("folded_name"),
            "whole": whole,
            "can_send": access.has(request.user, "case.export"),
            "can_templates": access.has(request.user, "admin.use"),
            "can_list": place is not None and access.has(request.user, "case.export"),
            "quarter": (today.month - 1) // 3 + 1,
            "year": today.year,
            "form": SubmissionForm(initial={"submitted_on": today}),
        },
    )


@verified_required
@template_errors
def periodic_report_file(
    request: HttpRequest, form: str, kind: str, year: str, number: str, fmt: str
) -> HttpResponse:
    place = reporting_place(request, request.GET.get("unit"))
    period = _period_or_404(form, kind, int(year), int(number))
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=A.EXPORT,
            purpose=f"{form} {period.slug} {place.code if place else 'tinh'}",
        )
        extra = periodic.report_extra(period, request.user, place)
        rendered = commune_document(form, place, request.user, timezone.localdate(), extra)
    return document_response(request, rendered, fmt)


@verified_required
@require_POST
def periodic_report_sent(
    request: HttpRequest, form: str, kind: str, year: str, number: str
) -> HttpResponse:
    """Record that this period's report was sent (police of the commune, or the province)."""
    access.require(request.user, "case.export")
    place = reporting_place(request, request.POST.get("unit"))
    period = _period_or_404(form, kind, int(year), int(number))
    data_form = SubmissionForm(request.POST)
    outcome = None
    if data_form.is_valid():
        outcome = attempt(
            data_form,
            lambda: record_submission(
                actor=request.user,
                form=form,
                period_kind=kind,
                period_start=period.start,
                period_end=period.end,
                commune=place,
                recipient=period.recipient,
                submitted_on=data_form.cleaned_data["submitted_on"],
                reference=data_form.cleaned_data["reference"],
            ),
        )
        if outcome.ok:
            messages.success(
                request, _("Đã ghi nhận: đã gửi %(form)s %(label)s.") % {
                    "form": form, "label": period.label}
            )  # fmt: skip
            target = reverse("periodic-reports")
            return redirect(f"{target}?unit={place.code}" if place else target)
    problems = [str(e) for errors in data_form.errors.values() for e in errors]
    if outcome is not None and not outcome.ok:
        problems += [str(e) for e in data_form.non_field_errors()]
    return render(
        request,
        "documents/periodic_refused.html",
        {"period": period, "place": place, "problems": problems or [_("Không ghi nhận được.")]},
        status=form_status(data_form, outcome),
    )


@verified_required
def periodic_submissions(request: HttpRequest) -> HttpResponse:
    """The province's view: for one period, which communes sent their report and when."""
    access.require(request.user, "report.view")
    if not access.sees_whole_province(request.user, "report.view"):
        raise PermissionDenied("the province's page")
    today = timezone.localdate()
    kind = request.GET.get("kind") or "month"
    form = "HCD-12" if kind == "month" else "HCD-13"
    try:
        if request.GET.get("year") and request.GET.get("number"):
            period = periodic.report_period(
                form, kind, int(request.GET["year"]), int(request.GET["number"])
            )
        else:
            period = periodic.latest_closed(form, kind, today)
    except ValueError as error:
        raise Http404 from error
    sent = {
        s.commune_id: s
        for s in ReportSubmission.objects.filter(
            form=form, period_kind=kind, period_start=period.start, commune__isnull=False
        )
    }
    communes = U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE).order_by(
        "folded_name"
    )
    rows = []
    for commune in communes:
        status = period.status(sent.get(commune.pk), today)
        rows.append(
            {
                "commune": commune,
                "submission": sent.get(commune.pk),
                "label": STATUS_TAGS[status][0],
                "colour": STATUS_TAGS[status][1],
            }
        )
    rules = periodic.all_rules()
    choices = [
        periodic.report_period(form, kind, y, n, rules)
        for y in (today.year - 1, today.year)
        for n in range(1, periodic.KINDS[kind][0] + 1)
    ]
    return render(
        request,
        "documents/submissions.html",
        {
            "period": period,
            "rows": rows,
            "sent_count": len(sent),
            "total": len(rows),
            "form_code": form,
            "kind": kind,
            "choices": [p for p in choices if p.start <= today],
        },
    )


@verified_required
@template_errors
def commune_form(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """HCD-09, the commune's quarterly list by group: names, so an audited export."""
    access.require(request.user, "case.export")
    place = reporting_place(request, code)
    if place is None or fmt not in ("docx", "pdf"):
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        quarter = int(request.GET.get("quarter") or (timezone.localdate().month - 1) // 3 + 1)
        dt.date(year, 3 * quarter, 1)  # a quarter 1–4 of a real year
    except ValueError as error:
        raise Http404 from error
    with transaction.atomic():
        rendered = commune_document(
            "HCD-09", place, request.user, timezone.localdate(),
            {"year": year, "quarter_number": quarter},
        )  # fmt: skip
        cases, _groups = documents.quarter_cases(place, request.user, year, quarter)
        audit_record(
            actor=request.user, action=A.EXPORT, objects=list(cases), model=Case,
            purpose=f"HCD-09 {year}-Q{quarter} {fmt}",
        )  # fmt: skip
    return document_response(request, rendered, fmt)


def _reports_due(user: Any, today: dt.date) -> list[Card]:
    """The home page's figure for commune police: periodic reports due or late, not yet sent."""
    if not access.has(user, "case.export") or access.sees_whole_province(user, "report.view"):
        return []
    units = access.units_for(user, "report.view")
    if not units:
        return []
    place = U.objects.filter(pk__in=units).order_by("folded_name").first()
    ended = [p for p in periodic.periods_around(today) if p.end < today]
    sent = _submissions(place, ended)
    waiting = [p for p in ended if f"{p.form}/{p.kind}/{p.start}" not in sent]
    return [
        Card(
            gettext_lazy("Báo cáo định kỳ chưa gửi"),
            len(waiting),
            reverse("periodic-reports"),
            alert=any(p.due < today for p in waiting),
        )
    ]


register_card(_reports_due)
