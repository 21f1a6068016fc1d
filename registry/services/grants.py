"""Explicit per-object grants the rules do not cover (DESIGN.md section 4): a case shared with the
police of the commune a person is moving to, a case lent to an inspector. They are
django-guardian rows on a direct foreign key with an expiry; the access policy honours them after
its rules and ignores them once expired."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.audit import audit_record
from registry.models import AccessEvent, Case, CaseUserObjectPermission, User

MAX_GRANT = dt.timedelta(days=180)


@transaction.atomic
def case_grant(
    *, actor: User, case: Case, user: User, until: dt.datetime, reason: str
) -> CaseUserObjectPermission:
    """Let ``user`` see ``case`` until ``until`` (at most 180 days ahead), for ``reason``."""
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Ghi lý do chia sẻ hồ sơ.")
    if not timezone.now() < until <= timezone.now() + MAX_GRANT:
        errors["until"] = _("Thời hạn chia sẻ phải trong tương lai và không quá 180 ngày.")
    if errors:
        raise ValidationError(errors)
    permission = Permission.objects.get(content_type__app_label="registry", codename="view_case")
    grant, _created = CaseUserObjectPermission.objects.update_or_create(
        user=user,
        permission=permission,
        content_object=case,
        defaults={"expires_at": until, "reason": reason.strip(), "granted_by": actor},
    )
    audit_record(
        actor=actor,
        action=AccessEvent.Action.UPDATE,
        objects=[case],
        purpose=f"grant to {user.get_username()}",
    )
    return grant
