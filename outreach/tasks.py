"""Celery tasks: they carry ids only and call services. The durable state is the outbox in
PostgreSQL, so a lost task loses nothing: beat triggers the dispatcher and the sweeper again."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from outreach.models import Campaign
from outreach.services import campaigns, dispatch

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "beat:heartbeat"


@shared_task(name="outreach.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat is alive: /readyz shows how long ago this last ran."""
    cache.set(HEARTBEAT_KEY, time.time(), 3600)


@shared_task(name="outreach.dispatch", ignore_result=True)
def dispatch_due() -> dict[str, int]:
    """Claim and send due messages until none is due or the time budget is spent."""
    result = dispatch.dispatch()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}


@shared_task(name="outreach.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    return dispatch.sweep()


@shared_task(name="outreach.poll_gateway", ignore_result=True)
def poll_gateway() -> dict[str, int]:
    """Delivery reports by polling for gateway messages that no callback finished."""
    return dispatch.gateway_poll()


@shared_task(name="outreach.write_outbox", ignore_result=True)
def write_outbox(campaign_id: int) -> int:
    campaign = Campaign.objects.select_related("segment", "content_version").get(pk=campaign_id)
    written = campaigns.campaign_write_outbox(campaign=campaign)
    kick_dispatch()
    return written


@shared_task(name="outreach.schedule_events", ignore_result=True)
def schedule_events() -> int:
    """Daily (and hourly, to be safe): rows for relative campaigns' events of today and tomorrow."""
    written = 0
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.RUNNING, schedule=Campaign.Schedule.RELATIVE
    ).select_related("segment", "content_version"):
        written += campaigns.campaign_schedule_events(campaign=campaign)
    return written


def kick_dispatch() -> None:
    """Start sending now rather than at the next beat (one task per expected worker)."""
    for _ in range(settings.OUTREACH_DISPATCH_FANOUT):
        dispatch_due.delay()
