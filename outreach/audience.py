"""The recipient count explained, and what a campaign will cost (the campaign page, issue 19).

Before launch, ``explain`` walks the segment's people through the same rules the dispatcher
applies, in this order, and counts who each rule removes: selected by the segment's filters →
closed case → demo person (never sent to real providers) → no consent for any of the campaign's
channels → opted out of all of them → no number or Zalo link on a channel they accepted → the
daily cap already reached → recipients. The SMS recipients' numbers give the carrier and route of
each message, so the cost per carrier comes from the price table (``SmsRate``).

After launch, ``outcome`` counts what really happened, per person, from the outbox: the skip
reason of each person's last message, or the message that went.

Counts only: no name or number ever leaves this module.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outreach import carriers, routing
from outreach.models import Campaign, Channel, Message, OptOut
from outreach.segments import SegmentFilters, segment_people
from outreach.services.campaigns import _recipients, destination, render, values_for
from outreach.services.content import version_of
from registry.models import Consent

STEPS = [
    ("case_closed", _("Hồ sơ đã kết thúc")),
    ("demo_person", _("Người giả lập (dữ liệu mẫu, không gửi thật)")),
    ("no_consent", _("Chưa đồng ý nhận tin qua kênh đã chọn")),
    ("opted_out", _("Đã từ chối nhận tin")),
    ("no_destination", _("Không có số điện thoại / chưa liên kết Zalo")),
    ("daily_cap", _("Đã nhận đủ số tin trong 24 giờ")),
]
CONSENT_CHANNEL = {
    Channel.SMS: Consent.Channel.SMS,
    Channel.ZALO_ZNS: Consent.Channel.ZALO,
    Channel.ZALO_OA: Consent.Channel.ZALO,
}


@dataclass
class Explained:
    selected: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    recipients: int = 0
    by_channel: Counter[str] = field(default_factory=Counter)
    carriers: dict[str, dict[str, Any]] = field(default_factory=dict)
    total_cost: int = 0
    sms_segments_each: int = 0

    @property
    def zalo_recipients(self) -> int:
        return self.by_channel[Channel.ZALO_ZNS] + self.by_channel[Channel.ZALO_OA]

    def steps(self) -> list[dict[str, Any]]:
        return [
            {"code": code, "label": str(label), "count": self.excluded.get(code, 0)}
            for code, label in STEPS
        ]

    def carrier_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "carrier": carriers.label(c),
                "route": route_label(str(row["route"])),
                **{k: row[k] for k in ("messages", "segments", "cost")},
            }
            for c, row in sorted(self.carriers.items(), key=lambda kv: -int(kv[1]["messages"]))
        ]


def route_label(route: str) -> str:
    from outreach.gateway import profile, profile_names

    if route == routing.TWILIO:
        return str(_("SMS quốc tế (Twilio)"))
    if route == routing.CONSOLE:
        return str(_("Kênh thử (không gửi thật)"))
    if route == routing.ZALO:
        return "Zalo"
    if route in profile_names():
        return str(_("SMS thương hiệu (%(name)s)") % {"name": profile(route).label})
    return route or str(_("Không có đường gửi"))


def _scopes(channel: str) -> set[str]:
    return {channel, OptOut.ALL_CHANNELS, "zalo" if channel != Channel.SMS else "sms"}


def explain(campaign: Campaign, *, now: dt.datetime | None = None) -> Explained:
    """The explained count of a campaign not yet launched (see the module docstring)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    filters = SegmentFilters.from_json(campaign.segment.filters)
    result = Explained()
    result.selected = segment_people(filters, include_closed=True).count()
    people = segment_people(filters)
    result.excluded["case_closed"] = result.selected - people.count()
    channels = list(campaign.channels)
    any_real = any(routing.channel_is_real(c) for c in channels)
    demo = set(people.filter(is_demo=True).values_list("id", flat=True))
    version = campaign.content_version or version_of(campaign.content)
    _body, sms_segments = render(version, Channel.SMS, values_for("Lò Văn Hùng", "Xã Chiềng Ngần"))
    result.sms_segments_each = sms_segments
    rates = routing.Rates.load()
    cap = settings.OUTREACH_DAILY_CAP_PER_PERSON
    sms_destinations: list[tuple[str | None, int]] = []
    for chunk in _recipients(people):
        ids = [r.person_id for r in chunk]
        consents: dict[int, set[str]] = {}
        for pid, channel in Consent.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            person_id__in=ids,
            purpose=Consent.Purpose.OUTREACH,
            status=Consent.Status.GIVEN,
        ).values_list("person_id", "channel"):
            consents.setdefault(pid, set()).add(channel)
        indexes = {r.phone_index for r in chunk if r.phone_index}
        opted: set[tuple[str, str]] = set()
        opted_people: set[tuple[int, str]] = set()
        for index, channel, pid in OptOut.objects.filter(
            Q(destination_index__in=indexes) | Q(person_id__in=ids), revoked_at__isnull=True
        ).values_list("destination_index", "channel", "person_id"):
            opted.add((index, channel))
            if pid:
                opted_people.add((pid, channel))
        held = Counter(
            dict(
                Message.objects.filter(
                    person_id__in=ids, counted_at__gte=now - dt.timedelta(hours=24)
                )
                .values("person_id")
                .annotate(n=Count("id"))
                .values_list("person_id", "n")
            )
        )
        for r in chunk:
            pid = r.person_id
            if pid in demo and any_real and not settings.OUTREACH_SEND_TO_DEMO:
                result.excluded["demo_person"] = result.excluded.get("demo_person", 0) + 1
                continue
            agreed = [c for c in channels if consents.get(pid, set()) & {"", CONSENT_CHANNEL[c]}]
            if not agreed:
                result.excluded["no_consent"] = result.excluded.get("no_consent", 0) + 1
                continue
            open_channels = [
                c
                for c in agreed
                if not any(
                    (r.phone_index, s) in opted or (pid, s) in opted_people for s in _scopes(c)
                )
            ]
            if not open_channels:
                result.excluded["opted_out"] = result.excluded.get("opted_out", 0) + 1
                continue
            reachable = [c for c in open_channels if destination(r, c) is not None]
            if not reachable:
                result.excluded["no_destination"] = result.excluded.get("no_destination", 0) + 1
                continue
            if held[pid] >= cap:
                result.excluded["daily_cap"] = result.excluded.get("daily_cap", 0) + 1
                continue
            result.recipients += 1
            result.by_channel[reachable[0]] += 1
            if reachable[0] == Channel.SMS:
                sms_destinations.append((r.phone, sms_segments))
    result.carriers = routing.estimate_by_carrier(sms_destinations, rates)
    result.total_cost = sum(int(row["cost"]) for row in result.carriers.values())
    return result


