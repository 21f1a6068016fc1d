"""The public website's writes: citizens' questions (with rate limits and a honeypot), staff
answers (privately through the outreach channels, or published as anonymised Q&A), one-time codes
for "manage my messages", and the message preferences of a verified phone number.

Nothing here ever tells a visitor whether a phone number is in the registry: a code is sent to
any valid number, and the preferences page shows and changes only opt-outs, which exist for any
number.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from outreach import text
from outreach.models import (
    Channel,
    ContentItem,
    Message,
    OptOut,
    PhoneCode,
    Question,
)
from outreach.services.campaigns import phone_index
from outreach.services.content import _snapshot
from registry import access, crypto, validation
from registry.audit import audit_record
from registry.models import User
from registry.models.access import AccessEvent

CODE_LIFETIME = dt.timedelta(minutes=10)
CODE_ATTEMPTS = 5
PREFERENCE_CHANNELS = ("sms", "zalo")


class RateLimitedError(Exception):
    """Too many requests from this visitor or for this number; the message says when to retry."""


def _hit(key: str, limit: int, seconds: int) -> bool:
    """Count one event under ``key``; False once ``limit`` is passed within ``seconds``."""
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


def _visitor(ip: str) -> str:
    """Visitors are counted by a keyed hash of their address, never the address itself."""
    return crypto.keyring().blind_index("public.visitor", ip or "unknown")[:32]


def _normal_phone(raw: str) -> str:
    return validation.normalize_phone(raw)


def _queue_message(*, channel: str, phone: str, body: str) -> Message:
    """A message the citizen asked for (a code, an answer): no campaign, sent at once."""
    message = Message(
        channel=channel,
        destination=phone,
        destination_index=phone_index(phone),
        body=body,
        segments=text.sms_count(body).segments if channel == Channel.SMS else 1,
        next_attempt_at=timezone.now(),
    )
    message.save()
    from outreach import tasks

    transaction.on_commit(tasks.kick_dispatch)
    return message


# --- questions ----------------------------------------------------------------------------------


@transaction.atomic
def question_submit(*, body: str, phone: str = "", honeypot: str = "", ip: str = "") -> Question:
    """Keep a citizen's question. Refused: a filled honeypot (robots), too many links, too short
    or too long, and more than QUESTION_RATE per visitor per hour."""
    body = (body or "").strip()
    if honeypot:
        raise ValidationError({"body": _("Không gửi được câu hỏi. Vui lòng thử lại.")})
    errors: dict[str, str] = {}
    if len(body) < 10:
        errors["body"] = _("Câu hỏi quá ngắn: viết ít nhất 10 ký tự.")
    elif len(body) > 2000:
        errors["body"] = _("Câu hỏi dài quá 2.000 ký tự: viết ngắn gọn hơn.")
    elif len(re.findall(r"https?://|www\.", body)) > 1:
        errors["body"] = _("Câu hỏi có quá nhiều đường link.")
    normal = ""
    if phone.strip():
        try:
            normal = _normal_phone(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    if not _hit(f"public:q:{_visitor(ip)}", settings.PUBLIC_QUESTION_RATE_PER_HOUR, 3600):
        raise RateLimitedError(_("Bạn đã gửi nhiều câu hỏi. Vui lòng thử lại sau một giờ."))
    question = Question(
        body=body, phone=normal or None, phone_index=phone_index(normal) if normal else ""
    )
    question.save()
    return question


@transaction.atomic
def question_answer(*, actor: User, question: Question, answer: str) -> Message:
    """Answer privately: the text goes to the asker's phone by SMS (without diacritics)."""
    access.require(actor, "question.answer")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != Question.Status.NEW:
        raise ValidationError({"answer": _("Câu hỏi này đã được xử lý.")})
    if not question.phone:
        raise ValidationError(
            {"answer": _("Người hỏi không để lại số điện thoại: hãy đăng hỏi – đáp.")}
        )
    body = text.strip_diacritics(f"Con duong huong thien tra loi: {answer.strip()}")
    if text.sms_count(body).segments > settings.OUTREACH_SMS_MAX_SEGMENTS:
        raise ValidationError(
            {
                "answer": _("Trả lời dài quá %(n)d phần tin SMS: viết ngắn hơn.")
                % {"n": settings.OUTREACH_SMS_MAX_SEGMENTS}
            }
        )
    if not answer.strip():
        raise ValidationError({"answer": _("Viết câu trả lời.")})
    question.status, question.answer = Question.Status.ANSWERED, answer.strip()
    question.answered_by, question.answered_at = actor, timezone.now()
    question.save()
    audit_record(actor=actor, action=AccessEvent.Action.UPDATE, objects=[question])
    return _queue_message(channel=Channel.SMS, phone=question.phone, body=body)


@transaction.atomic
def question_publish(*, actor: User, question: Question, title: str, answer: str) -> ContentItem:
    """Publish an anonymised question and answer (written by staff) on the Q&A page."""
    access.require(actor, "question.answer")
    access.require(actor, "content.approve")
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != Question.Status.NEW:
        raise ValidationError({"answer": _("Câu hỏi này đã được xử lý.")})
    if not title.strip() or not answer.strip():
        raise ValidationError({"answer": _("Viết câu hỏi đã bỏ thông tin cá nhân và câu trả lời.")})
    flags = text.discretion_flags(title, answer)
    now = timezone.now()
    base = slugify(text.strip_diacritics(title))[:90] or "hoi-dap"
    item = ContentItem(
        slug=f"{base}-{secrets.token_hex(3)}",
        kind=ContentItem.Kind.QA,
        title=title.strip(),
        summary=title.strip()[:300],
        body=answer.strip(),
        sms_text=text.strip_diacritics(answer.strip())[:300],
        status=ContentItem.Status.PUBLISHED,
        discretion_flags=flags,
        discretion_override=_("Hỏi – đáp công khai, không gửi riêng cho ai") if flags else "",
        created_by=actor,
        approved_by=actor,
        approved_at=now,
        published_at=now,
    )
    item.full_clean()
    item.save()
    _snapshot(item)
    question.status, question.published_item = Question.Status.PUBLISHED, item
    question.answered_by, question.answered_at = actor, now
    question.save()
    audit_record(actor=actor, action=AccessEvent.Action.UPDATE, objects=[question])
    return item


