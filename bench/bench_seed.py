"""make bench-seed: time `seed_demo --people $BENCH_PEOPLE` on a fresh PostgreSQL database.

Prints one JSON object: the seeding time (target ≤ 600 s for 1,000,000 people, DESIGN.md §6), the
rows written per table, and a baseline measured in the same run on the same server — a bare COPY
of the same number of rows of similar width — with the ratio between the two.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TABLES = [
    "registry_person",
    "registry_custodyrecord",
    "registry_case",
    "registry_casemilestone",
    "registry_need",
    "registry_referral",
    "registry_referraltransition",
    "registry_consent",
]


def database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    server = os.environ["BENCH_DATABASE_URL"]
    name = "bench_seed"
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(server, name),
        "DJANGO_SECRET_KEY": "bench-only",
        "ENCRYPTION_DEV_KEYS": "1",
        "KEYRING_FILE": str(ROOT / "var" / "bench" / "keyring.json"),
    }
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference_data", "-v", "0")
    started = time.perf_counter()
    manage(env, "seed_demo", "--people", str(people), "--seed", "1", "--allow-outside-development")
    seconds = time.perf_counter() - started

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        rows = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        total = sum(rows.values())
        conn.execute(
            "CREATE TEMP TABLE baseline (id bigint, a uuid, b bytea, c bytea, d bytea, e text)"
        )
        payload = os.urandom(60)
        started = time.perf_counter()
        with conn.cursor().copy("COPY baseline FROM STDIN") as copy:
            for i in range(total):
                copy.write_row(
                    (i, "6f1c0e1a-0000-4000-8000-000000000000", payload, payload, payload, "x" * 20)
                )
        baseline = time.perf_counter() - started

    print(
        json.dumps(
            {
                "benchmark": "seed_demo",
                "people": people,
                "seconds": round(seconds, 1),
                "people_per_second": round(people / seconds),
                "rows_written": rows,
                "target_seconds_at_1m": 600,
                "projected_seconds_at_1m": round(seconds * 1_000_000 / max(people, 1), 1),
                "baseline_bare_copy_seconds": round(baseline, 1),
                "ratio_to_baseline": round(seconds / baseline, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
