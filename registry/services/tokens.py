"""API tokens for integrations: issued with an expiry, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.audit import audit_record
from registry.models import AccessEvent, ApiToken, User

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(
    *, actor: User, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` valid ``days`` (at most ``API_TOKEN_MAX_DAYS``, the default);
    returns it and the secret, which is never stored or shown again. ValidationError if ``days``
    is out of range."""
    limit = settings.API_TOKEN_MAX_DAYS
    days = limit if days is None else days
    if not 1 <= days <= limit:
        raise ValidationError(
            {"days": _("Thời hạn mã từ 1 đến %(limit)s ngày.") % {"limit": limit}}
        )
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:8],
        key_hash=_hash(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor, action=AccessEvent.Action.CREATE, objects=[token], purpose="api token issued"
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        actor=actor, action=AccessEvent.Action.UPDATE, objects=[token], purpose="api token revoked"
    )
    return token


def api_token_user(secret: str) -> tuple[User, ApiToken] | None:
    """The active token with this secret and its user, or None (unknown, expired or revoked)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # not a write per request
    return token.user, token
