"""make bench-reports: the province-wide yearly report over BENCH_PEOPLE seeded cases.

On the database seeded by the other benchmarks (default 1,000,000 people and cases, with their
needs, referrals and milestones), for a provincial police officer (no scoping) and for a commune
officer (one commune), the last full year:

- ``report``: every figure of the report (``registry.reports.figures.build_report``), with the
  time of each section;
- ``xlsx`` / ``pdf``: the report turned into the Excel workbook and the PDF;
- ``baseline``: one bare ``SELECT count(*)`` over the cases table in the same run — the cost of
  reading the largest table once, to compare the report against.

- ``hcd12`` / ``hcd13``: the Circular's periodic reports for the province (issue 16): HCD-12
  over the last closed monthly window, HCD-13 over the last closed yearly window, figures and the
  filled DOCX (PDF conversion is LibreOffice's, timed apart as ``hcd_pdf``).

Target (issue 8): the province-wide yearly report in at most 5 seconds; (issue 16) HCD-12 and
HCD-13 for the province in at most 5 seconds each. ``BENCH_DB_NAME`` names another database
(default ``bench_seed``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_env, seeded_database, summary  # noqa: E402


def timed(call, samples: int) -> tuple[dict, object]:  # type: ignore[no-untyped-def]
    values, result = [], None
    for _ in range(samples):
        started = time.perf_counter()
        result = call()
        values.append((time.perf_counter() - started) * 1000)
    return summary(values), result


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    url = seeded_database(os.environ.get("BENCH_DB_NAME", "bench_seed"), people)
    os.environ.update(bench_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from registry.models import AdministrativeUnit, Agency, Case, Membership, Role, User
    from registry.reports import figures
    from registry.reports.exports import to_pdf, to_xlsx
    from registry.reports.periods import Period, Scope

    chief, _ = User.objects.get_or_create(username="bench-provincial-officer")
    Membership.objects.get_or_create(
        user=chief, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
    officer, _ = User.objects.get_or_create(username="bench-commune-officer")
    membership, _ = Membership.objects.get_or_create(
        user=officer,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
    )
    membership.units.set([commune])
    today = timezone.localdate()
    period = Period.year(today.year - 1)
    samples = int(os.environ.get("BENCH_SAMPLES", "5"))

    def baseline() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM registry_case")
            return cursor.fetchone()[0]

    def report_for(user: User):  # type: ignore[no-untyped-def]
        return lambda: figures.build_report(
            user=user, period=period, scope=Scope.province(), today=today
        )

    report_for(chief)()  # warm caches
    baseline_summary, cases = timed(baseline, samples)
    province, report = timed(report_for(chief), samples)
    commune_summary, _ = timed(report_for(officer), samples)
    sections = {}
    for builder in figures._SECTIONS:
        context = figures.ReportContext(chief, period, Scope.province(), today)
        sections[builder.__name__], _ = timed(lambda b=builder, c=context: b(c), samples)
    xlsx, body = timed(lambda: to_xlsx(report), samples)
    pdf, document = timed(lambda: to_pdf(report), samples)
    from registry.documents import periodic
    from registry.documents.generate import commune_document
    from registry.documents.render import to_pdf as docx_to_pdf

    def hcd(form: str, kind: str):  # type: ignore[no-untyped-def]
        window = periodic.latest_closed(form, kind, today)

        def run() -> bytes:
            extra = periodic.report_extra(window, chief, None)
            return commune_document(form, None, chief, today, extra).docx

        return window, run

    hcd_results = {}
    for form, kind in (("HCD-12", "month"), ("HCD-13", "year")):
        window, run = hcd(form, kind)
        run()  # warm
        timing, docx = timed(run, samples)
        hcd_results[form] = {
            **timing,
            "window": f"{window.start:%d/%m/%Y}–{window.end:%d/%m/%Y}",
            "docx_bytes": len(docx),
            "within_target": timing["p95_ms"] <= 5000,
        }
    pdf_timing, _ = timed(lambda: docx_to_pdf(docx), 1)
    result = {
        "benchmark": "province_yearly_report",
        "cases": cases,
        "period": period.label,
        "report_province": province,
        "report_one_commune_officer": commune_summary,
        "baseline_count_cases": baseline_summary,
        "ratio_median_to_baseline": round(province["median_ms"] / baseline_summary["median_ms"], 1),
        "sections_median_ms": {name: s["median_ms"] for name, s in sections.items()},
        "xlsx": {**xlsx, "bytes": len(body)},
        "pdf": {**pdf, "bytes": len(document)},
        "figures": {
            "notified": report.value("people", "flow", "notified"),
            "managed": report.value("people", "flow", "managed"),
            "referrals_sent": report.value("referrals", "by_agency", "total"),
        },
        "hcd12_province": hcd_results["HCD-12"],
        "hcd13_province": hcd_results["HCD-13"],
        "hcd_pdf": pdf_timing,
        "target_ms": 5000,
        "within_target": province["p95_ms"] + xlsx["p95_ms"] <= 5000
        and province["p95_ms"] + pdf["p95_ms"] <= 5000,
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    assert Case.objects.exists()


if __name__ == "__main__":
    main()
