"""API authentication: the staff web session with a verified second factor, or a per-user API
token (``Authorization: Token <secret>``) for integrations, stored hashed, with expiry."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from registry.services.tokens import api_token_user


class VerifiedSessionAuthentication(SessionAuthentication):
    """A browser session counts only once its second factor is verified."""

    def authenticate(self, request: Request) -> Any:
        result = super().authenticate(request)
        if result is None or not getattr(result[0], "is_verified", lambda: False)():
            return None
        return result


class ApiTokenAuthentication(BaseAuthentication):
    keyword = b"token"

    def authenticate(self, request: Request) -> Any:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Mã truy cập không đúng định dạng: 'Token <mã>'."))
        found = api_token_user(parts[1].decode("ascii", errors="replace"))
        if found is None:
            raise AuthenticationFailed(_("Mã truy cập không đúng, đã hết hạn hoặc đã bị thu hồi."))
        return found

    def authenticate_header(self, request: Request) -> str:
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token <mã>",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.VerifiedSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}


class TokenRateThrottle(SimpleRateThrottle):
    """A rate per API token beside the rate per user: a leaked token cannot use a user's quota."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "pk"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
