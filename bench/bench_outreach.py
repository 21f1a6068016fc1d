"""bench-outreach: the outbox and the dispatcher on PostgreSQL, Redis and the local fake provider.

Three figures, printed as JSON (DESIGN.md section 6):
1. outbox: the time to write the outbox of a campaign to BENCH_RECIPIENTS people (default
   100,000; target ≤ 60 s);
2. dispatch: messages per second accepted by the fake provider from two Celery workers (solo
   pool, one process each), over BENCH_DISPATCH messages of that campaign (default 20,000; target
   ≥ 500/s), beside a bare HTTP loop — two processes posting the same Twilio request to the same
   fake as fast as they can — measured in the same run (the ratio);
3. rate: the same two workers with the SMS sender limited to BENCH_RATE messages a second
   (default 200): the highest count the fake accepted in any one-second window, against the limit
   (it must never be above);
4. gateway: the same dispatch through the brandname gateway's eSMS profile (JSON body with
   credentials, RequestId, per-message callback URL; target ≥ 500/s with two workers), beside a
   bare HTTP loop posting the same eSMS request.

The people live in their own database (``bench_outreach``), seeded once and reused; outreach
tables are emptied at each run.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_env, seeded_database  # noqa: E402

CELERY = str(Path(sys.executable).with_name("celery"))
TWILIO_TOKEN = "bench-twilio-token"  # noqa: S105 - the fake provider's, not a secret
GATEWAY_KEY = "bench-gateway-key"
GATEWAY_SECRET = "bench-gateway-secret"  # noqa: S105 - the fake provider's, not a secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or subprocess.run(
        [sys.executable, "scripts/testredis.py", "url"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return url.rsplit("/", 1)[0] + "/14"


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for p in processes:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for p in processes:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def fake_received(fake_url: str) -> list[dict]:
    import requests

    return requests.get(f"{fake_url}/_control/received", timeout=120).json()["received"]


def bare_loop(fake_url: str, count: int, out: multiprocessing.Queue) -> None:
    """The baseline: the same Twilio request, posted with a pooled session, nothing else."""
    import requests

    session = requests.Session()
    url = f"{fake_url}/2010-04-01/Accounts/ACbench/Messages.json"
    body = {
        "To": "+84912345678",
        "Body": "Chao Hung, Ngan hang Chinh sach xa hoi ho tro vay von tao viec lam.",
        "MessagingServiceSid": "MGbench",
        "StatusCallback": "http://127.0.0.1:9/outreach/hooks/twilio/status/?m=x",
        "ValidityPeriod": "14400",
    }
    started = time.perf_counter()
    for _ in range(count):
        session.post(url, data=body, auth=("ACbench", TWILIO_TOKEN), timeout=10).raise_for_status()
    out.put((count, time.perf_counter() - started))


def bare_gateway_loop(fake_url: str, count: int, out: multiprocessing.Queue) -> None:
    """The gateway baseline: the eSMS request our channel sends, with a fresh RequestId each."""
    import uuid

    import requests

    session = requests.Session()
    url = f"{fake_url}/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    started = time.perf_counter()
    for _ in range(count):
        body = {
            "ApiKey": GATEWAY_KEY,
            "SecretKey": GATEWAY_SECRET,
            "Phone": "0961234567",
            "Content": "Chao Hung, Ngan hang Chinh sach xa hoi ho tro vay von tao viec lam.",
            "Brandname": "CA SON LA",
            "SmsType": "2",
            "IsUnicode": "0",
            "RequestId": uuid.uuid4().hex,
            "CallbackUrl": "http://127.0.0.1:9/outreach/hooks/gateway/esms/x/y/",
        }
        answer = session.post(url, json=body, timeout=10).json()
        assert answer["CodeResult"] == "100", answer
    out.put((count, time.perf_counter() - started))


def bare_rate(fake_url: str, count: int, loop=None) -> float:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=loop or bare_loop, args=(fake_url, count // 2, queue))
        for _ in range(2)
    ]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    return count / elapsed


def max_per_second(times: list[float]) -> int:
    """The most acceptances in any one-second window (sliding, not aligned to clock seconds)."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    recipients = int(os.environ.get("BENCH_RECIPIENTS", "100000"))
    dispatch_count = min(int(os.environ.get("BENCH_DISPATCH", "20000")), recipients)
    rate_limit = int(os.environ.get("BENCH_RATE", "200"))
    rate_count = min(int(os.environ.get("BENCH_RATE_MESSAGES", str(rate_limit * 10))), recipients)
    # About three in four demo people have a phone; every case is reopened below.
    url = seeded_database("bench_outreach", math.ceil(recipients / 0.75) + 200)
    env = bench_env(url)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "OUTREACH_SEND_WINDOW": "00:00-24:00",
            "OUTREACH_SEND_TO_DEMO": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from outreach.models import Channel, Message
    from outreach.services import campaigns as campaign_services
    from outreach.services import content as content_services
    from registry import dbroles
    from registry.models import Case, Consent, Membership, Role, User

    # TRUNCATE is the owner's: the runtime role the app connects as may not (docs/security.md).
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE outreach_deliveryreceipt, outreach_message, outreach_campaign, "
            "outreach_segment, outreach_contentversion, outreach_contentitem_need_types, "
            "outreach_contentitem, outreach_optout CASCADE"
        )
    Case.objects.filter(status=Case.Status.CLOSED).update(
        status=Case.Status.ACTIVE, close_reason="", closed_on=None
    )
    from outreach.demo import grant_outreach_consents
    from registry.models import Agency, Person

    def user(name: str, role: str) -> User:
        u, _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(
            user=u, agency=Agency.objects.filter(kind="police").first(), role=role
        )
        return u

    editor = user("bench-editor", Role.CONTENT_EDITOR)
    approver = user("bench-approver", Role.PROVINCIAL_POLICE)
    manager = user("bench-manager", Role.OUTREACH_MANAGER)
    if not Consent.objects.filter(purpose=Consent.Purpose.OUTREACH).exists():
        grant_outreach_consents(Person.objects.all(), actor=approver)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    item = content_services.content_save(
        actor=editor,
        kind="policy",
        title="Vay vốn tạo việc làm",
        body="Chào ((ten)), Ngân hàng Chính sách xã hội ở ((xa)) hỗ trợ vay vốn tạo việc làm.",
    )
    content_services.content_submit(actor=editor, item=item)
    content_services.content_approve(actor=approver, item=item)

    def campaign(name: str):
        segment = campaign_services.segment_save(actor=manager, name=name, filters={})
        c = campaign_services.campaign_save(
            actor=manager, name=name, content=item, segment=segment, channels=[Channel.SMS]
        )
        campaign_services.campaign_submit(actor=manager, campaign=c)
        c = campaign_services.campaign_approve(actor=approver, campaign=c)
        c.status = "running"
        c.save(update_fields=["status"])
        return c

    # 1. The outbox.
    first = campaign("bench outbox")
    started = time.perf_counter()
    written = campaign_services.campaign_write_outbox(campaign=first)
    outbox_seconds = time.perf_counter() - started

    # Keep the first BENCH_DISPATCH rows due; the others wait (they are not part of the figure).
    due = Message.objects.filter(campaign=first).order_by("id").values_list("id", flat=True)
    cutoff = due[dispatch_count - 1] if written >= dispatch_count else None
    if cutoff is not None:
        Message.objects.filter(campaign=first, id__gt=cutoff).update(status="skipped")

    fake_port = free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    broker = redis_url()
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    worker_env = {
        **env,
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": broker,
        "OUTREACH_LIMIT_PREFIX": f"bench-{fake_port}",
        "TWILIO_ACCOUNT_SID": "ACbench",
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MGbench",
        "TWILIO_API_BASE_URL": fake_url,
        "OUTREACH_BATCH_SIZE": "200",
        "OUTREACH_DISPATCH_BUDGET_SECONDS": "600",
    }
    fake = spawn(
        [sys.executable, "-m", "outreach.fake_provider", "--port", str(fake_port),
         "--twilio-token", TWILIO_TOKEN, "--no-callbacks",
         "--gateway-key", GATEWAY_KEY, "--gateway-secret", GATEWAY_SECRET],
        worker_env, logs / "fake.log",
    )  # fmt: skip
    time.sleep(1.0)

    def run_workers(rate: int, expected: int, extra: dict[str, str] | None = None) -> list[float]:
        import redis
        import requests

        redis.Redis.from_url(broker).flushdb()
        requests.post(f"{fake_url}/_control/reset", timeout=10)
        senders = json.dumps(
            {
                "sms": {"rate": rate, "daily_quota": None},
                "esms": {"rate": rate, "daily_quota": None},
            }
        )
        workers = [
            spawn(
                [
                    CELERY,
                    "-A",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "-n",
                    f"bench{n}@%h",
                    "-Q",
                    "sending",
                    "-l",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                ],
                {**worker_env, "OUTREACH_SENDERS": senders, **(extra or {})},
                logs / f"worker{n}.log",
            )  # fmt: skip
            for n in (1, 2)
        ]
        try:
            time.sleep(4.0)  # both workers connected and waiting
            from celery import Celery

            app = Celery(broker=broker)
            for _ in range(2):
                app.send_task("outreach.dispatch", queue="sending")
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                received = fake_received(fake_url)
                if len(received) >= expected:
                    return [r["at"] for r in received]
                time.sleep(1.0)
            raise SystemExit(f"only {len(received)} of {expected} messages arrived")
        finally:
            stop(workers)

    try:
        # 2. Throughput with a limit far above what two workers reach.
        times = run_workers(100_000, min(written, dispatch_count))
        ours = len(times) / (max(times) - min(times))
        bare = bare_rate(fake_url, min(written, dispatch_count))

        # 3. A limited sender: a fresh campaign of BENCH_RATE_MESSAGES people.
        second = campaign("bench rate")
        campaign_services.campaign_write_outbox(campaign=second)
        keep = Message.objects.filter(campaign=second).order_by("id").values_list("id", flat=True)
        if keep.count() > rate_count:
            Message.objects.filter(campaign=second, id__gt=keep[rate_count - 1]).update(
                status="skipped"
            )
        limited = run_workers(rate_limit, rate_count)
        observed = max_per_second(limited)

        # 4. Through the brandname gateway (eSMS profile): a fresh campaign, the same count.
        third = campaign("bench gateway")
        campaign_services.campaign_write_outbox(campaign=third)
        keep = Message.objects.filter(campaign=third).order_by("id").values_list("id", flat=True)
        gateway_count = min(keep.count(), dispatch_count)
        if keep.count() > gateway_count:
            Message.objects.filter(campaign=third, id__gt=keep[gateway_count - 1]).update(
                status="skipped"
            )
        # The rate and cap rules see the earlier campaigns' messages: clear their slots so that
        # this figure measures sending, not refusals (each person may get 3 a day).
        Message.objects.filter(campaign__in=[first, second]).update(counted_at=None)
        gateway_env = {
            "OUTREACH_SMS_GATEWAY": "esms",
            "OUTREACH_GATEWAY_BASE_URL": fake_url,
            "OUTREACH_GATEWAY_API_KEY": GATEWAY_KEY,
            "OUTREACH_GATEWAY_SECRET_KEY": GATEWAY_SECRET,
            "OUTREACH_GATEWAY_BRANDNAME": "CA SON LA",
        }
        via_gateway = run_workers(100_000, gateway_count, gateway_env)
        gateway_ours = len(via_gateway) / (max(via_gateway) - min(via_gateway))
        gateway_bare = bare_rate(fake_url, gateway_count, bare_gateway_loop)
        gateway_routes = dict(
            Message.objects.filter(campaign=third, status="sent")
            .values_list("provider")
            .annotate(n=Count("id"))
        )
    finally:
        stop([fake])

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE outreach_message, outreach_deliveryreceipt CASCADE")
    print(
        json.dumps(
            {
                "benchmark": "outreach",
                "outbox": {
                    "recipients": written,
                    "seconds": round(outbox_seconds, 2),
                    "rows_per_second": round(written / outbox_seconds),
                    "target_seconds": 60,
                },
                "dispatch": {
                    "messages": len(times),
                    "workers": 2,
                    "messages_per_second": round(ours, 1),
                    "bare_http_loop_per_second": round(bare, 1),
                    "ratio_to_bare": round(ours / bare, 3),
                    "target_per_second": 500,
                },
                "gateway_dispatch": {
                    "profile": "esms",
                    "messages": len(via_gateway),
                    "routes": gateway_routes,
                    "workers": 2,
                    "messages_per_second": round(gateway_ours, 1),
                    "bare_http_loop_per_second": round(gateway_bare, 1),
                    "ratio_to_bare": round(gateway_ours / gateway_bare, 3),
                    "target_per_second": 500,
                },
                "rate_limit": {
                    "messages": len(limited),
                    "configured_per_second": rate_limit,
                    "highest_observed_in_any_second": observed,
                    "never_above": observed <= rate_limit,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
