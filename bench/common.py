"""Shared by the benchmarks: the PostgreSQL database they run on, seeded once at BENCH_PEOPLE."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_url(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def bench_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "bench-only",
        "ENCRYPTION_DEV_KEYS": "1",
        "KEYRING_FILE": str(ROOT / "var" / "bench" / "keyring.json"),
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seeded_database(name: str, people: int) -> str:
    """A database holding exactly ``people`` demo people, migrated to the current schema; reused
    when it already matches, seeded afresh otherwise."""
    server = os.environ["BENCH_DATABASE_URL"]
    url = database_url(server, name)
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    count = -1
    if exists:
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT to_regclass('registry_person') IS NOT NULL").fetchone()
            if row and row[0]:
                count = conn.execute("SELECT count(*) FROM registry_person").fetchone()[0]
    env = bench_env(url)
    if count != people:
        with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "load_reference_data", "-v", "0")
        manage(
            env, "seed_demo", "--people", str(people), "--seed", "1", "--allow-outside-development"
        )
    manage(env, "migrate", "--noinput", "-v", "0")
    # As autovacuum leaves a production database (it is on by default; the shared bench machines
    # run PostgreSQL with it off): statistics, and the visibility map without which no index-only
    # scan is possible — every count of a commune's cases read the table's pages instead.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return url


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "n": len(ordered),
    }
