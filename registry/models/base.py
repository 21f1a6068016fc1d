import datetime as dt
import uuid
from functools import lru_cache
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=1024)
def choice_labels(field: models.Field, language: str | None) -> dict[Any, str]:
    """A field's choices as {value: label} translated into ``language``, built once per field and
    language. Django's ``get_FOO_display`` rebuilds that dict, hashing and translating every lazy
    label, on each call: on a list page of 50 rows that was a tenth of the page's CPU (issue 20)."""
    return {value: str(label) for value, label in field.flatchoices}


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802 (Django's name)
        value = getattr(self, field.attname)
        try:
            return choice_labels(field, get_language()).get(value, value)
        except TypeError:  # an unhashable value (a list or a dict): Django's own way
            return super()._get_FIELD_display(field)


class PublicModel(BaseModel):
    """A model whose rows appear in URLs: addressed by ``uuid``, never by the integer key.

    The uuid is assigned in Python before the first save, so that encrypted fields can bind their
    ciphertext to the row (associated data ``table|column|uuid``)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class ValidityPeriod(models.Model):
    """Rows that hold only between two dates (units, agencies, rules that change with the law).
    An empty bound is open."""

    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def valid_on_q(day: dt.date, prefix: str = "") -> Q:
        return (
            Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})
        ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
