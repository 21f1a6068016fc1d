"""Sending the outbox: claim, the rules before every send, the call to the channel, recording the
outcome, retries, fallback to the next channel, and the sweeper that recovers expired leases.

The contract (MESSAGING.md section 7, DESIGN.md section 3):
- a worker claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` and moves them CREATED →
  SENDING with a lease, in a transaction of its own; it calls the provider outside that
  transaction, only for rows it claimed, and only while its lease holds;
- the provider's id is recorded the moment the call returns; a conditional update never moves a
  row that a callback or another step has already moved on;
- a row whose lease expired is sent again only if it has neither a provider id nor a callback:
  our message id travels to the provider, so a message the provider accepted finds its row even
  when the worker died before recording it;
- a read timeout leaves it unknown whether the provider accepted the message: the row stays
  SENDING with a short lease so that a callback can arrive first; the sweeper decides after;
- the row a dead worker may have been sending (the first of its batch still SENDING) and a timed
  out one are asked about at the provider before they go again (``settle_unknown``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from outreach import limits, routing
from outreach.channels import ChannelError
from outreach.models import Campaign, Channel, Message, OptOut, ZaloFollower
from outreach.services import budgets
from outreach.services.campaigns import Recipient, new_message
from outreach.window import in_send_window, next_send_time
from registry import metrics
from registry.models import Case, Consent, Person
from registry.models.access import AccessEvent

log = logging.getLogger(__name__)

S = Message.Status
R = Message.SkipReason
CONSENT_CHANNEL = {
    Channel.SMS: Consent.Channel.SMS,
    Channel.ZALO_ZNS: Consent.Channel.ZALO,
    Channel.ZALO_OA: Consent.Channel.ZALO,
}
# Skips after which another channel may still reach the person.
FALLBACK_REASONS = {R.NO_CONSENT, R.OPTED_OUT, R.QUOTA, R.NO_DESTINATION}


@dataclass
class DispatchResult:
    claimed: int = 0
    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    retried: int = 0
    failed: int = 0
    released: int = 0


# --- claim --------------------------------------------------------------------------------------


def claim(*, limit: int, now: dt.datetime | None = None) -> list[int]:
    """Move up to ``limit`` due rows CREATED → SENDING under a lease; returns their ids."""
    now = now or timezone.now()
    lease = now + dt.timedelta(seconds=settings.OUTREACH_LEASE_SECONDS)
    # A code or an answer the citizen asked for goes at once; campaigns only in the allowed hours
    # and while running.
    allowed = Q(campaign__isnull=True)
    if in_send_window(now):
        # The running campaigns as a subquery, not a join: without the join PostgreSQL walks the
        # due index in order and stops at ``limit`` rows, marking the entries of rows already
        # claimed or finished as dead as it goes; with it, it read every row ever queued (a
        # bitmap scan, which marks nothing) on each claim until autovacuum ran — 44 ms a claim
        # after 300,000 rows, most of the database's time in bench-outreach (issue 19).
        running = Campaign.objects.filter(status=Campaign.Status.RUNNING).values("id")
        allowed |= Q(campaign_id__in=running)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(allowed, status=S.CREATED, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=S.SENDING,
                lease_until=lease,
                attempts=F("attempts") + 1,
                first_attempt_at=Coalesce("first_attempt_at", now),
                updated_at=now,
            )
    return ids


def batch_size(channel_rates: Iterable[float]) -> int:
    """How many rows one claim takes: never more than half a lease's worth at the slowest rate, so
    a batch is finished long before its lease expires (no rate: the console only)."""
    slowest = min(channel_rates, default=None)
    if slowest is None:
        return settings.OUTREACH_BATCH_SIZE
    by_lease = int(slowest * settings.OUTREACH_LEASE_SECONDS / 2)
    return max(1, min(settings.OUTREACH_BATCH_SIZE, by_lease))


def sending_rates() -> list[float]:
    """The rates of the senders that really send — a channel no provider carries goes to the
    console, which has no rate — and of the SMS gateway when one is configured. They bound a
    batch: Zalo's default 10/s held every SMS batch to 75 rows on a site without Zalo."""
    rates = []
    for channel in Channel.values:
        if not real_backend(channel):
            continue
        rates.append(limits.sender_limits(channel).rate)
        gateway = routing.gateway_name()
        if channel == Channel.SMS and gateway:
            rates.append(limits.sender_limits(routing.sender_key(gateway, channel)).rate)
    return rates