@transaction.atomic
def question_reject(*, actor: User, question: Question) -> None:
    access.require(actor, "question.answer")
    Question.objects.filter(pk=question.pk, status=Question.Status.NEW).update(
        status=Question.Status.REJECTED, answered_by=actor, answered_at=timezone.now()
    )


# --- one-time codes -----------------------------------------------------------------------------


def _code_hash(index: str, code: str) -> str:
    return crypto.keyring().blind_index(f"public.code.{index}", code)


@transaction.atomic
def code_request(*, phone: str, channel: str = "sms", ip: str = "") -> None:
    """Send a 6-digit code to the number, whoever it belongs to. Raises ValidationError for a
    number that is not a Vietnamese mobile, RateLimitedError after too many requests (per visitor
    and per number). Otherwise returns nothing: the same answer for every number."""
    normal = _normal_phone(phone)
    index = phone_index(normal)
    if not (
        _hit(f"public:code:ip:{_visitor(ip)}", settings.PUBLIC_CODE_RATE_PER_HOUR * 2, 3600)
        and _hit(f"public:code:phone:{index[:32]}", settings.PUBLIC_CODE_RATE_PER_HOUR, 3600)
    ):
        raise RateLimitedError(_("Đã gửi mã nhiều lần. Vui lòng thử lại sau một giờ."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    PhoneCode.objects.filter(phone_index=index, used_at__isnull=True).update(used_at=timezone.now())
    PhoneCode.objects.create(
        phone_index=index,
        code_hash=_code_hash(index, code),
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    body = (
        f"Ma xac nhan Con duong huong thien: {code}. Ma het han sau 10 phut. Khong dua ma cho ai."
    )
    send_on = Channel.SMS
    if channel == "zalo" and settings.ZALO_OTP_TEMPLATE_ID:
        import json

        send_on = Channel.ZALO_ZNS
        body = json.dumps(
            {"template_id": settings.ZALO_OTP_TEMPLATE_ID, "template_data": {"otp": code}}
        )
    _queue_message(channel=send_on, phone=normal, body=body)


class CodeRefusedError(Exception):
    """A wrong, expired or exhausted code (the message says which, in Vietnamese)."""


def code_verify(*, phone: str, code: str) -> str:
    """Check a code; returns the phone's blind index for the session. Raises CodeRefusedError
    (after the transaction that counted the attempt has committed)."""
    try:
        index = phone_index(_normal_phone(phone))
    except ValidationError:
        raise CodeRefusedError(_("Mã không đúng.")) from None
    refused = _check_code(index, code)
    if refused:
        raise CodeRefusedError(refused)
    return index


@transaction.atomic
def _check_code(index: str, code: str) -> str:
    """The refusal message, or "" when the code is right (and now used)."""
    entry = (
        PhoneCode.objects.select_for_update()
        .filter(phone_index=index, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if entry is None:
        return _("Mã không đúng. Hãy xin mã mới.")
    if entry.expires_at < timezone.now():
        return _("Mã đã hết hạn. Hãy xin mã mới.")
    if entry.attempts >= CODE_ATTEMPTS:
        return _("Nhập sai quá nhiều lần. Hãy xin mã mới.")
    if not hmac.compare_digest(entry.code_hash, _code_hash(index, (code or "").strip())):
        entry.attempts += 1
        entry.save(update_fields=["attempts", "updated_at"])
        left = CODE_ATTEMPTS - entry.attempts
        if left <= 0:
            return _("Nhập sai quá nhiều lần. Hãy xin mã mới.")
        return _("Mã không đúng. Còn %(n)d lần thử.") % {"n": left}
    entry.used_at = timezone.now()
    entry.save(update_fields=["used_at", "updated_at"])
    return ""


# --- preferences of a verified number -----------------------------------------------------------


def preferences(index: str) -> dict[str, bool]:
    """Channel → True when messages may come (no active opt-out for it or for all)."""
    active = set(
        OptOut.objects.filter(destination_index=index, revoked_at__isnull=True).values_list(
            "channel", flat=True
        )
    )
    stopped_all = OptOut.ALL_CHANNELS in active
    return {
        "sms": not stopped_all and "sms" not in active,
        "zalo": not stopped_all and not active & {"zalo", "zalo_zns", "zalo_oa"},
    }


@transaction.atomic
def preferences_set(*, index: str, wanted: dict[str, Any], stop_all: bool = False) -> None:
    """Replace the number's opt-outs by what the citizen chose; takes effect at the next claim."""
    now = timezone.now()
    OptOut.objects.filter(destination_index=index, revoked_at__isnull=True).update(revoked_at=now)
    if stop_all:
        OptOut.objects.create(
            destination_index=index, channel=OptOut.ALL_CHANNELS, source=OptOut.Source.WEBSITE
        )
        return
    for channel in PREFERENCE_CHANNELS:
        if not wanted.get(channel):
            OptOut.objects.create(
                destination_index=index, channel=channel, source=OptOut.Source.WEBSITE
            )
