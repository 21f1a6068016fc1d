"""Values as staff read them: choices by their Vietnamese label, dates dd/mm/yyyy and times in
Asia/Ho_Chi_Minh, yes/no in words, people by name; and summary-list rows of a record's fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


def display(obj: models.Model, name: str) -> str:
    value = getattr(obj, name)
    field = obj._meta.get_field(name)
    if value is None or value == "":
        return ""
    if getattr(field, "choices", None):
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    if hasattr(value, "full_name"):
        return str(value.full_name)
    return str(value)


@dataclass(frozen=True)
class Row:
    name: str  # the field's name (``data-field`` on the page)
    label: str
    value: str


def summary(obj: models.Model, names: list[str]) -> list[Row]:
    """Summary-list rows of ``obj``'s fields, in the order given, labels from the model."""
    return [
        Row(name, str(obj._meta.get_field(name).verbose_name).capitalize(), display(obj, name))
        for name in names
    ]
