"""Log lines without personal data, as JSON, with the request id of the request (or of the request
that queued the Celery task) on every line.

``RedactingFilter`` rewrites every record before any handler writes it: national IDs (12 digits),
Vietnamese phone numbers (0…, 84…, +84…, legacy 11-digit), byte strings (ciphertext, as
``b'…'``), long hexadecimal or base64 runs (blind indexes, keys, sealed values) become
``[ẩn]``. The formatter applies the same rules to the formatted line, tracebacks included.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

REDACTED = "[ẩn]"
PATTERNS = [
    re.compile(r"(?<![A-Za-z0-9_])b(['\"]).*?(?<!\\)\1"),  # bytes reprs: ciphertext
    re.compile(r"(?<![0-9A-Za-z])(?:\+?84|0)\d(?:[\s.\-]?\d){8,9}(?![0-9])"),  # phones
    re.compile(r"(?<![0-9])\d{12}(?![0-9])"),  # national IDs
    re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])"),  # blind indexes, keys
]
# Base64 runs (keys, sealed values): long, and mixing upper case, lower case and digits — which
# file paths in tracebacks do not.
BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")


def _base64(match: re.Match[str]) -> str:
    run = match.group(0)
    mixed = (
        any(c.isupper() for c in run)
        and any(c.islower() for c in run)
        and any(c.isdigit() for c in run)
    )
    return REDACTED if mixed else run


def redact(text: str) -> str:
    for pattern in PATTERNS:
        text = pattern.sub(REDACTED, text)
    return BASE64.sub(_base64, text)


def _request_id() -> str:
    from registry.audit import current

    context = current.get()
    return context.request_id if context else ""


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if not getattr(record, "request_id", ""):
            record.request_id = _request_id()
        return True


class JsonFormatter(logging.Formatter):
    def context_request_id(self) -> str:
        return _request_id()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", "") or self.context_request_id(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        # The request id is ours (random), the one long hex run that must stay readable.
        return json.dumps(entry, ensure_ascii=False)


class GunicornJsonFormatter(JsonFormatter):
    """gunicorn's lines as the app's JSON. Loaded by the master before Django: it never looks up
    the request context; an access line takes the request id from the response's X-Request-ID."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = ""
        if isinstance(record.args, dict):
            request_id = str(record.args.get("{x-request-id}o", "") or "")
        record.request_id = "" if request_id == "-" else request_id
        return super().format(record)

    def context_request_id(self) -> str:
        return ""


class PlainFormatter(logging.Formatter):
    """Readable lines; the message was redacted by the filter, tracebacks are redacted here."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return redact(super().formatException(ei))