def dispatch(*, budget_seconds: float | None = None) -> DispatchResult:
    """Claim and send batches until nothing is due or the time budget is spent."""
    budget = settings.OUTREACH_DISPATCH_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    total = DispatchResult()
    rates = sending_rates()
    recovered_at = 0.0
    while time.monotonic() < deadline:
        if time.monotonic() - recovered_at >= settings.OUTREACH_LEASE_RENEW_SECONDS:
            recover_expired()
            recovered_at = time.monotonic()
        ids = claim(limit=batch_size(rates))
        if not ids:
            break
        result = send_claimed(ids)
        total.claimed += result.claimed
        total.sent += result.sent
        total.skipped.update(result.skipped)
        total.retried += result.retried
        total.failed += result.failed
        total.released += result.released
    return total


def real_backend(channel: str) -> bool:
    return routing.channel_is_real(channel)


# --- rules --------------------------------------------------------------------------------------


def rule_skips(messages: list[Message], now: dt.datetime) -> dict[int, str]:
    """Message id → skip reason, for every rule that refuses a claimed message (in bulk: a few
    queries per batch, whatever its size)."""
    skips: dict[int, str] = {}
    person_ids = {m.person_id for m in messages if m.person_id}
    today = timezone.localdate(now)

    cancelled = {m.id for m in messages if m.campaign and m.campaign.status == "cancelled"}
    skips.update(dict.fromkeys(cancelled, R.CANCELLED))

    open_cases = set(
        Case.objects.filter(person_id__in=person_ids)
        .exclude(status=Case.Status.CLOSED)
        .values_list("person_id", flat=True)
    )
    consents: dict[int, set[str]] = {}
    for pid, channel in Consent.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today),
        person_id__in=person_ids,
        purpose=Consent.Purpose.OUTREACH,
        status=Consent.Status.GIVEN,
    ).values_list("person_id", "channel"):
        consents.setdefault(pid, set()).add(channel)
    opted: set[tuple[str, str]] = set()
    opted_people: set[tuple[int, str]] = set()
    for index, channel, pid in OptOut.objects.filter(
        Q(destination_index__in={m.destination_index for m in messages})
        | Q(person_id__in=person_ids),
        revoked_at__isnull=True,
    ).values_list("destination_index", "channel", "person_id"):
        opted.add((index, channel))
        if pid:
            opted_people.add((pid, channel))

    for m in messages:
        if m.id in skips or m.campaign_id is None:
            continue  # asked for by the recipient (a code, an answer): no campaign rules
        person = m.person
        scopes = {m.channel, "all", "zalo" if m.channel != Channel.SMS else "sms"}
        if person is None:  # a staff test number (sandbox): only opt-outs apply
            if any((m.destination_index, c) in opted for c in scopes):
                skips[m.id] = R.OPTED_OUT
            continue
        if person.is_demo and real_backend(m.channel) and not settings.OUTREACH_SEND_TO_DEMO:
            skips[m.id] = R.DEMO_PERSON
        elif person.pk not in open_cases:
            skips[m.id] = R.CASE_CLOSED
        elif not consents.get(person.pk, set()) & {"", CONSENT_CHANNEL[m.channel]}:
            skips[m.id] = R.NO_CONSENT
        elif any((m.destination_index, c) in opted for c in scopes) or any(
            (person.pk, c) in opted_people for c in scopes
        ):
            skips[m.id] = R.OPTED_OUT
    return skips


