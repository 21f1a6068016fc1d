"""make bench-load: the staff page mix of a province's busiest hour against gunicorn (production
settings) on the database seeded with BENCH_PEOPLE people (default 1,000,000; `bench_seed`, shared
with bench-access and bench-api), driven by locust (bench/locustfile.py): commune police officers
of different communes and agency officers, think time 0.5–2 s.

Runs (issue 20): the mix with BENCH_USERS (50) and then BENCH_USERS_HIGH (100) officers, each for
BENCH_SECONDS (60); then each page alone for BENCH_PAGE_SECONDS (15) with 10 officers. For every
run it reports requests served per second, the share of the requests offered that were served,
p50/p95, errors, and the server's CPU milliseconds per request — the gunicorn processes' CPU time
(psutil, workers reaped during the run included) and, apart, PostgreSQL's — so that the load
generator's cost on the same two cores is not counted as the server's. /healthz through the same
stack is the baseline. Targets are printed beside the figures, with whether each was met.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_env, seeded_database  # noqa: E402

OUT = ROOT / "var" / "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Each page alone, with the user classes that open it (bench/locustfile.py).
PAGES = {
    "healthz": ("CommuneOfficer", "AgencyOfficer"),
    "home": ("CommuneOfficer", "AgencyOfficer"),
    "worklist": ("CommuneOfficer",),
    "case": ("CommuneOfficer",),
    "cases": ("CommuneOfficer",),
    "search": ("CommuneOfficer",),
    "inbox": ("AgencyOfficer",),
    "referral": ("AgencyOfficer",),
}
MEAN_THINK_SECONDS = 1.25  # locustfile: between(0.5, 2.0)
AGENCIES = ("so-noi-vu", "nhcsxh-son-la", "so-tu-phap")
TARGETS = {
    "mix_p95_ms": {"50": 300, "100": 1000},
    "served_share_min": 0.9,
    "error_rate_max": 0.0,
    "cpu_ms_per_request_max": 25,
    "healthz_p95_ms_max": 50,
}


def signed_in_session(user, device) -> str:  # type: ignore[no-untyped-def]
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["signed_in_at"] = session["seen_at"] = time.time()
    session.create()
    return session.session_key


def prepare_users(count: int) -> list[dict]:
    """``count`` staff with signed-in, second-factor-verified sessions: four in five are commune
    police officers, one per commune in turn (75 communes: above 75 officers some communes have
    two), each with up to 20 of their cases and the names to search them by; the others are
    officers of Home Affairs, the bank and Justice with up to 20 referrals sent to their agency."""
    from django.middleware.csrf import _get_new_csrf_string
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from registry.models import AdministrativeUnit, Agency, Case, Membership, Referral, Role, User

    communes = list(
        AdministrativeUnit.objects.filter(unit_list="2025", level="commune").order_by("code")
    )
    roles = {
        "so-noi-vu": Role.HOME_AFFAIRS,
        "nhcsxh-son-la": Role.SOCIAL_POLICY_BANK,
        "so-tu-phap": Role.JUSTICE,
    }
    users = []
    for n in range(count):
        police = n % 5 != 4
        user, _ = User.objects.get_or_create(username=f"bench-load-{n:03d}")
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        me: dict = {"user": user.username, "csrf": _get_new_csrf_string()}
        if police:
            commune = communes[(n - n // 5) % len(communes)]
            membership, _ = Membership.objects.get_or_create(
                user=user,
                role=Role.COMMUNE_POLICE,
                agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
            )
            membership.units.set([commune])
            cases = list(
                Case.objects.filter(commune=commune, status="active")
                .select_related("person")
                .order_by("-id")[:20]
            )
            me.update(
                kind="police",
                cases=[str(c.uuid) for c in cases],
                names=[" ".join(c.person.folded_name.split()[-2:]) for c in cases],
            )
        else:
            code = AGENCIES[(n // 5) % len(AGENCIES)]
            agency = Agency.objects.get(code=code)
            Membership.objects.get_or_create(user=user, role=roles[code], agency=agency)
            referrals = Referral.objects.filter(agency=agency).order_by("-id")[:20]
            me.update(kind="agency", referrals=[str(r.uuid) for r in referrals])
        me["session"] = signed_in_session(user, device)
        users.append(me)
    return users


def cpu_seconds(root: psutil.Process) -> float:
    """CPU time of a process tree: the root's own and that of its children, living or reaped."""
    try:
        times = root.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in root.children(recursive=True):
            with_child = child.cpu_times()
            total += with_child.user + with_child.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def postmaster() -> psutil.Process | None:
    for proc in psutil.process_iter(["name", "ppid"]):
        if proc.info["name"] in ("postgres", "postmaster"):
            parent = proc.parent()
            if parent is None or parent.name() not in ("postgres", "postmaster"):
                return proc
    return None


def read_stats(prefix: Path) -> dict[str, dict]:
    pages = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            count = int(row["Request Count"])
            pages[row["Name"]] = {
                "requests": count,
                "p50_ms": float(row["50%"]) if count else None,
                "p95_ms": float(row["95%"]) if count else None,
                "errors": int(row["Failure Count"]),
                "error_rate": round(int(row["Failure Count"]) / count, 4) if count else None,
            }
    return pages


