"""Template helpers of the staff workspace: GOV.UK classes on form widgets, status tags in the
colours of their meaning, dates as dd/mm/yyyy in Asia/Ho_Chi_Minh, ages. Loaded in every template
(``builtins`` in the settings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

_WIDGET_CLASS = {
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "textarea": "govuk-textarea",
    "fileinput": "govuk-file-upload",
    "clearablefileinput": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
}
# Inputs whose value is short get a narrow box (GOV.UK's width classes).
_NARROW = {"dateinput": "govuk-input--width-10", "numberinput": "govuk-input--width-10"}


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField) -> str:
    """The field's widget with GOV.UK's class, its error state and ``aria-describedby``."""
    kind = field.widget_type
    css = _WIDGET_CLASS.get(kind, "govuk-input")
    if css == "govuk-input" and kind in _NARROW:
        css += " " + _NARROW[kind]
    if field.errors and kind != "checkbox":
        css += f" {css.split()[0]}--error"
    attrs = {"class": css}
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def choice_family(kind: str) -> str:
    return "radios" if kind == "radioselect" else "checkboxes"


@register.filter
def govuk_choices(field: BoundField) -> list[Any]:
    """The options of a radio or checkbox group, each input with GOV.UK's class."""
    family = choice_family(field.widget_type)
    field.field.widget.attrs["class"] = f"govuk-{family}__input"
    return list(field.subwidgets)


# --- statuses as tags ----------------------------------------------------------------------------
# Colour by meaning, whatever the model: waiting (blue), working (light blue), done well (green),
# needs attention (orange / red), finished otherwise (grey).
_COLOURS = {
    "expected": "blue",
    "awaiting_arrival": "light-blue",
    "active": "green",
    "closed": "grey",
    "identified": "blue",
    "referred": "light-blue",
    "met": "green",
    "unmet": "orange",
    "withdrawn": "grey",
    "requested": "blue",
    "accepted": "light-blue",
    "in_progress": "light-blue",
    "on_hold": "yellow",
    "completed": "green",
    "rejected": "red",
    "failed": "red",
    "cancelled": "grey",
    "draft": "grey",
    "submitted": "blue",
    "approved": "green",
    "disbursed": "green",
    "repaying": "light-blue",
    "repaid": "green",
    "overdue": "red",
    "issued": "green",
    "refused": "red",
    "received": "blue",
    "acknowledged": "light-blue",
    "given": "green",
    "A": "green",
    "B": "light-blue",
    "C": "orange",
    "D": "red",
}


@register.simple_tag
def status_tag(obj: Any, field: str = "status") -> str:
    """``<strong class="govuk-tag">`` with the status's Vietnamese label."""
    value = getattr(obj, field, "")
    if not value:
        return ""
    label = getattr(obj, f"get_{field}_display")()
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', _COLOURS.get(value, "grey"), label
    )


@register.simple_tag
def colour_tag(text: str, colour: str = "grey") -> str:
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, text)


# --- dates ---------------------------------------------------------------------------------------


@register.filter
def vn_date(value: dt.date | dt.datetime | None) -> str:
    """dd/mm/yyyy; a moment is shown in Asia/Ho_Chi_Minh."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


@register.filter
def vn_datetime(value: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


@register.filter
def age(birth_year: int | None) -> str:
    if not birth_year:
        return ""
    return str(timezone.localdate().year - int(birth_year))


@register.filter
def days_until(day: dt.date | None) -> int | None:
    """Days from today (Asia/Ho_Chi_Minh) to ``day``: negative when it has passed."""
    if not day:
        return None
    return (day - timezone.localdate()).days


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def allows(obj: Any, action: str) -> bool:
    """Whether the record's state machine (``TRANSITIONS`` on its model) lets it take ``action``
    now: pages offer only legal steps."""
    machine = getattr(type(obj), "TRANSITIONS", None)
    return bool(machine and action in machine and obj.status in machine[action].sources)


@register.filter
def purpose(value: str) -> str:
    """An access event's purpose in Vietnamese."""
    from registry.audit import purpose_label

    return purpose_label(value or "")
