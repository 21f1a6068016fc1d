"""Writing the access log and the change log.

``audit_record`` is called in the same transaction as the read or write it records: if the row
cannot be written the transaction fails, and so does the request. The request id and the client
address come from ``RequestContextMiddleware`` through a context variable, so services that run
outside a request (commands, tasks) still write complete rows.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DatabaseError, models

from registry import access
from registry.models import User
from registry.models.access import AccessEvent, ChangeLog


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


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
    context = current.get() or RequestContext()
    try:
        return _write(actor, action, objects, model, purpose, username, context)
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
    context = current.get() or RequestContext()
    return AccessEvent.objects.create(
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        role=access.role_label(actor) if actor is not None else "",
        action=action,
        object_type=model._meta.model_name,
        object_ids=object_ids,
        person_ids=sorted(set(person_ids)),
        purpose=purpose,
        request_id=context.request_id,
        ip=context.ip,
    )


def _write(
    actor: User | None,
    action: str,
    objects: list[models.Model],
    model: type[models.Model] | None,
    purpose: str,
    username: str,
    context: RequestContext,
) -> AccessEvent:
    return AccessEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        username=username
        or (actor.get_username() if actor is not None and actor.is_authenticated else ""),
        role=access.role_label(actor) if actor is not None else "",
        action=action,
        object_type=model._meta.model_name if model is not None else "",
        object_ids=[str(getattr(o, "uuid", o.pk)) for o in objects],
        person_ids=access.person_uuids(objects),
        purpose=purpose,
        request_id=context.request_id,
        ip=context.ip,
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
