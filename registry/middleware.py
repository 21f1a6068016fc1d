"""Request context for the audit log and the absolute session limit."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

from registry import access, audit, counts
from registry.client_ip import client_ip

SIGNED_IN_AT = "signed_in_at"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SEEN_AT = "seen_at"


# A client may send its own X-Request-ID to correlate; it is kept apart from ours, and only if
# it looks like an id (never free text in the audit log).
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Everything but the public website (cached on purpose; its personal pages set their own
# no-store) and static files carries Cache-Control: no-store — staff pages, API, exports.
CACHEABLE_PREFIXES = ("/huong-thien/", "/static/")
log = logging.getLogger("registry.requests")


class SessionLimitsMiddleware:
    """Tag each request with an id of ours for the audit log and the logs, end a session after
    SESSION_IDLE_SECONDS without a request or SESSION_MAX_SECONDS after sign-in whatever the
    activity (``session_expired``), record refusals on personal-data routes
    (``audit.audit_denied``), mark responses ``no-store``, and write one request line to the
    app's log (in place of gunicorn's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        sent = request.headers.get("X-Request-ID", "")
        client_id = sent if CLIENT_REQUEST_ID.fullmatch(sent) else ""
        ip = client_ip(request)
        token = audit.current.set(audit.RequestContext(request_id, ip or None, client_id))
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and session_expired(request.session):
                logout(request)
            response = self.get_response(request)
            match = getattr(request, "resolver_match", None)
            actor = getattr(request, "user", None)  # after the view: a sign-in changes it
            if (
                request.method not in SAFE_METHODS
                and actor is not None
                and actor.is_authenticated
                and not getattr(match.func if match else None, "reads_only", False)
            ):
                counts.forget(actor)  # the user's own change shows at once
            route = match.view_name if match else ""
            if response.status_code in (401, 403, 404) and route in access.PERSONAL_DATA_ROUTES:
                audit.audit_denied(
                    actor=getattr(request, "user", None),
                    route=route,
                    status=response.status_code,
                    object_ids=[str(v) for v in (match.kwargs.values() if match else ())],
                )
        finally:
            audit.current.reset(token)
        response["X-Request-ID"] = request_id
        if not request.path.startswith(CACHEABLE_PREFIXES):
            response["Cache-Control"] = "no-store"
        log.info(
            "%s %s %s %sms ip=%s route=%s",
            request.method,
            request.path,
            response.status_code,
            round((time.perf_counter() - started) * 1000),
            ip,
            route or "-",
        )
        return response


def session_expired(session: SessionBase) -> bool:
    """True when the signed-in session is past either limit; otherwise note this activity, at
    most once per SESSION_TOUCH_SECONDS (only then is the session saved)."""
    now = time.time()
    started_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT, started_at)
    if started_at is None or now - started_at > settings.SESSION_MAX_SECONDS:
        return True
    if now - seen_at > settings.SESSION_IDLE_SECONDS:
        return True
    if now - seen_at >= settings.SESSION_TOUCH_SECONDS:
        session[SEEN_AT] = now
    return False


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


class StaleKeyringMiddleware:
    """A write refused because this process's keyring is older than the database's (see
    registry/services/keys.py) answers 503 — the load balancer's /readyz already took the process
    out — never a 500 that looks like a bug; nothing was saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        from registry.services.keys import StaleKeyringError

        if not isinstance(exception, StaleKeyringError):
            return None
        logging.getLogger("registry.keys").error("write refused: %s", exception)
        message = _(
            "Máy chủ này đang chạy bộ khóa mã hóa cũ nên không lưu được; chưa có gì được lưu. "
            "Vui lòng thử lại sau ít phút."
        )
        if request.path.startswith("/api/"):
            response = JsonResponse({"message": message, "extra": {}}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "30"
        return response
