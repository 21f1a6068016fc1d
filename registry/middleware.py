"""Request context for the audit log and the absolute session limit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from registry import audit

SIGNED_IN_AT = "signed_in_at"


class SessionLimitsMiddleware:
    """Tag each request with an id for the audit log, and end a session 8 hours after sign-in
    whatever the activity (the 15-minute idle limit is the session cookie's own age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = audit.current.set(audit.RequestContext(request_id, request.META.get("REMOTE_ADDR")))
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                started = request.session.get(SIGNED_IN_AT)
                if started is None or time.time() - started > settings.SESSION_MAX_SECONDS:
                    logout(request)
            response = self.get_response(request)
        finally:
            audit.current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class MetricsMiddleware:
    """Request latency by view (the route's name, never the path: paths carry uuids)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from registry import metrics

        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        metrics.observe_latency(view, time.perf_counter() - started)
        return response
