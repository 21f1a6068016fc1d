"""bench-load: locust, headless, BENCH_USERS (default 50) commune police officers of different
communes browsing worklists, case timelines, case and referral lists against gunicorn (production
settings) on the database seeded with BENCH_PEOPLE people (default 1,000,000; `bench_seed`, shared
with bench-access and bench-api). Prints JSON: p50/p95 and error rate per page and overall, with
/healthz through the same stack under the same load as the baseline.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_env, seeded_database  # noqa: E402

OUT = ROOT / "var" / "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_users(count: int) -> list[dict]:
    """One commune police officer per commune (as many as asked, up to 75), each with a session
    that has passed both factors, and up to 20 case uuids of their commune."""
    import time as clock

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from registry.models import AdministrativeUnit, Agency, Case, Membership, Role, User

    communes = list(
        AdministrativeUnit.objects.filter(unit_list="2025", level="commune").order_by("code")
    )[:count]
    users = []
    for n, commune in enumerate(communes):
        user, _ = User.objects.get_or_create(username=f"bench-load-{n:02d}")
        membership, _ = Membership.objects.get_or_create(
            user=user,
            role=Role.COMMUNE_POLICE,
            agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
        )
        membership.units.set([commune])
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session["signed_in_at"] = clock.time()
        session.create()
        cases = Case.objects.filter(commune=commune).order_by("-id").values_list("uuid", flat=True)
        users.append(
            {
                "user": user.username,
                "session": session.session_key,
                "cases": [str(u) for u in cases[:20]],
            }
        )
    return users


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    officers = int(os.environ.get("BENCH_USERS", "50"))
    seconds = int(os.environ.get("BENCH_SECONDS", "60"))
    url = seeded_database(os.environ.get("BENCH_LOAD_DB", "bench_seed"), people)
    env = {
        **bench_env(url),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "ENCRYPTION_DEV_KEYS": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    OUT.mkdir(parents=True, exist_ok=True)
    users_file = OUT / "load-users.json"
    users_file.write_text(json.dumps(prepare_users(officers)), encoding="utf-8")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the new users and sessions, as autovacuum would

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    web = subprocess.Popen(
        [gunicorn, "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "3",
             "GUNICORN_ACCESS_LOG": "/dev/null"},
        stdout=(OUT / "load-gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                if requests.get(f"{host}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        prefix = OUT / "load"
        subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f", "bench/locustfile.py",
             "--headless", "-u", str(officers), "-r", "10", "-t", f"{seconds}s", "--host", host,
             "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "BENCH_LOAD_USERS": str(users_file)}, check=False,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)

    pages = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            count = int(row["Request Count"])
            pages[row["Name"]] = {
                "requests": count,
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "error_rate": round(int(row["Failure Count"]) / count, 4) if count else None,
            }
    overall = pages.pop("Aggregated")
    baseline = pages.get("healthz (baseline)", {})
    print(
        json.dumps(
            {
                "benchmark": "load",
                "people": people,
                "officers": officers,
                "seconds": seconds,
                "gunicorn_workers": 3,
                "overall": overall,
                "pages": pages,
                "baseline": "healthz through the same gunicorn under the same load",
                "p95_ratio_to_baseline": round(overall["p95_ms"] / baseline["p95_ms"], 2)
                if baseline.get("p95_ms")
                else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
