"""Opt-outs, delivery receipts, inbound messages and Zalo followers.

Receipts: each provider status is applied once (``DeliveryReceipt`` drops repeats) and only
forward: SENDING < SENT < terminal; a terminal status is never overwritten, so a late "sent" after
"delivered" changes nothing. Opt-outs take effect at the next claim (the rules read them there).
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.models import (
    Channel,
    DeliveryReceipt,
    InboundMessage,
    Message,
    OptOut,
    ZaloFollower,
)
from outreach.services.campaigns import phone_index, zalo_user_index
from outreach.text import fold
from registry import access
from registry.audit import audit_record
from registry.models import Person, User
from registry.models.access import AccessEvent

S = Message.Status
RANK = {S.CREATED: 0, S.SENDING: 1, S.SENT: 2}  # terminal statuses rank 3
OPT_OUT_KEYWORDS = {"stop", "tu choi", "huy", "tuchoi", "khong nhan"}

# Twilio's MessageStatus → ours (courier's mapping; MESSAGING.md 2.2). Undelivered with a
# temporary cause (handset off, unknown error, validity expired) is a temporary failure.
TWILIO_STATUS = {
    "accepted": S.SENT,
    "scheduled": S.SENT,
    "queued": S.SENT,
    "sending": S.SENT,
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.DELIVERED,
    "failed": S.PERMANENT_FAILURE,
    "canceled": S.PERMANENT_FAILURE,
    "undelivered": S.PERMANENT_FAILURE,
}
TWILIO_TEMPORARY_CODES = {"30003", "30008", "30036", "30001"}


def twilio_status(provider_status: str, error_code: str) -> str | None:
    status = TWILIO_STATUS.get(provider_status.lower())
    if status == S.PERMANENT_FAILURE and error_code in TWILIO_TEMPORARY_CODES:
        return S.TEMPORARY_FAILURE
    return status


@dataclass(frozen=True)
class ReceiptOutcome:
    found: bool
    duplicate: bool = False
    applied: bool = False


def _rank(status: str) -> int:
    return RANK.get(status, 3)


@transaction.atomic
def apply_receipt(
    *,
    message_uuid: uuid_module.UUID | str | None,
    provider_id: str = "",
    provider_status: str,
    status: str | None,
    error_code: str = "",
    carrier: str = "",
) -> ReceiptOutcome:
    """Apply one provider report to its message (found by our id, else the provider's)."""
    rows = Message.objects.select_for_update()
    message = None
    if message_uuid:
        message = rows.filter(uuid=message_uuid).first()
    if message is None and provider_id:
        message = rows.filter(provider_id=provider_id).first()
    if message is None:
        return ReceiptOutcome(found=False)
    try:
        with transaction.atomic():
            receipt = DeliveryReceipt.objects.create(
                message=message, provider_status=provider_status[:30], error_code=error_code[:20]
            )
    except IntegrityError:
        return ReceiptOutcome(found=True, duplicate=True)
    now = timezone.now()
    message.callback_at = now
    fields = ["callback_at", "updated_at"]
    if provider_id and not message.provider_id:
        message.provider_id = provider_id
        fields.append("provider_id")
    if carrier and carrier != message.carrier:
        message.carrier = carrier  # the gateway knows the carrier; the prefix was a hint
        fields.append("carrier")
    applied = status is not None and _rank(status) > _rank(message.status)
    if applied:
        message.status = status
        message.provider_status = provider_status[:30]
        message.error_code = error_code[:20]
        message.lease_until = None
        fields += ["status", "provider_status", "error_code", "lease_until"]
        if message.sent_at is None:
            message.sent_at = now
            fields.append("sent_at")
        if message.is_terminal:
            message.finished_at = now
            fields.append("finished_at")
    message.save(update_fields=fields)
    if applied:
        DeliveryReceipt.objects.filter(pk=receipt.pk).update(applied=True)
    if error_code == "21610":
        opt_out_from_provider(message)
    return ReceiptOutcome(found=True, applied=applied)


# --- opt-outs -----------------------------------------------------------------------------------


def _active(index: str, channel: str) -> OptOut | None:
    return OptOut.objects.filter(
        destination_index=index, channel=channel, revoked_at__isnull=True
    ).first()


def _opt_out(
    *,
    index: str,
    channel: str,
    source: str,
    person: Person | None = None,
    actor: User | None = None,
    note: str = "",
) -> OptOut:
    existing = _active(index, channel)
    if existing is not None:
        return existing
    opt_out = OptOut(
        destination_index=index,
        channel=channel,
        source=source,
        person=person,
        recorded_by=actor,
        note=note[:300],
    )
    opt_out.save()
    return opt_out


@transaction.atomic
def opt_out_record(
    *,
    actor: User,
    person: Person,
    channel: str,
    source: str = OptOut.Source.OFFICER,
    note: str = "",
) -> OptOut:
    """An officer records that the person refuses messages (on one channel, or all)."""
    access.require(actor, "optout.create")
    if channel not in (*Channel.values, "zalo", OptOut.ALL_CHANNELS):
        raise ValidationError({"channel": _("Kênh không hợp lệ.")})
    if source not in (OptOut.Source.OFFICER, OptOut.Source.HOTLINE):
        raise ValidationError({"source": _("Nguồn không hợp lệ.")})
    if not person.phone_index:
        raise ValidationError({"channel": _("Người này chưa có số điện thoại.")})
    opt_out = _opt_out(
        index=person.phone_index,
        channel=channel,
        source=source,
        person=person,
        actor=actor,
        note=note,
    )
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[person], purpose="opt-out")
    return opt_out


