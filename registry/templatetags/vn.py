"""Vietnamese number formatting for templates: 50000000 → "50.000.000 đ"."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def vnd(value: object) -> str:
    if value in (None, ""):
        return "—"
    return f"{int(value):,}".replace(",", ".") + " đ"  # type: ignore[call-overload]