# --- the strict cap -----------------------------------------------------------------------------


def take_cap_slots(messages: list[Message], now: dt.datetime) -> set[int]:
    """Give each campaign message a slot of its person's daily cap, or refuse it; returns the ids
    refused. At most ``OUTREACH_DAILY_CAP_PER_PERSON`` rows of a person hold a slot taken in the
    last 24 hours, across every worker and campaign: the slots are counted and taken under a
    transaction-scoped advisory lock per person (taken in id order, so two workers never
    deadlock), and the count reads what other workers committed before the lock was granted.
    A row keeps its slot across retries; it gives it back when it ends without reaching the
    person (skipped, permanent or technical failure) or is handed back unsent (``_release``)."""
    capped = [m for m in messages if m.campaign_id is not None and m.person_id is not None]
    if not capped:
        return set()
    cap = settings.OUTREACH_DAILY_CAP_PER_PERSON
    since = now - dt.timedelta(hours=24)
    person_ids = sorted({m.person_id for m in capped if m.person_id is not None})
    refused: set[int] = set()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock((%s::bigint << 32) + p) "
                    "FROM (SELECT unnest(%s::bigint[]) AS p ORDER BY 1) AS ordered",
                    [settings.OUTREACH_CAP_LOCK_NAMESPACE, person_ids],
                )
        held = Counter(
            dict(
                Message.objects.filter(person_id__in=person_ids, counted_at__gte=since)
                .values("person_id")
                .annotate(n=Count("id"))
                .values_list("person_id", "n")
            )
        )
        own = set(
            Message.objects.filter(
                id__in=[m.id for m in capped], counted_at__gte=since
            ).values_list("id", flat=True)
        )
        taking: list[int] = []
        for m in capped:
            if m.id in own:
                continue  # a retry keeps the slot it took
            if held[m.person_id] >= cap:
                refused.add(m.id)
                continue
            held[m.person_id] += 1
            taking.append(m.id)
        if taking:
            Message.objects.filter(id__in=taking).update(counted_at=now)
    return refused


# --- sending ------------------------------------------------------------------------------------


# The rules and the audit row read the person's id, uuid and demo flag; the rest (names,
# identifiers, their ciphertext) stays unread while sending. A fallback's new row reads its
# recipient again (``_recipient_of``).
_PERSON_COLUMNS_NOT_NEEDED = [
    f"person__{f.name}"
    for f in Person._meta.concrete_fields
    if f.name not in ("id", "uuid", "is_demo")
]


# A worker sends its batch one row at a time in this order, all of it under one lease (claimed,
# then renewed together). When it dies, the rows it sent have left SENDING, so the first of the
# rest in this order is the one it may have been sending: the sweeper asks the provider about
# that one before sending it again (recover_expired).
SEND_ORDER = ("next_attempt_at", "id")


