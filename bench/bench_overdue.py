"""make bench-overdue: the provincial police's overdue list and an agency's inbox at BENCH_PEOPLE
seeded cases (default 1,000,000), through the whole Django stack in process (middleware, session,
access policy, audit row, django-tables2, templates), beside a bare query of the rows shown.

Pages: /overdue/ (whole province), /overdue/ filtered by agency and by commune, Home Affairs'
/inbox/ and its "overdue" view. JSON with median and p95 per page and the ratio to the bare query.
The database is BENCH_DB_NAME (default bench_seed), seeded if it does not hold BENCH_PEOPLE.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_pages import signed_in_client  # noqa: E402
from bench.common import bench_env, seeded_database, summary  # noqa: E402


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    url = seeded_database(os.environ.get("BENCH_DB_NAME", "bench_seed"), people)
    os.environ.update(bench_env(url))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from registry.models import AdministrativeUnit, Agency, Membership, Referral, Role, User

    def member(username: str, role: str, code: str) -> User:
        user, _ = User.objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=user, role=role, agency=Agency.objects.get(code=code))
        return user

    chief = signed_in_client(member("bench-chief", Role.PROVINCIAL_POLICE, "cong-an-tinh"))
    clerk = signed_in_client(member("bench-noi-vu", Role.HOME_AFFAIRS, "so-noi-vu"))
    commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
    today = timezone.localdate()

    def bare(sql: str, *params: object):  # type: ignore[no-untyped-def]
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()

        return run

    overdue_sql = (
        "SELECT r.id, p.full_name, u.name, a.name, r.response_due FROM registry_referral r"
        " JOIN registry_need n ON n.id = r.need_id JOIN registry_case c ON c.id = n.case_id"
        " JOIN registry_person p ON p.id = c.person_id"
        " JOIN registry_administrativeunit u ON u.id = c.commune_id"
        " JOIN registry_agency a ON a.id = r.agency_id"
        " WHERE r.status = 'requested' AND r.response_due < %s"
        " ORDER BY r.response_due, r.id LIMIT 51"
    )
    pages = {
        "overdue": (lambda: chief.get("/overdue/"), bare(overdue_sql, today)),
        "overdue_by_agency": (
            lambda: chief.get("/overdue/?agency=nhcsxh-son-la"),
            bare(overdue_sql, today),
        ),
        "overdue_by_commune": (
            lambda: chief.get(f"/overdue/?commune={commune.code}"),
            bare(overdue_sql, today),
        ),
        "inbox": (lambda: clerk.get("/inbox/"), bare(overdue_sql, today)),
        "inbox_overdue": (lambda: clerk.get("/inbox/?view=overdue"), bare(overdue_sql, today)),
    }
    samples = int(os.environ.get("BENCH_PAGE_SAMPLES", "50"))
    result: dict[str, object] = {
        "benchmark": "agency_pages",
        "referrals": Referral.objects.count(),
        "overdue_referrals": Referral.objects.filter(Referral.overdue_q(today)).count(),
    }
    for name, (page, baseline) in pages.items():
        for _ in range(3):  # warm
            response = page()
            assert response.status_code == 200, (name, response.status_code)
            baseline()
        timed: dict[str, list[float]] = {"page": [], "bare_query": []}
        for _ in range(samples):
            started = time.perf_counter()
            page()
            timed["page"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            baseline()
            timed["bare_query"].append((time.perf_counter() - started) * 1000)
        block = {key: summary(values) for key, values in timed.items()}
        block["ratio_median"] = round(
            block["page"]["median_ms"] / max(block["bare_query"]["median_ms"], 0.01), 1
        )
        result[name] = block
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