@transaction.atomic
def opt_out_revoke(*, opt_out: OptOut) -> None:
    OptOut.objects.filter(pk=opt_out.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def opt_out_phone(*, phone: str, channel: str, source: str) -> OptOut:
    """Opt a phone number out (website with a verified code, SMS keyword)."""
    return _opt_out(index=phone_index(phone), channel=channel, source=source)


def opt_out_from_provider(message: Message) -> OptOut:
    """The provider says the recipient unsubscribed (Twilio 21610): never message them there."""
    return _opt_out(
        index=message.destination_index,
        channel=message.channel,
        source=OptOut.Source.PROVIDER,
        person=message.person,
    )


def is_opt_out_keyword(body: str) -> bool:
    return " ".join(fold(body).split()) in OPT_OUT_KEYWORDS


@transaction.atomic
def inbound_record(
    *, channel: str, sender: str, body: str, provider_id: str = ""
) -> InboundMessage:
    """Keep an inbound message; an opt-out keyword (STOP, TU CHOI, HUY) opts the sender out of
    that channel at once."""
    index = zalo_user_index(sender) if channel == Channel.ZALO_OA else phone_index(sender)
    action = ""
    if is_opt_out_keyword(body):
        source = (
            OptOut.Source.ZALO_KEYWORD if channel == Channel.ZALO_OA else OptOut.Source.SMS_KEYWORD
        )
        _opt_out(index=index, channel=channel, source=source)
        action = "opt_out"
    inbound = InboundMessage(
        channel=channel,
        sender_index=index,
        body=body[:2000],
        provider_id=provider_id,
        action=action,
    )
    inbound.save()
    return inbound


# --- Zalo followers -----------------------------------------------------------------------------


@transaction.atomic
def zalo_follow(*, user_id: str) -> ZaloFollower:
    """Following the OA again lifts the opt-out its unfollow made."""
    follower, _created = ZaloFollower.objects.update_or_create(
        user_id=user_id,
        defaults={"following": True, "last_interaction_at": timezone.now()},
    )
    OptOut.objects.filter(
        destination_index=zalo_user_index(user_id),
        source=OptOut.Source.ZALO_UNFOLLOW,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    return follower


@transaction.atomic
def zalo_unfollow(*, user_id: str) -> ZaloFollower:
    from outreach.services.zalo_links import unlink

    follower, _created = ZaloFollower.objects.update_or_create(
        user_id=user_id, defaults={"following": False}
    )
    _opt_out(
        index=zalo_user_index(user_id),
        channel=Channel.ZALO_OA,
        source=OptOut.Source.ZALO_UNFOLLOW,
        person=follower.person,
    )
    unlink(follower)
    return follower
