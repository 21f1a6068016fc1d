"""Segments and campaigns: saving, approval by the provincial police, launch, pause, resume, cancel,
and writing the outbox (one row per person for the first channel that can reach them; the
dispatcher falls back to the next channel when a rule or the provider refuses the first)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach import carriers, text
from outreach.models import (
    Campaign,
    Channel,
    ContentVersion,
    Message,
    Segment,
    TestRecipient,
    ZaloFollower,
)
from outreach.segments import OPEN_CASE, SegmentFilters, segment_people
from outreach.services.content import current_version, version_of
from outreach.window import next_send_time
from registry import access, crypto
from registry.audit import audit_record
from registry.errors import ApplicationError
from registry.models import Case, CustodyRecord, Person, User
from registry.models.access import AccessEvent
from registry.models.transitions import illegal_transition

# --- segments -----------------------------------------------------------------------------------


@transaction.atomic
def segment_save(
    *, actor: User, name: str, filters: dict[str, Any], segment: Segment | None = None
) -> Segment:
    access.require(actor, "segment.manage")
    parsed = SegmentFilters.from_json(filters)
    if not name.strip():
        raise ValidationError({"name": _("Đặt tên cho nhóm người nhận.")})
    creating = segment is None
    segment = segment or Segment(created_by=actor)
    segment.name, segment.filters = name.strip(), parsed.to_json()
    segment.full_clean()
    segment.save()
    audit_record(
        actor=actor,
        action=AccessEvent.Action.CREATE if creating else AccessEvent.Action.UPDATE,
        objects=[segment],
    )
    return segment


# --- campaign lifecycle -------------------------------------------------------------------------


def _check_campaign(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    channels = campaign.channels or []
    if not channels or any(c not in Channel.values for c in channels):
        errors["channels"] = _("Chọn ít nhất một kênh gửi.")
    elif len(set(channels)) != len(channels):
        errors["channels"] = _("Mỗi kênh chỉ chọn một lần.")
    elif Channel.ZALO_ZNS in channels and not campaign.content.zns_template_id:
        errors["channels"] = _("Nội dung chưa có mẫu ZNS được Zalo duyệt: bỏ kênh Zalo ZNS.")
    if campaign.schedule == Campaign.Schedule.RELATIVE:
        days = campaign.relative_days or []
        if not days or any(not isinstance(d, int) or d < 0 or d > 3650 for d in days):
            errors["relative_days"] = _("Nhập các ngày sau khi về, ví dụ 3, 30.")
    if not 0 <= campaign.send_hour <= 23:
        errors["send_hour"] = _("Giờ gửi từ 0 đến 23.")
    if not settings.OUTREACH_HOTLINE and uses_hotline(campaign):
        errors["content"] = _(
            "Nội dung dùng ((hotline)) nhưng chưa cấu hình số đường dây nóng "
            "(OUTREACH_HOTLINE): tin gửi đi sẽ thiếu số này."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_save(*, actor: User, campaign: Campaign | None = None, **values: Any) -> Campaign:
    access.require(actor, "campaign.manage")
    creating = campaign is None
    if campaign is None:
        campaign = Campaign(created_by=actor)
    elif campaign.status != Campaign.Status.DRAFT:
        raise illegal_transition(_("sửa"), campaign.get_status_display())
    for name in (
        "name",
        "content",
        "segment",
        "channels",
        "schedule",
        "send_at",
        "relative_days",
        "send_hour",
        "ends_on",
        "sandbox",
    ):
        if name in values:
            setattr(campaign, name, values[name])
    campaign.full_clean()
    _check_campaign(campaign)
    campaign.save()
    audit_record(
        actor=actor,
        action=AccessEvent.Action.CREATE if creating else AccessEvent.Action.UPDATE,
        objects=[campaign],
    )
    return campaign


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("content").get(pk=campaign.pk)


def _move(
    campaign: Campaign, actor: User, allowed: Iterable[str], action: str, to: str
) -> Campaign:
    if campaign.status not in allowed:
        raise illegal_transition(action, campaign.get_status_display())
    campaign.status = to
    campaign.save()
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[campaign])
    return campaign


@transaction.atomic
def campaign_submit(*, actor: User, campaign: Campaign) -> Campaign:
    access.require(actor, "campaign.manage")
    campaign = _lock(campaign)
    current_version(campaign.content)  # refuses content that is not approved
    _check_campaign(campaign)
    return _move(
        campaign, actor, [Campaign.Status.DRAFT], _("gửi duyệt"), Campaign.Status.PENDING_APPROVAL
    )


@transaction.atomic
def campaign_approve(*, actor: User, campaign: Campaign) -> Campaign:
    """PENDING_APPROVAL → APPROVED, pinning the content version that will be sent."""
    access.require(actor, "campaign.approve")
    campaign = _lock(campaign)
    campaign.content_version = current_version(campaign.content)
    campaign.approved_by, campaign.approved_at = actor, timezone.now()
    return _move(
        campaign,
        actor,
        [Campaign.Status.PENDING_APPROVAL],
        _("duyệt"),
        Campaign.Status.APPROVED,
    )


@transaction.atomic
def campaign_reject(*, actor: User, campaign: Campaign, note: str) -> Campaign:
    access.require(actor, "campaign.approve")
    if not note.strip():
        raise ValidationError({"note": _("Ghi lý do trả lại.")})
    campaign = _lock(campaign)
    campaign.review_note = note.strip()
    return _move(
        campaign, actor, [Campaign.Status.PENDING_APPROVAL], _("trả lại"), Campaign.Status.DRAFT
    )


@transaction.atomic
def campaign_launch(*, actor: User, campaign: Campaign) -> Campaign:
    """APPROVED → RUNNING. The outbox is written by a task after commit (it can be large)."""
    access.require(actor, "campaign.launch")
    campaign = _lock(campaign)
    campaign.launched_at = timezone.now()
    campaign = _move(
        campaign, actor, [Campaign.Status.APPROVED], _("bắt đầu gửi"), Campaign.Status.RUNNING
    )
    from outreach import tasks

    transaction.on_commit(lambda: tasks.write_outbox.delay(campaign.pk))
    return campaign


@transaction.atomic
def campaign_pause(*, actor: User, campaign: Campaign) -> Campaign:
    access.require(actor, "campaign.launch")
    campaign = _lock(campaign)
    return _move(campaign, actor, [Campaign.Status.RUNNING], _("tạm dừng"), Campaign.Status.PAUSED)


@transaction.atomic
def campaign_resume(*, actor: User, campaign: Campaign) -> Campaign:
    access.require(actor, "campaign.launch")
    campaign = _lock(campaign)
    campaign.paused_reason = ""
    campaign = _move(
        campaign, actor, [Campaign.Status.PAUSED], _("gửi tiếp"), Campaign.Status.RUNNING
    )
    from outreach import tasks

    transaction.on_commit(tasks.kick_dispatch)
    return campaign


@transaction.atomic
def campaign_cancel(*, actor: User, campaign: Campaign) -> Campaign:
    """Any state before COMPLETED → CANCELLED; messages still waiting are skipped."""
    if not (access.has(actor, "campaign.launch") or access.has(actor, "campaign.approve")):
        access.require(actor, "campaign.launch")
    campaign = _lock(campaign)
    campaign.finished_at = timezone.now()
    campaign = _move(
        campaign,
        actor,
        [s for s in Campaign.Status.values if s not in ("completed", "cancelled")],
        _("hủy"),
        Campaign.Status.CANCELLED,
    )
    Message.objects.filter(campaign=campaign, status=Message.Status.CREATED).update(
        status=Message.Status.SKIPPED,
        skip_reason=Message.SkipReason.CANCELLED,
        finished_at=timezone.now(),
    )
    return campaign


def campaigns_complete_finished() -> int:
    """RUNNING one-off campaigns whose outbox is written and has nothing waiting → COMPLETED."""
    waiting = Message.objects.filter(
        campaign=OuterRef("pk"), status__in=[Message.Status.CREATED, Message.Status.SENDING]
    )
    done = Campaign.objects.filter(
        status=Campaign.Status.RUNNING,
        schedule=Campaign.Schedule.ONCE,
        outbox_written_at__isnull=False,
    ).exclude(Exists(waiting))
    return done.update(status=Campaign.Status.COMPLETED, finished_at=timezone.now())


# --- rendering ----------------------------------------------------------------------------------


def render(version: ContentVersion, channel: str, values: dict[str, str]) -> tuple[str, int]:
    """The text a channel carries for one recipient, and its SMS segments (1 for Zalo)."""
    opt_out = settings.OUTREACH_OPT_OUT_TEXT
    if channel == Channel.SMS:
        body = text.sms_text(
            text.fill(version.sms_text or version.body, values),
            is_offer=version.is_offer,
            opt_out_text=opt_out,
        )
        return body, text.sms_count(body).segments
    if channel == Channel.ZALO_ZNS:
        data = {k: text.fill(str(v), values) for k, v in (version.zns_params or {}).items()}
        return json.dumps(
            {"template_id": version.zns_template_id, "template_data": data}, ensure_ascii=False
        ), 1
    body = text.zalo_text(
        text.fill(version.zalo_text or version.body, values),
        is_offer=version.is_offer,
        opt_out_text=opt_out,
    )
    return body, 1


def values_for(full_name: str, commune: str) -> dict[str, str]:
    """The placeholders' values for one recipient: exactly what the outbox writes (the preview
    uses it too, so it shows what will be sent)."""
    return {
        "ten": text.given_name(full_name),
        "ho_ten": full_name,
        "xa": commune,
        "hotline": settings.OUTREACH_HOTLINE,
    }


def uses_hotline(campaign: Campaign) -> bool:
    version = campaign.content_version or version_of(campaign.content)
    texts = [version.body, version.sms_text, version.zalo_text]
    texts += [str(v) for v in (version.zns_params or {}).values()]
    return any("hotline" in text.placeholders_in(t or "") for t in texts)


def phone_index(phone: str) -> str:
    from outreach.models import PHONE_INDEX_PURPOSE
    from registry.validation import normalize_phone

    return crypto.keyring().blind_index(PHONE_INDEX_PURPOSE, normalize_phone(phone))


def zalo_user_index(user_id: str) -> str:
    from outreach.models import ZALO_USER_INDEX_PURPOSE

    return crypto.keyring().blind_index(ZALO_USER_INDEX_PURPOSE, user_id.strip())


# --- writing the outbox -------------------------------------------------------------------------


@dataclass
class Recipient:
    person_id: int | None
    tester_id: int | None
    full_name: str
    commune: str
    phone: str | None
    phone_index: str | None
    zalo_user_id: str | None


def destination(recipient: Recipient, channel: str) -> tuple[str, str] | None:
    """(destination, its blind index) of a recipient on a channel, or None if unreachable there."""
    if channel == Channel.ZALO_OA:
        if not recipient.zalo_user_id:
            return None
        return recipient.zalo_user_id, zalo_user_index(recipient.zalo_user_id)
    if not recipient.phone or not recipient.phone_index:
        return None
    return recipient.phone, recipient.phone_index


def new_message(
    *,
    campaign: Campaign,
    version: ContentVersion,
    recipient: Recipient,
    channels: list[str],
    event: int,
    when: dt.datetime,
) -> Message | None:
    """The outbox row for the first of ``channels`` that reaches the recipient, or None."""
    values = values_for(recipient.full_name, recipient.commune)
    for channel in channels:
        reached = destination(recipient, channel)
        if reached is None:
            continue
        body, segments = render(version, channel, values)
        if segments > settings.OUTREACH_SMS_MAX_SEGMENTS:
            continue  # a long name made the SMS too long: never send above the hard limit
        return Message(
            uuid=uuid.uuid4(),
            carrier=carriers.carrier_of(reached[0]) if channel != Channel.ZALO_OA else "",
            campaign=campaign,
            event=event,
            person_id=recipient.person_id,
            test_recipient_id=recipient.tester_id,
            channel=channel,
            destination=reached[0],
            destination_index=reached[1],
            body=body,
            segments=segments,
            content_version=version,
            next_attempt_at=when,
        )
    return None


_PHONE = Person._meta.get_field("phone")


def _recipients(people: QuerySet[Person], chunk: int = 5000) -> Iterator[list[Recipient]]:
    """People as recipients, in chunks: phone decrypted, commune of the open case, Zalo follower."""
    rows = people.annotate(
        commune_name=Subquery(
            Case.objects.filter(OPEN_CASE, person=OuterRef("pk"))
            .order_by("-id")
            .values("commune__full_name")[:1]
        )
    ).values_list("id", "uuid", "full_name", "phone", "phone_index", "commune_name")
    keyring = crypto.keyring()
    table, column = Person._meta.db_table, _PHONE.column
    batch: list[tuple[Any, ...]] = []
    for row in rows.order_by("id").iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) >= chunk:
            yield _to_recipients(batch, keyring, table, column)
            batch = []
    if batch:
        yield _to_recipients(batch, keyring, table, column)


def _to_recipients(
    rows: list[tuple[Any, ...]], keyring: crypto.Keyring, table: str, column: str
) -> list[Recipient]:
    followers = dict(
        ZaloFollower.objects.filter(person_id__in=[r[0] for r in rows], following=True).values_list(
            "person_id", "user_id"
        )
    )
    return [
        Recipient(
            person_id=pk,
            tester_id=None,
            full_name=name,
            commune=commune or "",
            phone=keyring.open(bytes(sealed), crypto.associated_data(table, column, uid))
            if sealed
            else None,
            phone_index=index,
            zalo_user_id=followers.get(pk),
        )
        for pk, uid, name, sealed, index, commune in rows
    ]


def _testers() -> list[Recipient]:
    return [
        Recipient(
            person_id=None,
            tester_id=t.pk,
            full_name=t.name,
            commune="",
            phone=t.phone,
            phone_index=t.phone_index,
            zalo_user_id=t.zalo_user_id or None,
        )
        for t in TestRecipient.objects.filter(is_active=True)
    ]


def write_rows(
    *,
    campaign: Campaign,
    recipients: Iterable[list[Recipient]],
    event: int,
    when: dt.datetime,
    progress: Any = None,
) -> int:
    """Insert the outbox rows (existing ones are kept: the unique key makes this idempotent).
    Returns the number of recipients reached on some channel."""
    version = campaign.content_version
    if version is None:
        raise ApplicationError(_("Chiến dịch chưa được duyệt."))
    reached = 0
    for chunk in recipients:
        rows = [
            m
            for r in chunk
            if (
                m := new_message(
                    campaign=campaign,
                    version=version,
                    recipient=r,
                    channels=list(campaign.channels),
                    event=event,
                    when=when,
                )
            )
        ]
        Message.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        reached += len(rows)
        if progress is not None:
            progress(len(chunk))
    return reached


def campaign_write_outbox(*, campaign: Campaign, progress: Any = None) -> int:
    """Write the outbox of a running campaign (one-off: everyone now; relative: the events due
    today and tomorrow). Safe to run twice."""
    if campaign.status not in (Campaign.Status.RUNNING, Campaign.Status.PAUSED):
        return 0
    if campaign.schedule == Campaign.Schedule.RELATIVE:
        return campaign_schedule_events(campaign=campaign)
    when = next_send_time(max(campaign.send_at or timezone.now(), timezone.now()))
    if campaign.sandbox:
        recipients: Iterable[list[Recipient]] = [_testers()]
    else:
        filters = SegmentFilters.from_json(campaign.segment.filters)
        people = segment_people(filters)
        recipients = _recipients(people)
    reached = write_rows(
        campaign=campaign, recipients=recipients, event=0, when=when, progress=progress
    )
    audience: dict[str, int] = {}
    if not campaign.sandbox:
        # The first figures of the explained count (the rest come from the dispatcher's skips).
        selected = segment_people(filters, include_closed=True).count()
        open_people = people.count()
        audience = {
            "selected": selected,
            "case_closed": selected - open_people,
            "no_destination": max(open_people - reached, 0),
        }
    Campaign.objects.filter(pk=campaign.pk).update(
        planned_recipients=reached, outbox_written_at=timezone.now(), audience=audience
    )
    _audit_system_read(campaign, "outbox")
    return reached


def campaign_schedule_events(*, campaign: Campaign, today: dt.date | None = None) -> int:
    """Rows for the relative events (day N after release) that fall today or tomorrow, each at
    the campaign's hour (or the next allowed time if that has passed)."""
    today = today or timezone.localdate()
    if campaign.ends_on and today > campaign.ends_on:
        return 0
    filters = SegmentFilters.from_json(campaign.segment.filters)
    written = 0
    for day in campaign.relative_days or []:
        for target in (today, today + dt.timedelta(days=1)):
            at = timezone.make_aware(dt.datetime.combine(target, dt.time(hour=campaign.send_hour)))
            when = next_send_time(max(at, timezone.now()))
            released = CustodyRecord.objects.filter(
                person=OuterRef("pk"), release_date=target - dt.timedelta(days=day)
            )
            people = segment_people(filters, today=today).filter(Exists(released))
            written += write_rows(
                campaign=campaign, recipients=_recipients(people), event=day, when=when
            )
    Campaign.objects.filter(pk=campaign.pk).update(outbox_written_at=timezone.now())
    return written


def _audit_system_read(campaign: Campaign, purpose: str) -> None:
    AccessEvent.objects.create(
        actor=None,
        username="outreach",
        action=AccessEvent.Action.LIST,
        object_type="campaign",
        object_ids=[str(campaign.uuid)],
        purpose=purpose,
    )


def estimate(campaign: Campaign, count: int) -> dict[str, Any]:
    """Cost and quota figures for the wizard: SMS segments if everyone got SMS, ZNS against the
    day's remaining quota."""
    from outreach import limits

    version = campaign.content_version or version_of(campaign.content)
    sms_body, sms_segments = render(version, Channel.SMS, values_for("Nguyễn Văn Hùng", "Xã"))
    zns = limits.sender_limits(Channel.ZALO_ZNS)
    day = timezone.localdate().isoformat()
    used = limits.limiter().quota_used(zns, day)
    remaining = None if zns.daily_quota is None else max(zns.daily_quota - used, 0)
    return {
        "recipients": count,
        "sms_segments_each": sms_segments,
        "sms_segments_total": sms_segments * count,
        "zns_quota_remaining": remaining,
        "zns_over_quota": Channel.ZALO_ZNS in campaign.channels
        and remaining is not None
        and count > remaining,
    }
