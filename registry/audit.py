"""Writing the access log and the change log.

``audit_record`` is called in the same transaction as the read or write it records: if the row
cannot be written the transaction fails, and so does the request. The request id (ours), the
client's own id (if well formed) and the client address (``registry.client_ip``) come from
``SessionLimitsMiddleware`` through a context variable, so services that run outside a request
(commands, tasks) still write complete rows. Every row is a link of its writer's hash chain
(below); refusals are recorded by ``audit_denied``, aggregated.
"""

from __future__ import annotations

import base64
import contextvars
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, models
from django.utils import timezone

from registry import access
from registry.models import User
from registry.models.access import AccessEvent, ChangeLog


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    client_request_id: str = ""


current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "registry_request", default=None
)


def audit_record(
    *,
    actor: User | None,
    action: str,
    objects: Iterable[models.Model] = (),
    model: type[models.Model] | None = None,
    purpose: str = "",
    username: str = "",
) -> AccessEvent:
    objects = list(objects)
    model = model or (type(objects[0]) if objects else None)
    signed_in = actor is not None and actor.is_authenticated
    try:
        return _append(
            actor=actor if signed_in else None,
            username=username or (actor.get_username() if signed_in else ""),  # type: ignore[union-attr]
            role=access.role_label(actor) if actor is not None else "",
            action=action,
            object_type=model._meta.model_name if model is not None else "",
            object_ids=[str(getattr(o, "uuid", o.pk)) for o in objects],
            person_ids=access.person_uuids(objects),
            purpose=purpose,
        )
    except DatabaseError:
        from registry import metrics

        metrics.incr("audit_write_failures_total")
        raise


def audit_bulk(
    *,
    actor: User | None,
    action: str,
    model: type[models.Model],
    object_ids: list[str],
    person_ids: list[str],
    purpose: str = "",
    username: str = "",
) -> AccessEvent:
    """One access-log row for many objects written in bulk (their uuids given, not loaded);
    ``actor`` None and a ``username`` for the system's own jobs."""
    return _append(
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        role=access.role_label(actor) if actor is not None else "",
        action=action,
        object_type=model._meta.model_name,
        object_ids=object_ids,
        person_ids=sorted(set(person_ids)),
        purpose=purpose,
    )


# --- the hash chain ------------------------------------------------------------------------
# Each writer — one thread of one process — appends to a chain of its own, so that no lock is
# shared between requests: its rows are numbered 1, 2, 3 … without gaps, and each digest covers
# the previous one. The previous link is read from the database inside the current transaction,
# so a rolled-back read (whose row vanished with it) never leaves a gap.

_writer = threading.local()


def _chain() -> str:
    pid = os.getpid()
    if getattr(_writer, "pid", None) != pid:  # a forked worker must not share its parent's chain
        _writer.pid, _writer.chain = pid, uuid.uuid4().hex
    return _writer.chain


def chain_key() -> bytes:
    """The HMAC key of the chain: ``AUDIT_CHAIN_KEY``, else derived from the blind-index key —
    either way outside the database."""
    if settings.AUDIT_CHAIN_KEY:
        return base64.b64decode(settings.AUDIT_CHAIN_KEY)
    from registry import crypto

    return hmac.new(crypto.keyring().blind_index_key, b"audit-chain", hashlib.sha256).digest()


CHAINED_FIELDS = (
    "chain",
    "seq",
    "at",
    "actor_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_ids",
    "person_ids",
    "purpose",
    "request_id",
    "client_request_id",
    "ip",
)


