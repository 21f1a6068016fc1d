"""Prometheus metrics (issue 9): a protected endpoint with request latency by view, the outbox by
status and channel, senders' limits, webhook rejections, sign-in failures — no personal data."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from registry import metrics

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


def value(text: str, line_start: str) -> float:
    found = [ln for ln in text.splitlines() if ln.startswith(line_start)]
    return float(found[0].rsplit(" ", 1)[1]) if found else 0.0


@pytest.fixture(autouse=True)
def token():
    with override_settings(METRICS_TOKEN=TOKEN):
        yield


class MetricsTests:
    def test_without_the_token_there_is_nothing_to_see(self, client):
        assert client.get("/metrics").status_code == 404
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404

    def test_latency_by_view_counts_requests(self, client):
        before = value(scrape(client), 'http_request_duration_seconds_count{view="healthz"}')
        for _ in range(3):
            client.get("/healthz")
        text = scrape(client)
        assert value(text, 'http_request_duration_seconds_count{view="healthz"}') == before + 3
        assert 'http_request_duration_seconds_bucket{le="+Inf",view="healthz"}' in text

    def test_webhook_rejections_and_login_failures_are_counted(self, client):
        text = scrape(client)
        rejected = value(text, 'outreach_webhook_rejected_total{provider="twilio"}')
        failures = value(text, "login_failures_total")
        client.post("/outreach/hooks/twilio/status/?m=x", {"MessageStatus": "delivered"})
        client.post("/account/login/", {"username": "nobody", "password": "wrong-password-1"})
        text = scrape(client)
        assert value(text, 'outreach_webhook_rejected_total{provider="twilio"}') == rejected + 1
        assert value(text, "login_failures_total") == failures + 1

    def test_outbox_and_sender_gauges_and_no_personal_data(
        self, client, fake, officer, editor, approver, manager
    ):
        from outreach.models import Channel
        from outreach.services import dispatch
        from tests.outreach.conftest import (
            approved_content,
            launch_and_write,
            person_with_consent,
            running_campaign,
        )

        person_with_consent(officer, "0912345678", channel="sms")
        campaign = running_campaign(
            manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
        )
        launch_and_write(manager, campaign)
        dispatch.dispatch(budget_seconds=5)
        text = scrape(client)
        assert value(text, 'outreach_messages{channel="sms",status="sent"}') == 1
        assert value(text, 'outreach_sender_rate_limit{sender="sms"}') == 1000
        assert value(text, 'outreach_sent_total{sender="sms"}') >= 1
        assert "0912345678" not in text and "+84912345678" not in text
        assert not re.search(r"[0-9a-f]{32}", text)


def test_the_local_store_adds_up():
    store = metrics._Local()
    store.add({"a": 1})
    store.add({"a": 2.5})
    assert store.all() == {"a": 3.5}


def test_readyz_reports_the_beat_heartbeat(client, db):
    from outreach import tasks

    assert client.get("/readyz").json()["checks"]["beat"]["heartbeat_age_seconds"] is None
    tasks.heartbeat()
    assert client.get("/readyz").json()["checks"]["beat"]["heartbeat_age_seconds"] == 0


class AlertCountersFromZeroTests:
    def test_every_alert_counter_is_exported_before_its_first_increment(self, client, monkeypatch):
        empty = metrics._Local()
        monkeypatch.setattr(metrics, "store", lambda: empty)
        text = scrape(client)
        for series in (
            "audit_write_failures_total",
            "login_failures_total",
            "login_lockouts_total",
            'outreach_webhook_rejected_total{provider="twilio"}',
            'outreach_webhook_rejected_total{provider="zalo"}',
            'outreach_webhook_rejected_total{provider="esms"}',
        ):
            assert f"\n{series} 0\n" in text, series
        metrics.incr("login_failures_total")
        assert "\nlogin_failures_total 1\n" in scrape(client)
