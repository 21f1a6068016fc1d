"""Reads of the outreach pages. Outreach staff see counts and statuses, never names; a person's
message history is read only through the registry's access policy (404 outside the scope)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from outreach.models import Campaign, ContentItem, Message, OptOut
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
    """Counts by channel and status, and the share of messages that reached an end."""
    rows = (
        Message.objects.filter(campaign=campaign)
        .values_list("channel", "status")
        .annotate(n=Count("id"))
    )
    by_channel: dict[str, dict[str, int]] = defaultdict(dict)
    total = finished = 0
    for channel, status, n in rows:
        by_channel[channel][status] = n
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
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 0,
        "skipped": {Message.SkipReason(k).label: v for k, v in skipped.items() if k},
    }


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
