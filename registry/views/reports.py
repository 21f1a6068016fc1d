"""The province's report page and its Excel and PDF downloads. Figures come from
``registry.reports.figures`` under the viewer's access scope; each download leaves an audit row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from registry import access
from registry.audit import audit_record
from registry.models import AdministrativeUnit, Agency
from registry.models.access import AccessEvent
from registry.reports.exports import bar_chart_svg, format_number, to_pdf, to_xlsx
from registry.reports.figures import Report, build_report
from registry.reports.periods import Period, Scope
from registry.views.common import verified_required

U = AdministrativeUnit


def _report(request: HttpRequest) -> Report:
    """The report the query string asks for; ValidationError with a Vietnamese message if not."""
    access.require(request.user, "report.view")
    params = request.GET.dict()
    today = timezone.localdate()
    period, scope = Period.parse(params, today), Scope.parse(params)
    return build_report(user=request.user, period=period, scope=scope, today=today)


@verified_required
@transaction.atomic
def report_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, "report.view")
    report, error = None, ""
    if request.GET:
        try:
            report = _report(request)
        except ValidationError as problem:
            error = " ".join(problem.messages)
    return _page(request, report, error)


def _page(request: HttpRequest, report: Report | None, error: str = "") -> HttpResponse:
    sections = []
    if report is not None:
        for section in report.sections:
            tables = [
                {
                    "table": table,
                    "rows": [
                        (row.label, [format_number(v) for v in row.values]) for row in table.rows
                    ],
                    "chart": mark_safe(bar_chart_svg(table)),  # noqa: S308 (escaped in bar_chart_svg)
                }
                for table in section.tables
            ]
            sections.append({"section": section, "tables": tables})
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "sections": sections,
            "error": error,
            "params": request.GET,
            "query": request.GET.urlencode(),
            "years": range(timezone.localdate().year, 2019, -1),
            "communes": U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE).order_by(
                "folded_name"
            ),
            "districts": U.objects.filter(
                unit_list=U.List.PRE_2025, level=U.Level.DISTRICT
            ).order_by("folded_name"),
            "agencies": Agency.objects.exclude(level=Agency.Level.COMMUNE).order_by("name"),
        },
        status=400 if error else 200,
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        report = _report(request)
    except ValidationError as problem:
        return _page(request, None, " ".join(problem.messages))
    audit_record(
        actor=request.user,
        action=AccessEvent.Action.EXPORT,
        purpose=f"báo cáo {kind} {report.period.slug} {report.scope.slug}",
    )
    if kind == "xlsx":
        body = to_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = to_pdf(report), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    name = f"bao-cao-{report.scope.slug}-{report.period.slug}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@verified_required
@transaction.atomic
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@verified_required
@transaction.atomic
def report_pdf(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")
