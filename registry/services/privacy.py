"""Writes for data-subject requests (PDP Law 91/2025, Decree 356/2025): record with deadlines,
acknowledge, complete or refuse; a withdrawal of consent takes effect when it is recorded."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry import validation
from registry.audit import audit_record
from registry.models import (
    Consent,
    DataSubjectRequest,
    DataSubjectRequestRule,
    Person,
    RequestKind,
    User,
)
from registry.models.access import AccessEvent
from registry.models.transitions import illegal_transition
from registry.services.consents import consent_withdraw
from registry.workdays import add_working_days

S = DataSubjectRequest.Status
ALL_PURPOSES = tuple(Consent.Purpose.values)


def request_deadlines(
    *, kind: str, received_on: dt.date, involves_processor: bool
) -> tuple[DataSubjectRequestRule, dt.date, dt.date]:
    """The rule valid on the day of receipt and the two deadlines it gives (working days:
    weekends and the public holidays of the calendar are skipped)."""
    rule = (
        DataSubjectRequestRule.objects.filter(
            DataSubjectRequestRule.valid_on_q(received_on), kind=kind
        )
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise ValidationError(
            {"kind": _("Chưa có quy định thời hạn cho loại yêu cầu này vào ngày nhận.")}
        )
    days = (
        rule.complete_with_processor_working_days
        if involves_processor
        else rule.complete_working_days
    )
    return (
        rule,
        add_working_days(received_on, rule.acknowledge_working_days),
        add_working_days(received_on, days),
    )


@transaction.atomic
def data_request_record(
    *,
    actor: User,
    person: Person,
    kind: str,
    channel: str,
    details: str = "",
    received_on: dt.date | None = None,
    involves_processor: bool = False,
    consent_purposes: list[str] | None = None,
) -> DataSubjectRequest:
    """Record a request with its deadlines. A withdrawal of consent withdraws, in the same
    transaction, every consent of the person given for the named purposes (all by default), so
    that outreach stops at the next message, and completes the request."""
    received_on = received_on or validation.today()
    errors: dict[str, str] = {}
    if kind not in RequestKind.values:
        errors["kind"] = _("Chọn loại yêu cầu.")
    if channel not in DataSubjectRequest.Channel.values:
        errors["channel"] = _("Chọn hình thức nhận yêu cầu.")
    if received_on > validation.today():
        errors["received_on"] = _("Ngày nhận không được ở tương lai.")
    purposes = list(consent_purposes or ALL_PURPOSES) if kind == RequestKind.WITHDRAWAL else []
    if set(purposes) - set(ALL_PURPOSES):
        errors["consent_purposes"] = _("Mục đích không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    rule, acknowledge_due, complete_due = request_deadlines(
        kind=kind, received_on=received_on, involves_processor=involves_processor
    )
    request = DataSubjectRequest(
        person=person,
        kind=kind,
        channel=channel,
        received_on=received_on,
        involves_processor=involves_processor,
        consent_purposes=purposes,
        details=(details or "").strip() or None,
        rule=rule,
        acknowledge_due=acknowledge_due,
        complete_due=complete_due,
        recorded_by=actor,
    )
    request.save()
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[request])
    if kind == RequestKind.WITHDRAWAL:
        given = Consent.objects.filter(
            person=person, purpose__in=purposes, status=Consent.Status.GIVEN
        )
        withdrawn = [consent_withdraw(actor=actor, consent=c) for c in given]
        today = validation.today()
        request.status, request.acknowledged_on, request.closed_on = S.COMPLETED, today, today
        request.response = _("Đã rút lại %(n)s sự đồng ý (%(p)s) từ ngày %(d)s.") % {
            "n": len(withdrawn),
            "p": ", ".join(str(Consent.Purpose(p).label) for p in purposes),
            "d": today.strftime("%d/%m/%Y"),
        }
        request.save(update_fields=["status", "acknowledged_on", "closed_on", "response"])
    return request


def _move(request: DataSubjectRequest, *, allowed: set[str], action: str) -> DataSubjectRequest:
    locked = DataSubjectRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in allowed:
        raise illegal_transition(action, locked.get_status_display())
    return locked


@transaction.atomic
def data_request_acknowledge(
    *, actor: User, request: DataSubjectRequest, on: dt.date | None = None
) -> DataSubjectRequest:
    """RECEIVED → ACKNOWLEDGED: the person was told the request is being handled."""
    locked = _move(request, allowed={S.RECEIVED}, action=_("xác nhận đã nhận"))
    locked.status, locked.acknowledged_on = S.ACKNOWLEDGED, on or validation.today()
    locked.save(update_fields=["status", "acknowledged_on", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[locked])
    return locked


@transaction.atomic
def data_request_close(
    *, actor: User, request: DataSubjectRequest, response: str, refused: bool = False
) -> DataSubjectRequest:
    """RECEIVED | ACKNOWLEDGED → COMPLETED, or REFUSED with the legal ground in ``response``."""
    if not (response or "").strip():
        raise ValidationError({"response": _("Ghi kết quả giải quyết hoặc căn cứ từ chối.")})
    action = _("từ chối") if refused else _("hoàn thành")
    locked = _move(request, allowed=set(DataSubjectRequest.OPEN), action=action)
    today = validation.today()
    locked.status = S.REFUSED if refused else S.COMPLETED
    locked.acknowledged_on = locked.acknowledged_on or today
    locked.closed_on, locked.response = today, response.strip()
    locked.save(update_fields=["status", "acknowledged_on", "closed_on", "response", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[locked])
    return locked
