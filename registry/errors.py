"""The one error type for broken business rules (illegal transitions, missing lawful basis …).

Field-level input problems are Django ``ValidationError``; access problems are ``Http404`` /
``PermissionDenied``. ``ApplicationError`` carries a translated message and optional details.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)