def send_claimed(ids: list[int]) -> DispatchResult:
    """Apply the rules to claimed rows, take the cap's slots, then send the rest one by one
    within the lease, each through its route (gateway, Twilio, Zalo, console)."""
    result = DispatchResult(claimed=len(ids))
    now = timezone.now()
    messages = list(
        Message.objects.filter(id__in=ids, status=S.SENDING)
        .select_related("person", "campaign")
        .defer(*_PERSON_COLUMNS_NOT_NEEDED)
        .order_by(*SEND_ORDER)
    )
    if not messages:
        return result
    _audit_batch(messages)
    skips = rule_skips(messages, now)
    skips.update(
        dict.fromkeys(take_cap_slots([m for m in messages if m.id not in skips], now), R.DAILY_CAP)
    )
    for m in messages:
        if m.id in skips:
            _skip(m, skips[m.id])
            result.skipped[skips[m.id]] += 1
    rates = routing.Rates.load()
    budget_limits = budgets.limits()
    paused: set[int] = set()
    lost: set[int] = set()
    renew_below = settings.OUTREACH_LEASE_SECONDS - settings.OUTREACH_LEASE_RENEW_SECONDS
    for position, m in enumerate(messages):
        if m.id in skips or m.id in lost:
            continue
        lease_left = (m.lease_until - timezone.now()).total_seconds() if m.lease_until else 0
        if m.lease_until and lease_left < renew_below:
            # The heartbeat: renew the lease of every row still to send (only while it holds).
            rest = [x for x in messages[position:] if x.id not in skips and x.id not in lost]
            held = renew_lease(rest)
            lost.update(x.id for x in rest if x.id not in held)
            if m.id in lost:
                continue
            lease_left = (m.lease_until - timezone.now()).total_seconds()
        out_of_hours = m.campaign_id is not None and not in_send_window()
        if lease_left < settings.OUTREACH_LEASE_MARGIN_SECONDS or out_of_hours:
            # Out of time or out of hours: hand the rest back untouched (no send happened).
            rest = [x.id for x in messages[position:] if x.id not in skips]
            result.released += _release(rest, next_send_time(timezone.now()))
            break
        if m.campaign_id in paused:
            result.released += _release([m.id], timezone.now())
            continue
        route = routing.route_for(m.channel, m.destination, m.carrier, rates, chosen=m.provider)
        if route is None:
            error = ChannelError("no route", permanent=True, code="no_route", fallback=True)
            if _failed(m, error):
                result.retried += 1
            else:
                result.failed += 1
            continue
        sender = limits.sender_limits(routing.sender_key(route, m.channel))
        if not limits.limiter().take_quota(sender, timezone.localdate().isoformat()):
            _skip(m, R.QUOTA)
            result.skipped[R.QUOTA] += 1
            continue
        cost = routing.cost_of(route, m.carrier, m.segments, rates)
        if not budgets.take(provider=route, amount=cost, known_limits=budget_limits):
            if m.campaign_id is None:
                _skip(m, R.BUDGET)
                result.skipped[R.BUDGET] += 1
            else:
                # The month's budget is spent: the message waits, its campaign stops with a
                # status that says why (a manager resumes it once the budget allows).
                budgets.pause_campaign(campaign_id=m.campaign_id, provider=route)
                paused.add(m.campaign_id)
                result.released += _release([m.id], timezone.now())
            continue
        if route != routing.CONSOLE:  # the console has no rate to respect
            limits.limiter().wait_for_token(sender)
        try:
            provider_id = routing.backend_named(route, m.channel).send(m)
        except ChannelError as error:
            if error.code != "duplicate" and route in budget_limits:
                budgets.refund(provider=route, amount=cost)
            m.provider, m.sender = route, sender.sender
            if _failed(m, error, cost=cost):
                result.retried += 1
            else:
                result.failed += 1
            continue
        _record_sent(m, provider_id, sender.sender, route=route, cost=cost)
        result.sent += 1
    return result


def renew_lease(messages: list[Message]) -> set[int]:
    """Extend the lease of claimed rows this worker still holds (SENDING, the lease it was given,
    not yet expired); returns their ids and updates ``lease_until`` on them. A row whose lease
    already ended is not ours any more (the sweeper may have handed it to another worker): it is
    never revived, and the caller must not send it."""
    now = timezone.now()
    new = now + dt.timedelta(seconds=settings.OUTREACH_LEASE_SECONDS)
    by_lease: dict[dt.datetime, list[int]] = {}
    for m in messages:
        if m.lease_until is not None:
            by_lease.setdefault(m.lease_until, []).append(m.id)
    held: set[int] = set()
    with transaction.atomic():
        for old, ids in by_lease.items():
            mine = list(
                Message.objects.select_for_update(of=("self",))
                .filter(id__in=ids, status=S.SENDING, lease_until=old, lease_until__gt=now)
                .values_list("id", flat=True)
            )
            if mine:
                Message.objects.filter(id__in=mine).update(lease_until=new)
                held.update(mine)
    for m in messages:
        if m.id in held:
            m.lease_until = new
    return held


