"""Health endpoints for load balancers and operators; JSON, never any personal data.

``/healthz`` — liveness: the process answers (no dependency is touched).
``/readyz`` — readiness: PostgreSQL answers and every migration is applied, the broker (Redis)
answers when one is configured, and this process's encryption keyring can open every key id the
database uses with the newest primary (``checks.keyring``, with the reason); 503 otherwise. It
also reports the outbox backlog by status, the
age of the oldest due message and the age of beat's last heartbeat (information: a stopped beat
does not make a web server unready, but operators see it).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from outreach.tasks import HEARTBEAT_KEY


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        plan = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
    except Exception as error:  # noqa: BLE001 - any failure means not ready; the type is enough
        connection.close()
        return {"ok": False, "error": type(error).__name__}
    return {
        "ok": not plan,
        "pending_migrations": len(plan),
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _broker() -> dict[str, Any]:
    url = settings.CELERY_BROKER_URL or settings.REDIS_URL
    if not url:
        return {"ok": True, "mode": "embedded (tasks run in-process)"}
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        return {"ok": False, "error": type(error).__name__}
    finally:
        client.close()
    return {"ok": True}


def _outbox() -> dict[str, Any]:
    from outreach.models import Message

    counts = dict(
        Message.objects.filter(status__in=[Message.Status.CREATED, Message.Status.SENDING])
        .values_list("status")
        .annotate(n=Count("id"))
    )
    oldest = Message.objects.filter(
        status=Message.Status.CREATED, next_attempt_at__lte=timezone.now()
    ).aggregate(oldest=Min("next_attempt_at"))["oldest"]
    return {
        "backlog": counts,
        "oldest_due_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }


def _keyring() -> dict[str, Any]:
    from registry.services.keys import keyring_check

    try:
        return keyring_check(force=True).as_dict()
    except Exception as error:  # noqa: BLE001 - a keyring that does not load is not ready
        return {"ok": False, "error": type(error).__name__, "reason": str(error)[:300]}


def _beat() -> dict[str, Any]:
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception as error:  # noqa: BLE001 - the cache is Redis: reported by the broker check
        return {"heartbeat_age_seconds": None, "error": type(error).__name__}
    return {"heartbeat_age_seconds": round(time.time() - beat) if beat else None}


def _audit_chain() -> dict[str, Any]:
    """The last daily check of the access log's hash chain (information: a broken chain does not
    make a web server unready, but operators and the alert on the metric see it)."""
    from registry.services.audit_chain import audit_chain_last_check

    last = audit_chain_last_check()
    if last is None:
        return {"checked": False}
    return {
        "checked": True,
        "ok": last["ok"],
        "broken_rows": len(last["broken"]),
        "checked_at": last["checked_at"],
    }


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": _database(), "broker": _broker()}
    ready = checks["database"]["ok"] and checks["broker"]["ok"]
    if checks["database"]["ok"]:
        checks["keyring"] = _keyring()
        ready = ready and checks["keyring"]["ok"]
        checks["outbox"] = _outbox()
    checks["beat"] = _beat() if checks["broker"]["ok"] else {"heartbeat_age_seconds": None}
    checks["audit_chain"] = _audit_chain()
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_GET
def prometheus(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper holding METRICS_TOKEN; anyone else gets a 404."""
    import hmac

    from outreach import limits
    from outreach.models import Channel, Message
    from registry import metrics

    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not settings.METRICS_TOKEN or not hmac.compare_digest(given, settings.METRICS_TOKEN):
        raise Http404
    gauges: list[metrics.Gauge] = [
        ("outreach_messages", "gauge", "Outbox rows by status and channel",
         {"status": status, "channel": channel}, n)
        for channel, status, n in Message.objects.values_list("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    ]  # fmt: skip
    for channel in Channel.values:
        sender = limits.sender_limits(channel)
        gauges.append(
            ("outreach_sender_rate_limit", "gauge", "Configured messages per second of a sender",
             {"sender": sender.sender}, sender.rate)
        )  # fmt: skip
    gauges.append(
        ("outreach_oldest_due_seconds", "gauge", "Age of the oldest message waiting to be sent",
         {}, _outbox()["oldest_due_seconds"])
    )  # fmt: skip
    chain = _audit_chain()
    if chain["checked"]:
        gauges.append(
            ("audit_chain_broken_rows", "gauge",
             "Access-log rows whose hash chain failed at the last verify_audit_chain", {},
             chain["broken_rows"])
        )  # fmt: skip
    return HttpResponse(metrics.exposition(gauges), content_type="text/plain; version=0.0.4")


PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthProbeMiddleware:
    """Before anything that reads the host (after the latency metric): ``/healthz`` and
    ``/readyz`` answer whatever Host the probe sends. A load balancer probes each node by its own
    address (``http://10.0.0.5:8000/readyz``, or ``127.0.0.1`` on the node), which is not one of
    the public ``DJANGO_ALLOWED_HOSTS``; nothing here builds a URL from the Host header, and
    neither answer carries personal data."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            from django.urls import resolve

            request.resolver_match = resolve(request.path_info)  # the latency metric's view name
            return probe(request)
        return self.get_response(request)
