"""make bench-access: the scoped case list of a commune officer against the same list unscoped.

On PostgreSQL with BENCH_PEOPLE seeded cases (default 1,000,000). Each scoped sample is what a
page does: read the officer's memberships and grants, then the first 50 cases of their commune;
the baseline is the same 50-row page of all cases with no scoping. Both alternate in one run.
Target (DESIGN.md §6): p95 ≤ 150 ms and median ratio ≤ 1.5.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_env, seeded_database, summary  # noqa: E402

PAGE = 50


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    url = seeded_database("bench_seed", people)
    os.environ.update(bench_env(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry import access
    from registry.models import AdministrativeUnit, Agency, Case, Membership, Role, User

    commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
    officer, _ = User.objects.get_or_create(username="bench-commune-officer")
    membership, _ = Membership.objects.get_or_create(
        user=officer,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
    )
    membership.units.set([commune])

    def scoped() -> list[Case]:
        officer.__dict__.pop("_memberships_cache", None)  # memberships are read once per request
        return list(access.case_list_for_user(officer).order_by("-id")[:PAGE])

    def unscoped() -> list[Case]:
        return list(Case.objects.select_related("person", "commune").order_by("-id")[:PAGE])

    for _ in range(20):  # warm caches
        scoped(), unscoped()
    samples: dict[str, list[float]] = {"scoped": [], "unscoped": []}
    for _ in range(int(os.environ.get("BENCH_SAMPLES", "300"))):
        for name, call in (("scoped", scoped), ("unscoped", unscoped)):
            started = time.perf_counter()
            rows = call()
            samples[name].append((time.perf_counter() - started) * 1000)
            assert len(rows) == PAGE
    with CaptureQueriesContext(connection) as queries:
        scoped()
    scoped_sql = queries.captured_queries[-1]["sql"]
    assert all(c.commune_id == commune.pk for c in scoped())
    result = {
        "benchmark": "access_scoped_case_list",
        "cases": Case.objects.count(),
        "commune_cases": Case.objects.filter(commune=commune).count(),
        "page_size": PAGE,
        "scoped": summary(samples["scoped"]),
        "unscoped_baseline": summary(samples["unscoped"]),
        "queries_per_scoped_page": len(queries.captured_queries),
    }
    result["ratio_median"] = round(
        result["scoped"]["median_ms"] / result["unscoped_baseline"]["median_ms"], 2
    )
    result["ratio_p95"] = round(
        result["scoped"]["p95_ms"] / result["unscoped_baseline"]["p95_ms"], 2
    )
    result["targets"] = {"p95_ms": 150, "ratio": 1.5}
    print(json.dumps(result, indent=2))
    if os.environ.get("BENCH_EXPLAIN"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + scoped_sql)
            print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)


if __name__ == "__main__":
    main()
