"""The one error type for broken business rules (illegal transitions, missing lawful basis …).

Field-level input problems are Django ``ValidationError``; access problems are ``Http404`` /
``PermissionDenied``. ``ApplicationError`` carries a translated message and optional details.
"""

from __future__ import annotations

from typing import Any

# Codes of ApplicationError that mean "the record moved on, or someone else changed it": 409 on
# pages and in the API alike; every other broken rule is bad input (400).
CONFLICT_CODES = frozenset(
    {
        "illegal_transition",
        "case_already_open",
        "version_conflict",
        "version_required",
        # existence is a read (registry/services/existence.py): the person is already registered
        "registered_here",
        "registered_elsewhere",
    }
)


class ApplicationError(Exception):
    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)

    @property
    def status(self) -> int:
        """The HTTP status that answers this error: 409 for a conflict, 429 when the day's
        existence answers are used up, else 400."""
        if self.extra.get("code") == "existence_limit":
            return 429
        return 409 if self.extra.get("code") in CONFLICT_CODES else 400
