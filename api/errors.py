"""One error shape for the whole API: ``{"message": "…", "extra": {"fields": {field: [msgs]}}}``,
in Vietnamese or English by ``Accept-Language``. 400 bad input, 401/403 authentication and
forbidden actions, 404 out of scope (like missing), 409 illegal transitions and edit conflicts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from registry.errors import ApplicationError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [
            str(item) if not isinstance(item, (dict, list)) else _flatten(item) for item in detail
        ]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(fields)
    elif isinstance(exc, ApplicationError):
        extra = {key: str(value) for key, value in exc.extra.items()}
        return Response({"message": str(exc.message), "extra": extra}, status=exc.status)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, DjangoPermissionDenied):
        # A translated message is meant for the user; a plain string is an internal capability code.
        given = exc.args[0] if exc.args and isinstance(exc.args[0], Promise) else None
        exc = exceptions.PermissionDenied(given or _("Vai trò của bạn không được làm việc này."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "message": _("Dữ liệu chưa hợp lệ."),
            "extra": {"fields": _flatten(exc.detail)},
        }
    else:
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {"message": str(detail), "extra": {}}
    return response
