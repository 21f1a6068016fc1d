"""Linking a person's Zalo to the registry through the Official Account.

Zalo ids are OA-scoped and arrive only in webhooks, so nothing tells us which follower is which
person until the person proves it: their officer issues a one-time code (shown on the page, as a
QR code that opens our instructions page, or sent to the person's phone by SMS); the person sends
it to the OA in a chat; the ``user_send_text`` webhook links the follower. The link is audited,
records the person's consent to OA messages (the issuing officer records it, with the code as
evidence), and answers the follower on the OA. Unfollowing unlinks.

Codes are 8 characters ("LK" + 6 from an alphabet without look-alikes), stored as a keyed hash,
expire after ``ZALO_LINK_CODE_HOURS``, and a follower may try at most
``ZALO_LINK_ATTEMPTS_PER_HOUR`` wrong ones an hour (6 random characters over 32 symbols leave a
guesser about one chance in 10^8 per try).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach import text
from outreach.models import Channel, Message, ZaloFollower, ZaloLinkCode
from outreach.services.campaigns import zalo_user_index
from registry import access, crypto
from registry.audit import audit_record
from registry.models import Consent, Person, User
from registry.models.access import AccessEvent
from registry.services.consents import consent_record

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_PATTERN = re.compile(r"\bLK[\s\-:]?([A-Z0-9]{6})\b")


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: dt.datetime
    sent_by_sms: bool


def _hash(code: str) -> str:
    return crypto.keyring().blind_index("outreach.zalo.link", code.upper())


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image file, no third-party request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def instructions_url(code: str) -> str:
    """Where the QR code leads: our public page that shows the code and opens the OA chat."""
    base = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/lien-ket-zalo/?ma={code}"


def oa_chat_url() -> str:
    return f"https://zalo.me/{settings.ZALO_OA_ID}" if settings.ZALO_OA_ID else ""


@transaction.atomic
def link_code_issue(*, actor: User, person: Person, send_sms: bool = False) -> IssuedCode:
    """A new code for the person (earlier unused ones end). With ``send_sms`` the code also goes
    to the person's phone as an SMS without diacritics."""
    access.require(actor, "zalo.link")
    if send_sms and not person.phone:
        raise ValidationError({"send_sms": _("Người này chưa có số điện thoại để nhận mã.")})
    now = timezone.now()
    ZaloLinkCode.objects.filter(person=person, used_at__isnull=True).update(used_at=now)
    code = "LK" + "".join(secrets.choice(ALPHABET) for _ in range(6))
    expires = now + dt.timedelta(hours=settings.ZALO_LINK_CODE_HOURS)
    ZaloLinkCode.objects.create(
        person=person,
        code_hash=_hash(code),
        issued_by=actor,
        delivery=ZaloLinkCode.Delivery.SMS if send_sms else ZaloLinkCode.Delivery.SHOWN,
        expires_at=expires,
    )
    if send_sms:
        body = text.strip_diacritics(
            f"Con đường hướng thiện: để nhận tin qua Zalo, hãy quan tâm Zalo OA "
            f"“Con đường hướng thiện” rồi nhắn mã {code}. Mã hết hạn sau "
            f"{settings.ZALO_LINK_CODE_HOURS} giờ."
        )
        Message.objects.create(
            uuid=uuid.uuid4(),
            channel=Channel.SMS,
            person=person,
            destination=person.phone,
            destination_index=person.phone_index or "",
            body=body,
            segments=text.sms_count(body).segments,
            next_attempt_at=now,
        )
        from outreach import tasks

        transaction.on_commit(tasks.kick_dispatch)
    audit_record(
        actor=actor, action=AccessEvent.Action.CREATE, objects=[person], purpose="zalo link code"
    )
    return IssuedCode(code=code, expires_at=expires, sent_by_sms=send_sms)


def find_code(body: str) -> str | None:
    match = CODE_PATTERN.search(text.fold(body).upper())
    return f"LK{match.group(1)}" if match else None


@transaction.atomic
def link_from_zalo(*, user_id: str, body: str) -> ZaloFollower | None:
    """Link the follower who sent a message carrying a valid code. Returns the linked follower,
    or None (no code, a wrong or spent code, or too many tries this hour)."""
    code = find_code(body)
    if code is None:
        return None
    now = timezone.now()
    follower, _created = ZaloFollower.objects.select_for_update().get_or_create(
        user_id=user_id, defaults={"following": True, "last_interaction_at": now}
    )
    window_start = now - dt.timedelta(hours=1)
    if follower.link_attempts_since is None or follower.link_attempts_since < window_start:
        follower.link_attempts, follower.link_attempts_since = 0, now
    if follower.link_attempts >= settings.ZALO_LINK_ATTEMPTS_PER_HOUR:
        follower.save(update_fields=["link_attempts", "link_attempts_since", "updated_at"])
        return None
    entry = (
        ZaloLinkCode.objects.select_for_update()
        .select_related("person", "issued_by")
        .filter(code_hash=_hash(code), used_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if entry is None:
        follower.link_attempts += 1
        follower.save(update_fields=["link_attempts", "link_attempts_since", "updated_at"])
        return None
    person = entry.person
    # One Zalo per person: an earlier link of this person ends.
    ZaloFollower.objects.filter(person=person).exclude(pk=follower.pk).update(
        person=None, linked_at=None
    )
    follower.person, follower.linked_at, follower.following = person, now, True
    follower.last_interaction_at, follower.link_attempts = now, 0
    follower.save()
    entry.used_at, entry.follower = now, follower
    entry.save(update_fields=["used_at", "follower", "updated_at"])
    consent_record(
        actor=entry.issued_by,
        person=person,
        purpose=Consent.Purpose.OUTREACH,
        channel=Consent.Channel.ZALO,
        evidence=_("Người dân tự nhắn mã liên kết %(code)s tới Zalo OA lúc %(at)s")
        % {"code": code, "at": timezone.localtime(now).strftime("%d/%m/%Y %H:%M")},
    )
    audit_record(
        actor=None,
        username="zalo-oa",
        action=AccessEvent.Action.UPDATE,
        objects=[person],
        purpose="zalo link",
    )
    reply = _("Đã liên kết Zalo của bạn với Con đường hướng thiện. Nhắn TU CHOI để ngừng nhận tin.")
    Message.objects.create(
        uuid=uuid.uuid4(),
        channel=Channel.ZALO_OA,
        destination=user_id,
        destination_index=zalo_user_index(user_id),
        body=str(reply),
        next_attempt_at=now,
    )
    from outreach import tasks

    transaction.on_commit(tasks.kick_dispatch)
    return follower


def unlink(follower: ZaloFollower) -> None:
    """The follower left the OA: the link ends (audited); the OA opt-out is recorded apart."""
    if follower.person_id is None:
        return
    person = follower.person
    ZaloFollower.objects.filter(pk=follower.pk).update(person=None, linked_at=None)
    follower.person, follower.linked_at = None, None
    audit_record(
        actor=None,
        username="zalo-oa",
        action=AccessEvent.Action.UPDATE,
        objects=[person],
        purpose="zalo unlink (unfollow)",
    )


def link_status(person: Person) -> ZaloFollower | None:
    return ZaloFollower.objects.filter(person=person, following=True).first()
