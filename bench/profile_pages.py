"""make profile-pages: where a staff page's server time goes (issue 20, docs/performance.md).

Each page of the load benchmark's mix is requested BENCH_PROFILE_SAMPLES times (default 50) in
process, through the whole stack (middleware, session, access policy, audit row, templates), on the
database seeded for the benchmarks, with production settings. For each page it prints, per request:
the wall time, the CPU time, the SQL statements and the time spent in them (driver included), and
the Python function calls (a count that, unlike times, a busy machine does not change), and
the inclusive time of the parts named in the issue — session read, user and second factor,
access policy, audit insert, decryption, templates, metrics — taken from cProfile. Inclusive times
overlap: a query run while a template renders counts in both "templates" and "sql".
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_env, seeded_database  # noqa: E402

# (label, dotted path of a function): inclusive time of its outermost calls.
PARTS = [
    ("session_read", "django.contrib.sessions.backends.db.SessionStore.load"),
    ("session_write", "django.contrib.sessions.backends.db.SessionStore.save"),
    ("user", "django.contrib.auth.middleware.get_user"),
    ("second_factor", "django_otp.middleware.OTPMiddleware._verify_user_sync"),
    ("memberships", "registry.access.memberships"),
    ("audit_insert", "registry.audit.audit_record"),
    ("decryption", "registry.crypto.Keyring.open"),
    ("templates", "django.template.base.Template.render"),
    ("metrics", "registry.metrics.observe_latency"),
]


def code_key(dotted: str) -> tuple[str, int, str]:
    import importlib

    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        code = target.__code__  # type: ignore[attr-defined]
        return code.co_filename, code.co_firstlineno, code.co_name
    raise ImportError(dotted)


def inclusive_ms(stats: pstats.Stats, key: tuple[str, int, str]) -> float:
    row = stats.stats.get(key)  # type: ignore[attr-defined]
    return row[3] * 1000 if row else 0.0  # cumulative time, recursion counted once


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    samples = int(os.environ.get("BENCH_PROFILE_SAMPLES", "50"))
    url = seeded_database(os.environ.get("BENCH_LOAD_DB", "bench_seed"), people)
    os.environ.update(bench_env(url))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.db import connection

    from bench.bench_load import prepare_users
    from bench.bench_pages import signed_in_client
    from registry.models import User

    users = prepare_users(5)
    police, agency = users[0], users[4]
    clients = {
        kind: signed_in_client(User.objects.get(username=me["user"]))
        for kind, me in (("police", police), ("agency", agency))
    }
    pages = {
        "home": ("police", "get", "/", None),
        "worklist": ("police", "get", "/worklist/", None),
        "case page": ("police", "get", f"/cases/{police['cases'][0]}/", None),
        "case list": ("police", "get", "/cases/", None),
        "search by name": ("police", "post", "/search/", {"q": police["names"][0]}),
        "inbox": ("agency", "get", "/inbox/", None),
        "referral": ("agency", "get", f"/referrals/{agency['referrals'][0]}/", None),
    }
    sql = {"count": 0, "seconds": 0.0}

    def timed(execute, statement, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["count"] += 1
            sql["seconds"] += time.perf_counter() - started

    result: dict[str, object] = {"benchmark": "profile_pages", "people": people}
    for name, (kind, method, path, data) in pages.items():
        client = clients[kind]

        def request(client=client, method=method, path=path, data=data):  # type: ignore[no-untyped-def]
            send = getattr(client, method)
            response = send(path, data) if data else send(path)
            assert response.status_code == 200, (path, response.status_code)

        for _ in range(3):
            request()
        sql.update(count=0, seconds=0.0)
        wall = time.perf_counter()
        cpu = time.process_time()
        with connection.execute_wrapper(timed):
            for _ in range(samples):
                request()
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        block: dict[str, float] = {
            "wall_ms": round(wall * 1000 / samples, 2),
            "cpu_ms": round(cpu * 1000 / samples, 2),
            "sql_statements": round(sql["count"] / samples, 1),
            "sql_ms": round(sql["seconds"] * 1000 / samples, 2),
        }
        # The parts, measured again under cProfile (which slows Python code down; the ratio of
        # profiled to plain wall time is printed so that the parts can be scaled back).
        profiler = cProfile.Profile()
        profiled = time.perf_counter()
        profiler.enable()
        for _ in range(samples):
            request()
        profiler.disable()
        profiled = time.perf_counter() - profiled
        block["profiled_wall_ratio"] = round(profiled / wall, 2)
        stats = pstats.Stats(profiler)
        # Python function calls per request: a measure of the work done that a busy machine does
        # not blur (times do), to compare two versions of the code.
        block["python_calls"] = round(stats.total_calls / samples)  # type: ignore[attr-defined]
        for label, dotted in PARTS:
            block[f"{label}_ms"] = round(inclusive_ms(stats, code_key(dotted)) / samples, 2)
        result[name] = block
        if os.environ.get("BENCH_PROFILE_DUMP"):
            stats.sort_stats(os.environ["BENCH_PROFILE_DUMP"]).print_stats(30)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