# A row handed back to the queue goes just ahead of the rows due at the same time. A campaign's
# outbox rows all share one due time and the claim takes the oldest first; without this, a row
# handed back (a dead worker's, or one released for lack of lease) would wait behind every row of
# its campaign still unsent — PostgreSQL breaks ties in the index by physical position, and an
# updated row moves to the end (issue 21: all claimed rows sent within 30 s of a kill -9).
BACK_IN_QUEUE_AHEAD = dt.timedelta(milliseconds=1)


def back_in_queue(when: dt.datetime) -> Least:
    """The due time of a row handed back: its own or ``when``, whichever is earlier, moved just
    ahead of the rows due then."""
    return Least("next_attempt_at", Value(when)) - Value(BACK_IN_QUEUE_AHEAD)


def _release(ids: list[int], when: dt.datetime) -> int:
    """Hand claimed rows back untouched (no provider was called for them), keeping their place in
    the queue (campaign rows are claimed only in the send window and while the campaign runs,
    whatever their due time); their cap slots go back too."""
    return Message.objects.filter(id__in=ids, status=S.SENDING).update(
        status=S.CREATED,
        lease_until=None,
        attempts=F("attempts") - 1,
        next_attempt_at=back_in_queue(when),
        counted_at=None,
    )


def _audit_batch(messages: list[Message]) -> None:
    """The dispatcher opens destinations and bodies: one access-log row per batch says so."""
    AccessEvent.objects.create(
        actor=None,
        username="outreach",
        action=AccessEvent.Action.VIEW,
        object_type="message",
        object_ids=[str(m.uuid) for m in messages],
        person_ids=sorted({str(m.person.uuid) for m in messages if m.person}),
        purpose="send",
    )


def _record_sent(
    m: Message,
    provider_id: str,
    sender: str,
    *,
    route: str = "",
    cost: int = 0,
    provider_status: str = "",
) -> None:
    now = timezone.now()
    moved = _mark_sent(m, provider_id, sender, route=route, cost=cost, status=provider_status)
    metrics.incr("outreach_sent_total", sender=sender)
    if not moved:  # a callback got here first and moved the row on: keep its status
        Message.objects.filter(id=m.id, provider_id="").update(
            provider_id=provider_id, sender=sender, sent_at=now, provider=route, cost=cost
        )


# One message sent is one commit. On PostgreSQL it does not wait for the WAL's flush to disk
# (``synchronous_commit = off`` for that transaction only: docs/decisions/0002): waiting for the
# disk at each message held the dispatcher back. A worker killed after the commit loses nothing
# (the server has it); only a crash of the database server itself within a fraction of a second
# can undo it — the row is then handed back by its lease and may be sent twice, the same risk as a
# worker killed between the provider's answer and this write. The setting and the update go in
# one round trip (one implicit transaction), as one statement would.
_MARK_SENT_SQL = (
    "SET LOCAL synchronous_commit TO OFF; "
    "UPDATE outreach_message SET status = %s, provider_id = %s, provider = %s, cost = %s, "
    "sender = %s, sent_at = %s, lease_until = NULL, error_code = '', provider_status = %s, "
    "updated_at = %s WHERE id = %s AND status = %s"
)


def _mark_sent(
    m: Message, provider_id: str, sender: str, *, route: str, cost: int, status: str
) -> int:
    """SENDING → SENT; the number of rows moved (0: a callback or the sweeper moved it first)."""
    now = timezone.now()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return Message.objects.filter(id=m.id, status=S.SENDING).update(
            status=S.SENT,
            provider_id=provider_id,
            provider=route,
            cost=cost,
            sender=sender,
            sent_at=now,
            lease_until=None,
            error_code="",
            provider_status=status,
            updated_at=now,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_SENT_SQL,
            [S.SENT, provider_id, route, cost, sender, now, status, now, m.id, S.SENDING],
        )
        cursor.nextset()  # the UPDATE's result, after the SET's
        return cursor.rowcount


