"""The client's address, the same for the public site's limits, django-axes and the logs.

Behind ``TRUSTED_PROXY_COUNT`` proxies (the TLS proxy: 1), the client is the address that the
outermost trusted proxy appended to ``X-Forwarded-For`` — the N-th entry from the right. Entries
further left were written by the client and are never trusted. Without proxies (0, the default)
it is ``REMOTE_ADDR``. A malformed value falls back to ``REMOTE_ADDR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    cached = getattr(request, "_client_ip", None)
    if cached is not None:
        return cached
    remote = request.META.get("REMOTE_ADDR", "") or ""
    found = None
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= count:
            found = _valid(hops[-count])
    address = found or _valid(remote) or ""
    request._client_ip = address  # type: ignore[attr-defined]
    return address
