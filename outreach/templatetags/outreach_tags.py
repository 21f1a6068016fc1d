"""Template filters of the outreach pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def dong(value: object) -> str:
    """An amount in đồng with Vietnamese thousands separators: 1590 → "1.590"."""
    try:
        return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