def _skip(m: Message, reason: str) -> None:
    now = timezone.now()
    moved = Message.objects.filter(id=m.id, status__in=[S.SENDING, S.CREATED]).update(
        status=S.SKIPPED,
        skip_reason=reason,
        lease_until=None,
        finished_at=now,
        updated_at=now,
        counted_at=None,
    )
    if moved and reason in FALLBACK_REASONS:
        fall_back(m)


def _failed(m: Message, error: ChannelError, *, cost: int = 0) -> bool:
    """Record a failed call. Returns True when the message will be tried again."""
    now = timezone.now()
    if error.code == "duplicate":
        # The gateway already holds this RequestId: an earlier attempt was accepted and its
        # answer lost. Nothing new went out; the report (callback or poll) finds the row.
        _record_sent(m, "", m.sender, route=m.provider, cost=cost, provider_status="duplicate")
        return False
    if error.permanent and error.fallback and m.provider:
        other = routing.fallback_route(m.channel, m.provider, m.destination, m.carrier)
        if other:
            # This route cannot reach the number (eSMS 108, 177 …): the same row tries the next
            # SMS route at once, keeping its cap slot.
            return bool(
                Message.objects.filter(id=m.id, status=S.SENDING).update(
                    status=S.CREATED,
                    provider=other,
                    error_code=error.code[:20],
                    lease_until=None,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )
    if error.permanent:
        moved = Message.objects.filter(id=m.id, status=S.SENDING).update(
            status=S.PERMANENT_FAILURE,
            error_code=error.code[:20],
            provider=m.provider,
            lease_until=None,
            finished_at=now,
            updated_at=now,
            counted_at=None,
        )
        if moved and error.opt_out:
            from outreach.services.optouts import opt_out_from_provider

            opt_out_from_provider(m)
        if moved and (error.fallback or error.opt_out):
            fall_back(m)
        return False
    if error.code == "timeout":
        # The provider may have accepted it: wait for a callback before deciding.
        Message.objects.filter(id=m.id, status=S.SENDING).update(
            lease_until=now + dt.timedelta(seconds=settings.OUTREACH_UNKNOWN_GRACE_SECONDS),
            error_code="timeout",
            updated_at=now,
        )
        return True
    return _retry_later(m, error.code, now)


def _retry_later(m: Message, code: str, now: dt.datetime) -> bool:
    delay = min(
        settings.OUTREACH_RETRY_BASE_SECONDS * 2 ** max(m.attempts - 1, 0),
        settings.OUTREACH_RETRY_MAX_SECONDS,
    )
    started = m.first_attempt_at or now
    window_ends = started + dt.timedelta(seconds=settings.OUTREACH_RETRY_WINDOW_SECONDS)
    if now + dt.timedelta(seconds=delay) > window_ends:
        Message.objects.filter(id=m.id, status=S.SENDING).update(
            status=S.TECHNICAL_FAILURE,
            error_code=code[:20],
            lease_until=None,
            finished_at=now,
            updated_at=now,
            counted_at=None,
        )
        return False
    Message.objects.filter(id=m.id, status=S.SENDING).update(
        status=S.CREATED,
        error_code=code[:20],
        lease_until=None,
        next_attempt_at=next_send_time(now + dt.timedelta(seconds=delay)),
        updated_at=now,
    )
    return True


def fall_back(m: Message) -> Message | None:
    """Queue the same campaign event for this person on the next channel in the campaign's order
    (Zalo, then SMS …), if one reaches them."""
    if m.campaign is None or m.content_version is None:
        return None
    order = list(m.campaign.channels)
    if m.channel not in order:
        return None
    later = order[order.index(m.channel) + 1 :]
    if not later:
        return None
    recipient = _recipient_of(m)
    if recipient is None:
        return None
    row = new_message(
        campaign=m.campaign,
        version=m.content_version,
        recipient=recipient,
        channels=later,
        event=m.event,
        when=next_send_time(timezone.now()),
    )
    if row is not None:
        Message.objects.bulk_create([row], ignore_conflicts=True)
    return row


def _recipient_of(m: Message) -> Recipient | None:
    if m.person_id is not None:
        person = Person.objects.get(pk=m.person_id)  # the batch loaded only its id and flags
        case = (
            Case.objects.filter(person=person)
            .exclude(status=Case.Status.CLOSED)
            .select_related("commune")
            .order_by("-id")
            .first()
        )
        follower = (
            ZaloFollower.objects.filter(person=person, following=True)
            .values_list("user_id", flat=True)
            .first()
        )
        return Recipient(
            person_id=person.pk,
            tester_id=None,
            full_name=person.full_name,
            commune=case.commune.full_name if case else "",
            phone=person.phone,
            phone_index=person.phone_index,
            zalo_user_id=follower,
        )
    if m.test_recipient is not None:
        t = m.test_recipient
        return Recipient(None, t.pk, t.name, "", t.phone, t.phone_index, t.zalo_user_id or None)
    return None


# --- the sweeper --------------------------------------------------------------------------------


def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Recover rows whose lease expired, then complete finished campaigns. Returns counts."""
    counts = recover_expired(now=now)
    from outreach.services.campaigns import campaigns_complete_finished

    counts["completed"] = campaigns_complete_finished()
    if any(counts.values()):
        log.info("sweeper: %s", counts)
    return counts


def recover_expired(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Rows whose lease expired (their worker died or stalled): a row the provider already
    accepted (provider id or callback) becomes SENT; a row that may have reached the provider is
    asked about first (``settle_unknown``); any other row goes back to CREATED to be sent again,
    keeping its place in the queue (just ahead of the rows due when it was), so it goes before rows
    due later and rows never tried.
    Live workers renew their leases, so only a dead worker's rows expire. Also run by the
    dispatcher itself every OUTREACH_LEASE_RENEW_SECONDS: recovery does not wait for a sweeper task
    stuck behind long dispatch tasks."""
    now = now or timezone.now()
    expired = Message.objects.filter(status=S.SENDING, lease_until__lt=now)
    accepted = expired.filter(~Q(provider_id="") | Q(callback_at__isnull=False)).update(
        status=S.SENT, lease_until=None, sent_at=Coalesce("sent_at", now), updated_at=now
    )
    unsent = expired.filter(provider_id="", callback_at__isnull=True)
    settled = settle_unknown(unsent, now)
    # What settle_unknown held has a lease again; what it found sent has left SENDING.
    exhausted = unsent.filter(attempts__gte=settings.OUTREACH_MAX_ATTEMPTS).update(
        status=S.TECHNICAL_FAILURE,
        lease_until=None,
        finished_at=now,
        updated_at=now,
        counted_at=None,
    )
    requeued = unsent.update(
        status=S.CREATED,
        lease_until=None,
        next_attempt_at=back_in_queue(now),
        updated_at=now,
    )
    return {
        "accepted": accepted + settled["found"],
        "requeued": requeued,
        "exhausted": exhausted,
        "held": settled["held"],
    }


# error_code of a row whose last call may or may not have reached the provider.
UNKNOWN_OUTCOME = ("timeout", "unknown")


def settle_unknown(unsent: QuerySet[Message], now: dt.datetime) -> dict[str, int]:
    """Among expired rows with no provider id and no callback, those whose last call may have
    reached the provider: a timed-out call, and the row each dead worker may have been sending
    when it died (the first of its batch still SENDING, in SEND_ORDER). Sending those again
    blindly is how a killed worker's message goes out twice (Twilio takes no idempotency key).
    The provider is asked (``Backend.find``): a message it holds becomes SENT with its id; one it
    does not hold, or that a second send cannot duplicate, is left to be sent again. A provider
    that cannot tell gets the row held for OUTREACH_UNKNOWN_GRACE_SECONDS, for a callback to
    arrive, then it is sent again (the risk of a duplicate remains there, and only there); one
    that could not answer now is asked again after the grace."""
    rows = list(
        unsent.order_by("lease_until", *SEND_ORDER).values_list("id", "lease_until", "error_code")
    )
    doubtful = [
        row_id
        for position, (row_id, lease, error_code) in enumerate(rows)
        if error_code in UNKNOWN_OUTCOME or position == 0 or rows[position - 1][1] != lease
    ]
    found = held = 0
    if not doubtful:
        return {"found": found, "held": held}
    rates = routing.Rates.load()
    for m in Message.objects.filter(id__in=doubtful):
        route = routing.route_for(m.channel, m.destination, m.carrier, rates, chosen=m.provider)
        if route is None:
            continue
        same_lease = Message.objects.filter(id=m.id, status=S.SENDING, lease_until=m.lease_until)
        try:
            provider_id = routing.backend_named(route, m.channel).find(m)
        except ChannelError as error:
            if error.permanent and m.error_code in UNKNOWN_OUTCOME:
                continue  # the grace for a callback is over: sent again
            held += same_lease.update(
                lease_until=now + dt.timedelta(seconds=settings.OUTREACH_UNKNOWN_GRACE_SECONDS),
                error_code="unknown",
                updated_at=now,
            )
            continue
        if provider_id:
            found += same_lease.update(
                status=S.SENT,
                provider_id=provider_id,
                provider=route,
                lease_until=None,
                sent_at=now,
                error_code="",
                updated_at=now,
            )
            log.info("message %s found at %s after its worker's lease ran out", m.uuid, route)
    return {"found": found, "held": held}


# --- delivery reports by polling ----------------------------------------------------------------


def gateway_poll(*, now: dt.datetime | None = None, limit: int | None = None) -> dict[str, int]:
    """Ask the gateway for the status of messages it accepted that have no final status
    ``OUTREACH_GATEWAY_POLL_AFTER_SECONDS`` after they were sent (or since their last poll), while
    the provider still keeps reports. Each answer is applied like a callback."""
    from outreach.gateway import gateway_backend, profile_names
    from outreach.services.optouts import apply_receipt

    now = now or timezone.now()
    after = now - dt.timedelta(seconds=settings.OUTREACH_GATEWAY_POLL_AFTER_SECONDS)
    oldest = now - dt.timedelta(seconds=settings.OUTREACH_GATEWAY_POLL_MAX_AGE_SECONDS)
    due = list(
        Message.objects.filter(
            Q(polled_at__isnull=True) | Q(polled_at__lte=after),
            status=S.SENT,
            provider__in=profile_names(),
            sent_at__lte=after,
            sent_at__gte=oldest,
        )
        .exclude(provider_id="")
        .order_by("sent_at")[: limit or settings.OUTREACH_GATEWAY_POLL_BATCH]
    )
    counts = Counter[str]()
    for m in due:
        answer = gateway_backend(m.provider).poll(m)
        Message.objects.filter(id=m.id).update(polled_at=now)
        if answer is None:
            counts["unanswered"] += 1
            continue
        value, status, carrier = answer
        outcome = apply_receipt(
            message_uuid=m.uuid,
            provider_id=m.provider_id,
            provider_status=value,
            status=status,
            carrier=carrier,
        )
        counts["final" if outcome.applied and status != S.SENT else "pending"] += 1
    counts["polled"] = len(due)
    return dict(counts)
