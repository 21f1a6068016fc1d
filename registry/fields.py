"""Model fields that keep personal data encrypted at rest (DESIGN.md section 5).

``EncryptedTextField`` / ``EncryptedDateField``: the model attribute is the plain value; the
column holds AES-GCM ciphertext sealed with the associated data ``table|column|row uuid`` (every
model using them has a ``uuid`` assigned before it is first saved). Values loaded from the
database stay sealed until read, and an unchanged value is written back as the same ciphertext.
Such a field cannot be filtered on, except ``isnull``: search goes through a ``BlindIndexField``.

``BlindIndexField``: HMAC of the (already normalised) plain value of another encrypted field,
recomputed on save whenever that value was set or read in this instance.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.utils.module_loading import import_string
from django.utils.text import capfirst

from registry import crypto


class Sealed(bytes):
    """Ciphertext as it came from the database, not yet opened."""


class _Slot:
    __slots__ = ("sealed", "plain", "opened", "dirty")

    def __init__(self, sealed: bytes | None, plain: Any, opened: bool, dirty: bool) -> None:
        self.sealed, self.plain, self.opened, self.dirty = sealed, plain, opened, dirty


class _EncryptedDescriptor:
    def __init__(self, field: EncryptedField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        slot: _Slot | None = instance.__dict__.get(self.field.attname)
        if slot is None:
            return None
        if not slot.opened:
            text = crypto.keyring().open(slot.sealed, self.field.aad(instance))
            slot.plain, slot.opened = self.field.decode(text), True
        return slot.plain

    def __set__(self, instance: models.Model, value: Any) -> None:
        name = self.field.attname
        if isinstance(value, Sealed):
            instance.__dict__[name] = _Slot(value, None, opened=False, dirty=False)
            return
        value = self.field.to_python(value)
        slot: _Slot | None = instance.__dict__.get(name)
        if slot is not None and slot.sealed is not None and self.__get__(instance) == value:
            return  # unchanged: keep the existing ciphertext
        instance.__dict__[name] = _Slot(None, value, opened=True, dirty=True)


class EncryptedField(models.BinaryField):
    """Base class: subclasses say how their Python value becomes text and back."""

    form_class: type[forms.Field] = forms.CharField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    # --- conversion ------------------------------------------------------------------------
    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def to_python(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        return value

    def aad(self, instance: models.Model) -> bytes:
        row_id = getattr(instance, "uuid", None)
        if row_id is None:
            raise ValueError(
                f"{type(instance).__name__} needs a uuid before encrypted fields are saved"
            )
        return crypto.associated_data(instance._meta.db_table, self.column, row_id)

    # --- Django plumbing -------------------------------------------------------------------
    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, self.attname, _EncryptedDescriptor(self))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(bytes(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        slot: _Slot | None = model_instance.__dict__.get(self.attname)
        if slot is None or (slot.opened and slot.plain is None):
            return None
        if slot.sealed is None or slot.dirty:
            from registry.services.keys import keyring_check_writable

            keyring_check_writable(crypto.keyring())
            slot.sealed = crypto.keyring().seal(self.encode(slot.plain), self.aad(model_instance))
            slot.dirty = False
        return slot.sealed

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(
                f"Encrypted field {self.name!r} cannot be searched; use its blind index."
            )
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj: models.Model) -> str | None:
        # Serialisation (dumpdata, exports) carries ciphertext only, never the plain value.
        sealed = self.pre_save(obj, add=False)
        return None if sealed is None else base64.b64encode(sealed).decode("ascii")

    def formfield(self, **kwargs: Any) -> forms.Field:
        # The admin and model forms edit the plain value; passed-through widgets are for bytes.
        passed = {k: v for k, v in kwargs.items() if k in {"initial", "disabled"}}
        return self.form_class(
            required=not self.blank,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
            **passed,
        )


class EncryptedTextField(EncryptedField):
    def to_python(self, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        return text or None


class EncryptedDateField(EncryptedField):
    form_class = forms.DateField

    def encode(self, value: dt.date) -> str:
        return value.isoformat()

    def decode(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def to_python(self, value: Any) -> dt.date | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))


class BlindIndexField(models.CharField):
    """Hex HMAC-SHA256 of another encrypted field's normalised value, for exact-match search."""

    def __init__(
        self, *args: Any, source: str, purpose: str, normalizer: str, **kwargs: Any
    ) -> None:
        self.source, self.purpose, self.normalizer = source, purpose, normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normalizer=self.normalizer)
        del kwargs["editable"]
        return name, path, args, kwargs

    def compute(self, plain: Any) -> str | None:
        if plain is None:
            return None
        normalised = import_string(self.normalizer)(plain)
        return crypto.keyring().blind_index(self.purpose, normalised)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        slot: _Slot | None = model_instance.__dict__.get(self.source)
        if slot is not None and slot.opened:
            setattr(model_instance, self.attname, self.compute(slot.plain))
        return getattr(model_instance, self.attname)


class EncryptedIntegerField(EncryptedField):
    form_class = forms.IntegerField

    def encode(self, value: int) -> str:
        return str(value)

    def decode(self, text: str) -> int:
        return int(text)

    def to_python(self, value: Any) -> int | None:
        if value is None or value == "":
            return None
        return int(value)


class EncryptedBooleanField(EncryptedField):
    form_class = forms.NullBooleanField

    def encode(self, value: bool) -> str:
        return "1" if value else "0"

    def decode(self, text: str) -> bool:
        return text == "1"

    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        return bool(value)
