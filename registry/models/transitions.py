"""State machines as data: one transition table per status-bearing model.

Each model's docstring draws its machine; its ``TRANSITIONS`` table says the same in a form that
services, views and templates all read. A service checks a step with ``Transitions.check`` (an
illegal step raises ``ApplicationError`` with the code ``illegal_transition``, which pages and the
API answer with 409); a page offers only ``Transitions.allowed(status)``, so it never shows a
button for a step the record cannot take.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from registry.errors import ApplicationError


def illegal_transition(action: Any, status_label: Any) -> ApplicationError:
    return ApplicationError(
        _("Không thể “%(action)s” khi đang ở trạng thái “%(status)s”.")
        % {"action": action, "status": status_label},
        extra={"code": "illegal_transition"},
    )


@dataclass(frozen=True)
class Step:
    """One action of a machine: the statuses it starts from and the status it leads to."""

    label: Any  # the verb, lower case ("tiếp nhận"): buttons and messages
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    # Irreversible or refusing: drawn as a warning button and confirmed on a page of its own.
    destructive: bool = False

    @property
    def button(self) -> str:
        text = str(self.label)
        return text[:1].upper() + text[1:]


class Transitions(dict[str, Step]):
    """action name → Step, in the order pages offer them."""

    def __init__(self, steps: dict[str, Step]) -> None:
        super().__init__(steps)

    def allowed(self, status: str, among: Iterable[str] | None = None) -> list[tuple[str, Step]]:
        """The actions a record in ``status`` may take (only those named in ``among``)."""
        wanted = set(among) if among is not None else None
        return [
            (name, step)
            for name, step in self.items()
            if status in step.sources and (wanted is None or name in wanted)
        ]

    def check(self, action: str, status: str, status_label: Any) -> Step:
        """The step, or ApplicationError(illegal_transition) when ``status`` cannot take it."""
        step = self[action]
        if status not in step.sources:
            raise illegal_transition(step.label, status_label)
        return step


def steps(*pairs: tuple[str, Step]) -> Transitions:
    return Transitions(dict(pairs))


def sources(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)