def spawn_rate(officers: int) -> int:
    return max(officers // 5, 5)


def run_locust(
    host: str, users_file: Path, web: psutil.Process, name: str, officers: int, seconds: int,
    tags: list[str] | None = None, classes: tuple[str, ...] = (),
) -> dict:  # fmt: skip
    """One locust run; the figures of the run with the server's CPU per request served."""
    prefix = OUT / f"load-{name}"
    database = postmaster()
    web_before = cpu_seconds(web)
    db_before = cpu_seconds(database) if database else 0.0
    started = time.monotonic()
    subprocess.run(
        [str(Path(sys.executable).with_name("locust")), "-f", "bench/locustfile.py",
         "--headless", "-u", str(officers), "-r", str(spawn_rate(officers)), "-t", f"{seconds}s",
         "--host", host, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
         *(["--tags", *tags] if tags else []), *classes],
        cwd=ROOT, env={**os.environ, "BENCH_LOAD_USERS": str(users_file)}, check=False,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    web_cpu = cpu_seconds(web) - web_before
    db_cpu = (cpu_seconds(database) - db_before) if database else 0.0
    pages = read_stats(prefix)
    overall = pages.pop("Aggregated")
    served = overall["requests"]
    # What the officers would have asked for had every page answered at once.
    # Locust starts the officers over the first seconds (``-r`` a second): an officer not yet
    # started asks for nothing, so the ramp counts for half its length.
    ramp = officers / spawn_rate(officers)
    offered = officers * (seconds - ramp / 2) / MEAN_THINK_SECONDS
    return {
        "officers": officers,
        "seconds": seconds,
        "requests_per_second": round(served / seconds, 1),
        "served_share_of_offered": round(min(served / offered, 1.0), 3),
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "errors": overall["errors"],
        "error_rate": overall["error_rate"],
        "server_cpu_ms_per_request": round(web_cpu * 1000 / max(served, 1), 1),
        "database_cpu_ms_per_request": round(db_cpu * 1000 / max(served, 1), 1),
        "wall_seconds": round(elapsed, 1),
        "pages": pages,
    }


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    officers = int(os.environ.get("BENCH_USERS", "50"))
    officers_high = int(os.environ.get("BENCH_USERS_HIGH", "100"))
    seconds = int(os.environ.get("BENCH_SECONDS", "60"))
    page_seconds = int(os.environ.get("BENCH_PAGE_SECONDS", "15"))
    # config/gunicorn.py's defaults on this machine: two workers a core, four threads each.
    workers = os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1)))
    threads = os.environ.get("GUNICORN_THREADS", "4")
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
    users_file.write_text(json.dumps(prepare_users(max(officers, officers_high))), "utf-8")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the new users and sessions, as autovacuum would
    connection.close()

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen(
        [gunicorn, "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": workers,
             "GUNICORN_THREADS": threads, "GUNICORN_MAX_REQUESTS": "0",
             "GUNICORN_ACCESS_LOG": "/dev/null"},
        stdout=(OUT / "load-gunicorn.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    web = psutil.Process(process.pid)
    runs: dict[str, dict] = {}
    try:
        for _ in range(100):
            try:
                if requests.get(f"{host}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        run_locust(host, users_file, web, "warm", 10, 10)  # templates compiled, pools filled
        runs["mix"] = run_locust(host, users_file, web, "mix", officers, seconds)
        runs["mix_high"] = run_locust(host, users_file, web, "mix-high", officers_high, seconds)
        alone = {}
        for page, classes in PAGES.items():
            run = run_locust(
                host, users_file, web, f"page-{page}", 10, page_seconds, [page], classes
            )
            run.pop("pages")
            alone[page] = run
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    mix, high = runs["mix"], runs["mix_high"]
    healthz = mix["pages"].get("healthz (baseline)", {})
    met = {
        "mix_p95": mix["p95_ms"] <= TARGETS["mix_p95_ms"]["50"],
        "mix_high_p95": high["p95_ms"] <= TARGETS["mix_p95_ms"]["100"],
        "served_share": mix["served_share_of_offered"] >= TARGETS["served_share_min"],
        "errors": mix["errors"] == 0 and high["errors"] == 0,
        "cpu_per_request": mix["server_cpu_ms_per_request"] <= TARGETS["cpu_ms_per_request_max"],
        "healthz_p95": (healthz.get("p95_ms") or 1e9) <= TARGETS["healthz_p95_ms_max"],
    }
    print(
        json.dumps(
            {
                "benchmark": "load",
                "people": people,
                "gunicorn": {"workers": int(workers), "threads": int(threads)},
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average_1m_at_end": round(os.getloadavg()[0], 2),
                },
                "baseline": "healthz through the same gunicorn under the same load",
                "mix": mix,
                "mix_high": high,
                "pages_alone": alone,
                "page_cpu_ms_median": round(
                    statistics.median(
                        r["server_cpu_ms_per_request"] for k, r in alone.items() if k != "healthz"
                    ),
                    1,
                ),
                "targets": TARGETS,
                "met": met,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