def explain_cached(campaign: Campaign, seconds: int = 60) -> Explained:
    """``explain`` kept a minute: it reads every person of the segment (phones included, for the
    carriers), and a running campaign's page is reloaded to follow its progress."""
    from django.core.cache import cache

    key = f"outreach:explain:{campaign.pk}:{campaign.updated_at.timestamp()}:{campaign.status}"
    found = cache.get(key)
    if found is None:
        found = explain(campaign)
        cache.set(key, found, seconds)
    return found


def outcome(campaign: Campaign) -> dict[str, Any]:
    """What happened, per person: the last message of each person decides (a skipped Zalo message
    followed by a sent SMS counts as reached)."""
    last: dict[int, tuple[int, str, str]] = {}
    for pid, mid, status, reason in (
        Message.objects.filter(campaign=campaign, person__isnull=False)
        .values_list("person_id", "id", "status", "skip_reason")
        .iterator(chunk_size=5000)
    ):
        if pid not in last or mid > last[pid][0]:
            last[pid] = (mid, status, reason)
    reasons = Counter(r for _m, s, r in last.values() if s == Message.Status.SKIPPED)
    stored = campaign.audience or {}
    excluded = {"case_closed": int(stored.get("case_closed", 0))}
    excluded["no_destination"] = int(stored.get("no_destination", 0))
    for code in ("demo_person", "no_consent", "opted_out", "daily_cap"):
        excluded[code] = reasons.get(code, 0)
    others = {
        str(Message.SkipReason(code).label): n
        for code, n in reasons.items()
        if code and code not in excluded
    }
    return {
        "selected": int(stored.get("selected", len(last))),
        "steps": [
            {"code": code, "label": str(label), "count": excluded.get(code, 0)}
            for code, label in STEPS
        ],
        "other_skips": others,
        "reached": sum(
            1
            for _m, s, _r in last.values()
            if s not in (Message.Status.SKIPPED, Message.Status.CREATED, Message.Status.SENDING)
        ),
        "waiting": sum(
            1
            for _m, s, _r in last.values()
            if s in (Message.Status.CREATED, Message.Status.SENDING)
        ),
        "people": len(last),
    }
