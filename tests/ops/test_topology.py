"""The production topology on loopback (issue 9): gunicorn with two workers (production settings:
DEBUG off), two Celery workers and one beat on Redis, PostgreSQL, the fake provider in its own
process calling back into gunicorn. An outreach manager signs in over HTTP (password, then the
TOTP code), launches an approved campaign from the campaign page, and every message ends terminal
at the fake provider; in a second round one Celery worker is killed with ``kill -9`` mid-run and
the campaign still completes, nothing lost, nothing sent twice."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db.models import Count
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from outreach.models import Channel, Message
from registry.models import Role
from tests.outreach.conftest import (
    approved_content,
    running_campaign,
    user_with,
)
from tests.outreach.test_fault_tolerance import Topology, free_port, seed_people

PASSWORD = "mat-khau-topology-2026"


class WebTopology(Topology):
    """Topology of the fault tests, with gunicorn serving the site and receiving callbacks."""

    def __init__(self, tmp) -> None:  # type: ignore[no-untyped-def]
        self.web_port = free_port()
        super().__init__(f"http://127.0.0.1:{self.web_port}", tmp)
        self.env.update(
            {
                "DJANGO_DEBUG": "0",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SECURE_COOKIES": "0",
                "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
                "GUNICORN_WORKERS": "2",
                "LOG_LEVEL": "INFO",
                "OUTREACH_SENDERS": '{"sms": {"rate": 60, "daily_quota": null}}',
            }
        )

    def start(self) -> None:
        self._spawn(
            "web",
            [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.py",
             "config.wsgi"],
        )  # fmt: skip
        super().start()
        for _ in range(200):
            try:
                if requests.get(f"{self.live_url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start\n{self.logs()}")


@pytest.fixture
def web(committed_db, tmp_path):
    topology = WebTopology(tmp_path)
    topology.start()
    try:
        yield topology
    finally:
        topology.stop()


def sign_in(base: str, username: str, key: bytes) -> requests.Session:
    session = requests.Session()

    def post(path: str, data: dict) -> requests.Response:
        page = session.get(base + path, timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return session.post(
            base + path, data={**data, "csrfmiddlewaretoken": token}, timeout=30,
            headers={"Referer": base + path},
        )  # fmt: skip

    response = post("/account/login/", {"username": username, "password": PASSWORD})
    assert "/account/otp/" in response.url, response.text[-1500:]
    response = post("/account/otp/", {"token": f"{totp(key):06d}"})
    assert response.ok and "/account/" not in response.url, response.text[-1500:]
    return session


def launch(session: requests.Session, base: str, campaign) -> None:  # type: ignore[no-untyped-def]
    page = session.get(f"{base}/outreach/campaigns/{campaign.uuid}/", timeout=30)
    assert page.status_code == 200 and "Bắt đầu gửi" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/outreach/campaigns/{campaign.uuid}/launch/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/outreach/campaigns/{campaign.uuid}/"},
        timeout=30,
    )
    assert response.ok, response.text[:500]


def wait_terminal(campaign, web: WebTopology, timeout: float) -> dict[str, int]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        campaign.refresh_from_db()
        counts = dict(
            Message.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("id"))
        )
        if (
            campaign.outbox_written_at
            and counts
            and not (counts.get("created") or counts.get("sending") or counts.get("sent"))
        ):
            return counts
        time.sleep(0.5)
    import redis

    broker = redis.Redis.from_url(web.broker)
    queues = {q: broker.llen(q) for q in ("default", "sending", "retries")}
    stuck = Message.objects.filter(campaign=campaign, status="sending").values_list(
        "lease_until", "attempts", "error_code", "provider_id"
    )[:5]
    pytest.fail(
        f"not terminal after {timeout} s: {counts}, campaign {campaign.status}, outbox written "
        f"{campaign.outbox_written_at}, queues {queues}, now {timezone.now()}, "
        f"sending {list(stuck)}\n{web.logs()}"
    )


def test_the_topology_on_loopback_sends_and_survives_a_killed_worker(web, editor, approver) -> None:
    seed_people(400)
    manager = user_with(Role.OUTREACH_MANAGER, "truyen-thong-topo")
    # Hashed with the production hasher: gunicorn runs production settings (the tests hash MD5).
    argon2 = Argon2PasswordHasher()
    manager.password = argon2.encode(PASSWORD, argon2.salt())
    manager.save()
    device = TOTPDevice.objects.create(user=manager, name="topology", confirmed=True)
    content = approved_content(editor, approver)
    first = running_campaign(manager, approver, content, channels=[Channel.SMS])
    session = sign_in(web.live_url, manager.username, device.bin_key)

    # Round 1: everything healthy.
    launch(session, web.live_url, first)
    counts = wait_terminal(first, web, timeout=180)
    assert set(counts) == {"delivered"}, counts
    round_one = counts["delivered"]
    assert round_one >= 250

    # Round 2: a Celery worker dies with kill -9 while the campaign runs (60 messages/s).
    second = running_campaign(manager, approver, content, channels=[Channel.SMS])
    launch(session, web.live_url, second)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        received = [r for r in web.received() if r["id"] in second_ids(second)]
        if len(received) >= round_one // 4:
            break
        time.sleep(0.2)
    web.kill9("w1")
    counts = wait_terminal(second, web, timeout=240)
    assert set(counts) == {"delivered"}, counts
    ids = Counter(r["id"] for r in web.received())
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(ids) == round_one + counts["delivered"]


def second_ids(campaign) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        str(u) for u in Message.objects.filter(campaign=campaign).values_list("uuid", flat=True)
    }
