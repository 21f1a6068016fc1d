"""Operational counters shared by every process, exposed in Prometheus text format at /metrics.

With ``REDIS_URL`` the numbers live in one Redis hash, so the figures of all web servers and
workers add up; without it (development) they live in this process. Labels never carry personal
data: view names, channels, senders, statuses.

Request latencies are counted in the process first and added to Redis at most once every
``METRICS_FLUSH_SECONDS`` (and before this process answers a scrape, and when it exits): one
round trip per request was a measurable share of a page's cost (issue 20, docs/performance.md).
So are the counters of work done (``BUFFERED``: messages sent). Counters that alert (audit
failures, sign-in failures, rejections) go to Redis at once.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import defaultdict
from functools import lru_cache
from typing import Any

from django.conf import settings

KEY = "metrics"
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
HELP = {
    "http_request_duration_seconds": ("histogram", "Request latency by view"),
    "outreach_sent_total": ("counter", "Messages handed to a provider, by sender"),
    "outreach_webhook_rejected_total": ("counter", "Webhooks refused (bad signature), by provider"),
    "audit_write_failures_total": ("counter", "Reads or writes refused: the audit row failed"),
    "login_failures_total": ("counter", "Failed sign-ins"),
    "login_lockouts_total": ("counter", "Username+IP pairs locked out"),
}


def _field(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}" if inner else name


class _Local:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, float] = defaultdict(float)

    def add(self, increments: dict[str, float], *, buffered: bool = False) -> None:
        with self.lock:
            for field, amount in increments.items():
                self.values[field] += amount

    def all(self) -> dict[str, float]:
        with self.lock:
            return dict(self.values)


class _Redis:
    def __init__(self, url: str, flush_seconds: float) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.flush_seconds = flush_seconds
        self.pending = _Local()
        self.flushed_at = time.monotonic()
        atexit.register(self.flush)

    def add(self, increments: dict[str, float], *, buffered: bool = False) -> None:
        if not buffered:
            self._send(increments)
            return
        self.pending.add(increments)
        if time.monotonic() - self.flushed_at >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        with self.pending.lock:
            increments = dict(self.pending.values)
            self.pending.values.clear()
            self.flushed_at = time.monotonic()
        if increments:
            self._send(increments)

    def _send(self, increments: dict[str, float]) -> None:
        import redis

        try:
            pipe = self.client.pipeline(transaction=False)
            for field, amount in increments.items():
                pipe.hincrbyfloat(KEY, field, amount)
            pipe.execute()
        except redis.RedisError:
            pass  # metrics never break a request

    def all(self) -> dict[str, float]:
        self.flush()
        return {k.decode(): float(v) for k, v in self.client.hgetall(KEY).items()}


@lru_cache(maxsize=1)
def store() -> _Local | _Redis:
    if settings.REDIS_URL:
        return _Redis(settings.REDIS_URL, settings.METRICS_FLUSH_SECONDS)
    return _Local()


# Counters of work done, not of trouble: buffered like the latencies (a dispatcher counts every
# message it sends; one Redis round trip each was about 5 % of a worker's time).
BUFFERED = frozenset({"outreach_sent_total"})


def incr(name: str, amount: float = 1, **labels: str) -> None:
    store().add({_field(name, labels): amount}, buffered=name in BUFFERED)


def observe_latency(view: str, seconds: float) -> None:
    name = "http_request_duration_seconds"
    increments = {
        _field(f"{name}_bucket", {"view": view, "le": str(b)}): 1
        for b in LATENCY_BUCKETS
        if seconds <= b
    }
    increments[_field(f"{name}_bucket", {"view": view, "le": "+Inf"})] = 1
    increments[_field(f"{name}_sum", {"view": view})] = seconds
    increments[_field(f"{name}_count", {"view": view})] = 1
    store().add(increments, buffered=True)


Gauge = tuple[str, str, str, dict[str, Any], float]

# The alert counters are exported from zero (an alert on "any increase" needs the series before
# the first event): the unlabelled ones, and the webhook refusals of every provider.
ZERO_SERIES: list[tuple[str, dict[str, str]]] = [
    ("audit_write_failures_total", {}),
    ("login_failures_total", {}),
    ("login_lockouts_total", {}),
    *(
        ("outreach_webhook_rejected_total", {"provider": p})
        for p in ("twilio", "zalo", "esms", "speedsms")
    ),
]


def exposition(extra: list[Gauge] | None = None) -> str:
    """Prometheus text format: the shared counters, then ``extra`` gauges computed at scrape
    time as (name, type, help, labels, value)."""
    lines: list[str] = []
    values = store().all()
    for name, labels in ZERO_SERIES:
        values.setdefault(_field(name, labels), 0.0)
    for name, (kind, text) in HELP.items():
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        lines += [f"{k} {v:g}" for k, v in sorted(values.items()) if k.startswith(name)]
    seen: set[str] = set()
    for name, kind, text, labels, value in extra or []:
        if name not in seen:
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            seen.add(name)
        lines.append(f"{_field(name, {k: str(v) for k, v in labels.items()})} {value:g}")
    return "\n".join(lines) + "\n"
