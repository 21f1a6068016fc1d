"""make bench-access: the scoped case list of a commune officer against the same list unscoped.

On PostgreSQL with BENCH_PEOPLE seeded cases (default 1,000,000), two measurements, each
alternating scoped and unscoped samples in one run:

- ``selector``: the officer's memberships and grants read, then the first 50 cases of their commune
  (``registry.access.case_list_for_user``), against the same query (same joins) for the first 50
  cases of the province with no scoping at all;
- ``page``: the whole staff list page (/cases/: middleware, session, scoping, audit row,
  template) for the commune officer, against the same page for a provincial police officer, whose
  scope is the whole province (the same list unscoped);
- ``audit_write``: the hash chain's cost — an access event written with its link (previous link
  read, HMAC) against a bare insert of the same row.

Target (DESIGN.md §6): p95 ≤ 150 ms and a ratio ≤ 1.5.
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


def with_ratios(block: dict, scoped: str, baseline: str) -> dict:
    block["ratio_median"] = round(block[scoped]["median_ms"] / block[baseline]["median_ms"], 2)
    block["ratio_p95"] = round(block[scoped]["p95_ms"] / block[baseline]["p95_ms"], 2)
    return block


def page_samples(officer, commune) -> dict:
    """The whole list page through the test client, officer of one commune vs provincial police."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from registry.models import Agency, Membership, Role, User

    chief, _ = User.objects.get_or_create(username="bench-provincial-officer")
    Membership.objects.get_or_create(
        user=chief, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    clients = {}
    for name, user in (("commune_officer", officer), ("provincial_unscoped", chief)):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        client = Client()
        client.force_login(user)
        session = client.session
        session["signed_in_at"] = time.time()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        clients[name] = client
    samples: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(10):
        for client in clients.values():
            assert client.get("/cases/").status_code == 200
    for _ in range(int(os.environ.get("BENCH_PAGE_SAMPLES", "200"))):
        for name, client in clients.items():
            started = time.perf_counter()
            response = client.get("/cases/")
            samples[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    return {name: summary(values) for name, values in samples.items()}


def audit_samples(officer) -> dict:
    """The hash chain's cost: one audited read's access event (previous link read, HMAC, insert)
    against a bare insert of the same row without its link, each in its own transaction."""
    from django.db import transaction

    from registry.audit import audit_record
    from registry.models import AccessEvent

    samples: dict[str, list[float]] = {"chained": [], "bare_insert": []}
    for _ in range(int(os.environ.get("BENCH_AUDIT_SAMPLES", "500"))):
        started = time.perf_counter()
        with transaction.atomic():
            audit_record(actor=officer, action=AccessEvent.Action.VIEW, purpose="bench")
        samples["chained"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with transaction.atomic():
            AccessEvent.objects.create(
                actor=officer, username=officer.username, action="view", purpose="bench"
            )
        samples["bare_insert"].append((time.perf_counter() - started) * 1000)
    return {name: summary(values) for name, values in samples.items()}


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    url = seeded_database("bench_seed", people)
    os.environ.update(bench_env(url))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
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
        return list(access.cases_unscoped().order_by("-id")[:PAGE])

    for _ in range(20):  # warm caches
        scoped(), unscoped()
    samples: dict[str, list[float]] = {"scoped": [], "unscoped": []}
    for _ in range(int(os.environ.get("BENCH_SAMPLES", "300"))):
        for name, call in (("scoped", scoped), ("unscoped", unscoped)):
            started = time.perf_counter()
            rows = call()
            samples[name].append((time.perf_counter() - started) * 1000)
            assert len(rows) == PAGE
    page = page_samples(officer, commune)
    audit = audit_samples(officer)
    with CaptureQueriesContext(connection) as queries:
        scoped()
    scoped_sql = queries.captured_queries[-1]["sql"]
    assert all(c.commune_id == commune.pk for c in scoped())
    selector = {
        "scoped": summary(samples["scoped"]),
        "unscoped_bare_query": summary(samples["unscoped"]),
        "queries_per_scoped_call": len(queries.captured_queries),
    }
    result = {
        "benchmark": "access_scoped_case_list",
        "cases": Case.objects.count(),
        "commune_cases": Case.objects.filter(commune=commune).count(),
        "page_size": PAGE,
        "selector": with_ratios(selector, "scoped", "unscoped_bare_query"),
        "page": with_ratios(page, "commune_officer", "provincial_unscoped"),
        "audit_write": with_ratios(audit, "chained", "bare_insert"),
        "targets": {"p95_ms": 150, "ratio": 1.5},
    }
    print(json.dumps(result, indent=2))
    if os.environ.get("BENCH_EXPLAIN"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + scoped_sql)
            print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)


if __name__ == "__main__":
    main()