def link_digest(row: dict[str, Any], previous: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the previous digest and this row's fields (``CHAINED_FIELDS``)."""
    values = []
    for name in CHAINED_FIELDS:
        value = row.get(name)
        if name == "at":
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        values.append(value)
    body = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(key or chain_key(), f"{previous}|{body}".encode(), hashlib.sha256).hexdigest()


def _normal_ip(ip: str | None) -> str | None:
    try:
        return ipaddress.ip_address(ip).compressed if ip else None
    except ValueError:
        return None


def _append(**fields: Any) -> AccessEvent:
    context = current.get() or RequestContext()
    row: dict[str, Any] = {
        **fields,
        "at": timezone.now(),
        "request_id": context.request_id,
        "client_request_id": context.client_request_id,
        "ip": _normal_ip(context.ip),
        "chain": _chain(),
        "actor_id": fields["actor"].pk if fields.get("actor") is not None else None,
    }
    last = (
        AccessEvent.objects.filter(chain=row["chain"], seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "digest")
        .first()
    )
    row["seq"], previous = (last[0] + 1, last[1]) if last else (1, "")
    row["digest"] = link_digest(row, previous)
    row.pop("actor_id")
    return AccessEvent.objects.create(**row)


# --- denials -------------------------------------------------------------------------------


def audit_denied(*, actor: User | None, route: str, status: int, object_ids: list[str]) -> None:
    """A refused request on a personal-data route: at most one ``denied`` row per user (or
    address) × route × status per ``AUDIT_DENIED_WINDOW_SECONDS``; the next row says how many
    more were refused since, so a scan shows without flooding the log."""
    context = current.get() or RequestContext()
    signed_in = actor is not None and actor.is_authenticated
    who = f"u{actor.pk}" if signed_in else f"ip{context.ip}"  # type: ignore[union-attr]
    key = f"audit-denied:{who}:{route}:{status}"
    window = settings.AUDIT_DENIED_WINDOW_SECONDS
    earlier = 0
    try:
        if not cache.add(key, 1, timeout=window):
            cache.add(f"{key}:more", 0, timeout=window * 100)
            cache.incr(f"{key}:more")
            return
        earlier = cache.get(f"{key}:more") or 0
        cache.delete(f"{key}:more")
    except Exception:  # noqa: BLE001, S110 - without the cache every refusal is written
        pass
    _append(
        actor=actor if signed_in else None,
        username=actor.get_username() if signed_in else "",  # type: ignore[union-attr]
        role=access.role_label(actor) if signed_in else "",  # type: ignore[arg-type]
        action=AccessEvent.Action.DENIED,
        object_type="",
        object_ids=object_ids[:10],
        person_ids=[],
        purpose=f"{status} {route}" + (f" (+{earlier} lần trước đó)" if earlier else ""),
    )


def change_record(
    *, actor: User, obj: models.Model, field: str, old: object, new: object, reason: str
) -> ChangeLog:
    """Log a change to a legally significant field; values are stored encrypted."""
    entry = ChangeLog(
        actor=actor,
        object_type=obj._meta.model_name,
        object_uuid=obj.uuid,  # type: ignore[attr-defined]
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        reason=reason,
    )
    entry.save()
    return entry


def events_about(person_uuid: str) -> models.QuerySet[AccessEvent]:
    """The access events that name this person (PostgreSQL: jsonb containment, through the GIN
    index on ``person_ids``; the embedded SQLite default: a text match)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return AccessEvent.objects.filter(person_ids__contains=[person_uuid])
    return AccessEvent.objects.filter(person_ids__icontains=person_uuid)


# What each stored purpose means, in Vietnamese, for the auditor's pages and exports. Purposes are
# short machine labels written by the code; a new one shows as written until it is named here
# (the browser crawler fails on an English word on any page).
PURPOSES = {
    "access log export": "xuất nhật ký truy cập",
    "admin": "trang quản trị",
    "api token issued": "cấp mã truy cập API",
    "api token revoked": "thu hồi mã truy cập API",
    "case closed": "kết thúc hồ sơ",
    "case list": "danh sách hồ sơ",
    "case overview": "xem hồ sơ",
    "close case": "kết thúc hồ sơ",
    "data subject access: everything held": "cung cấp toàn bộ dữ liệu cho chủ thể",
    "data request form": "ghi yêu cầu về dữ liệu",
    "documents": "giấy tờ của hồ sơ",
    "enrolment": "ghi danh khóa học",
    "history": "lịch sử",
    "import": "nhập danh sách",
    "inbox": "đề nghị gửi tới cơ quan",
    "job placement": "ghi nhận việc làm",
    "judicial record request": "đề nghị cấp phiếu lý lịch tư pháp",
    "judicial records": "phiếu lý lịch tư pháp",
    "loan worklist": "danh sách hồ sơ vay",
    "loan": "hồ sơ vay",
    "message history": "lịch sử tin nhắn",
    "milestones": "mốc hồ sơ",
    "needs": "nhu cầu, đề nghị",
    "opt-out": "từ chối nhận tin",
    "overdue referrals": "đề nghị quá hạn",
    "person.national_id": "số định danh",
    "person.phone": "số điện thoại",
    "refer a need": "chuyển nhu cầu",
    "referral": "đề nghị hỗ trợ",
    "retention: archive closed case, delete outreach data": (
        "lưu trữ hồ sơ đã kết thúc, xóa dữ liệu tin nhắn"
    ),
    "retention: minimise personal data": "giảm thiểu dữ liệu cá nhân",
    "second factor refused": "mã xác thực sai",
    "send": "gửi tin",
    "timeline": "diễn biến hồ sơ",
    "training": "học nghề, việc làm",
    "who viewed this person": "xem ai đã xem hồ sơ",
    "worklist": "việc hôm nay",
}
# Purposes written with a detail after a fixed start.
PURPOSE_STARTS = {
    "search by ": "tìm kiếm theo ",
    "loan ": "hồ sơ vay: ",
    "judicial record ": "phiếu lý lịch tư pháp: ",
    "grant to ": "chia sẻ hồ sơ cho ",
}
_SEARCH_KINDS = {"national_id": "số định danh", "phone": "số điện thoại", "name": "họ tên"}


def purpose_label(purpose: str) -> str:
    """The purpose of an access event as the auditor reads it (Vietnamese)."""
    if purpose in PURPOSES:
        return PURPOSES[purpose]
    for start, label in PURPOSE_STARTS.items():
        if purpose.startswith(start):
            detail = purpose[len(start) :]
            return label + _SEARCH_KINDS.get(detail, detail)
    return purpose


# The HCD forms (registry/views/documents.py): the dossier tab, and each form downloaded
# ("HCD-05 docx", "HCD-12 hcd-12-month-2026-11 03646", "HCD-09 2026-Q4 pdf").
PURPOSES["dossier"] = "hồ sơ HCD (biểu mẫu)"
PURPOSE_STARTS["HCD-"] = "tải biểu mẫu HCD-"
# The supervision workflow, the agencies' loop and the operators' pages (issues 15, 16, 21).
PURPOSES.update(
    {
        "access log read": "đọc nhật ký truy cập",
        "change national ID": "sửa số định danh",
        "console channel (development)": "kênh thử (phát triển)",
        "import dry run": "kiểm tra trước tệp nhập",
        "job follow-ups": "theo dõi việc làm",
        "legal aid": "trợ giúp pháp lý",
        "register notice": "ghi nhận thông báo của trại giam",
        "supervision": "giám sát, giáo dục",
        "supervision worklist": "việc giám sát",
        "transfer accepted": "tiếp nhận chuyển nơi cư trú",
        "transfers": "chuyển nơi cư trú",
        "zalo link": "liên kết Zalo",
        "zalo link code": "mã liên kết Zalo",
        "zalo link status": "trạng thái liên kết Zalo",
        "zalo unlink (unfollow)": "hủy liên kết Zalo (bỏ theo dõi)",
    }
)
PURPOSE_STARTS.update(
    {
        "classify ": "phân loại ",
        "quarter ": "phân loại quý ",
        "job follow-up ": "theo dõi việc làm: ",
    }
)
