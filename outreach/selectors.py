"""Reads of the outreach pages. Outreach staff see counts and statuses, never names; a person's
message history is read only through the registry's access policy (404 outside the scope)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet, Sum

from outreach import carriers
from outreach.models import Campaign, Channel, ContentItem, Message, OptOut
from outreach.segments import SegmentFilters, segment_people
from registry import access
from registry.models import Person, User


def content_list() -> QuerySet[ContentItem]:
    return ContentItem.objects.select_related("approved_by").order_by("-updated_at")


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("content", "segment").order_by("-created_at")


def segment_count(filters: dict[str, Any]) -> int:
    return segment_people(SegmentFilters.from_json(filters)).count()


def campaign_progress(campaign: Campaign) -> dict[str, Any]:
    """Counts by channel and status (with their Vietnamese labels), the share of messages that
    reached an end, and the delivery rate per carrier."""
    rows = (
        Message.objects.filter(campaign=campaign)
        .values_list("channel", "status")
        .annotate(n=Count("id"))
    )
    by_channel: dict[str, dict[str, int]] = defaultdict(dict)
    labelled: list[dict[str, Any]] = []
    total = finished = 0
    for channel, status, n in rows:
        by_channel[channel][status] = n
        labelled.append(
            {
                "channel": Channel(channel).label,
                "status": Message.Status(status).label,
                "count": n,
            }
        )
        total += n
        if status in Message.TERMINAL or status == Message.Status.SENT:
            finished += n
    skipped = dict(
        Message.objects.filter(campaign=campaign, status=Message.Status.SKIPPED)
        .values_list("skip_reason")
        .annotate(n=Count("id"))
    )
    return {
        "by_channel": dict(by_channel),
        "rows": sorted(labelled, key=lambda r: (str(r["channel"]), str(r["status"]))),
        "carriers": carrier_rates(campaign),
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 0,
        "skipped": {Message.SkipReason(k).label: v for k, v in skipped.items() if k},
    }


def carrier_rates(campaign: Campaign) -> list[dict[str, Any]]:
    """Per carrier: messages handed to a provider, delivered, failed, still waiting for a report,
    and the delivery rate among those with a final report (SMS and ZNS; OA has no carrier)."""
    st = Message.Status
    handed = [st.SENT, st.DELIVERED, st.PERMANENT_FAILURE, st.TEMPORARY_FAILURE]
    rows = (
        Message.objects.filter(campaign=campaign, status__in=handed)
        .exclude(channel=Channel.ZALO_OA)
        .values("carrier")
        .annotate(
            sent=Count("id"),
            delivered=Count("id", filter=Q(status=st.DELIVERED)),
            failed=Count("id", filter=Q(status__in=[st.PERMANENT_FAILURE, st.TEMPORARY_FAILURE])),
            cost=Sum("cost"),
        )
        .order_by("-sent")
    )
    out = []
    for row in rows:
        reported = row["delivered"] + row["failed"]
        out.append(
            {
                "carrier": carriers.label(row["carrier"]),
                "sent": row["sent"],
                "delivered": row["delivered"],
                "failed": row["failed"],
                "waiting": row["sent"] - reported,
                "rate": round(100 * row["delivered"] / reported) if reported else None,
                "cost": row["cost"] or 0,
            }
        )
    return out


def person_for_messages(user: User, person_uuid: UUID) -> Person:
    """The person, if the user may see them and their messages (404 / 403 otherwise)."""
    person = access.get_for_user(user, Person, person_uuid)
    access.require(user, "message.view")
    return person


def person_messages(person: Person) -> QuerySet[Message]:
    return (
        Message.objects.filter(person=person)
        .select_related("campaign")
        .order_by("-created_at")[:200]
    )


def person_opt_outs(person: Person) -> QuerySet[OptOut]:
    """Refusals about this person: recorded for them, or for their phone number (website, SMS)."""
    mine = Q(person=person)
    if person.phone_index:
        mine |= Q(destination_index=person.phone_index)
    return OptOut.objects.filter(mine).order_by("-created_at")


def campaign_start(campaign: Campaign) -> dict[str, Any] | None:
    """When a campaign that is running (or about to be launched) will start sending, if that is
    later than now: outside the sending window (07:00–22:00), or a later ``send_at``."""
    from django.utils import timezone

    from outreach.window import in_send_window, next_send_time

    now = timezone.now()
    if campaign.status not in (Campaign.Status.APPROVED, Campaign.Status.RUNNING):
        return None
    if (
        campaign.status == Campaign.Status.RUNNING
        and Message.objects.filter(campaign=campaign, sent_at__isnull=False).exists()
    ):
        return None
    at = next_send_time(max(campaign.send_at or now, now))
    if at <= now + dt.timedelta(minutes=1):
        return None
    return {
        "at": timezone.localtime(at),
        "outside_window": not in_send_window(now),
        "launched": campaign.status == Campaign.Status.RUNNING,
    }


def paused_budget(campaign: Campaign) -> dict[str, Any] | None:
    """The route whose monthly budget stopped the campaign, with its figures."""
    if campaign.status != Campaign.Status.PAUSED or not campaign.paused_reason.startswith(
        "budget:"
    ):
        return None
    from outreach.audience import route_label
    from outreach.services import budgets

    route = campaign.paused_reason.split(":", 1)[1]
    return {"route": route_label(route), **budgets.status(route)}
