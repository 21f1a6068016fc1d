"""Recording and withdrawing a person's consent (PDP Law 91/2025 art. 9)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import validation
from registry.audit import audit_record
from registry.models import Agency, Consent, NeedType, Person, User
from registry.models.access import AccessEvent


@transaction.atomic
def consent_record(
    *,
    actor: User,
    person: Person,
    purpose: str,
    evidence: str,
    given_on: dt.date | None = None,
    channel: str = "",
    agency: Agency | None = None,
    need_type: NeedType | None = None,
    expires_on: dt.date | None = None,
) -> Consent:
    """Record a consent given by the person. Silence is not consent: evidence is required."""
    given_on = given_on or validation.today()
    errors: dict[str, str] = {}
    if not (evidence or "").strip():
        errors["evidence"] = _("Ghi bằng chứng của sự đồng ý (biên bản, phiếu có chữ ký …).")
    if given_on > validation.today():
        errors["given_on"] = _("Ngày đồng ý không được ở tương lai.")
    if expires_on is not None and expires_on <= given_on:
        errors["expires_on"] = _("Ngày hết hạn phải sau ngày đồng ý.")
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        person=person,
        purpose=purpose,
        channel=channel,
        agency=agency,
        need_type=need_type,
        evidence=evidence,
        given_on=given_on,
        expires_on=expires_on,
        recorded_by=actor,
    )
    consent.full_clean()
    consent.save()
    audit_record(actor=actor, action=AccessEvent.Action.CREATE, objects=[consent])
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """GIVEN → WITHDRAWN, effective at once for every later use."""
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    step = Consent.TRANSITIONS.check("withdraw", locked.status, locked.get_status_display())
    locked.status, locked.withdrawn_at = step.target, timezone.now()
    locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
    audit_record(actor=actor, action=AccessEvent.Action.TRANSITION, objects=[locked])
    return locked
