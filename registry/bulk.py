"""Writing many new rows at once, as their model's save would write them (encrypted fields sealed
to their row, blind indexes, timestamps, defaults), without building a model instance per row.

On PostgreSQL: ids from the table's own sequence (other writers may insert at the same time),
then one COPY. Elsewhere (the SQLite development site): model instances and ``bulk_create``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from registry import crypto
from registry.fields import BlindIndexField, EncryptedField


class RowInserter:
    """Insert rows given as ``{field name: plain value}`` dicts into ``model``'s table.

    Rows name fields by ``name`` (foreign keys by ``attname``: ``person_id``); a missing field takes
    its default. An encrypted field's plain value is sealed with the row's ``uuid``; a blind index
    is computed from its source unless the row already holds it (``index_normalised`` lists the
    sources whose values are already normalised, so that the normaliser does not run twice).
    """

    def __init__(self, model: type[models.Model], index_normalised: Sequence[str] = ()) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.index_normalised = set(index_normalised)
        self.connection = connections[DEFAULT_DB_ALIAS]

    def _value(self, field: models.Field, row: dict[str, Any], ring: crypto.Keyring) -> Any:
        if isinstance(field, EncryptedField):
            plain = row.get(field.name)
            if plain is None:
                return None
            aad = crypto.associated_data(self.table, field.column, row["uuid"])
            return ring.seal(field.encode(plain), aad)
        if isinstance(field, BlindIndexField):
            if field.name in row:
                return row[field.name]
            plain = row.get(field.source)
            if plain is None:
                return None
            if field.source in self.index_normalised:
                return ring.blind_index(field.purpose, plain)
            return field.compute(plain)
        if field.attname in row:
            return row[field.attname]
        if field.name in row:
            value = row[field.name]
            return value.pk if isinstance(value, models.Model) else value
        return field.get_default()

    def insert(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert the rows (each gets a ``uuid`` if it has none); returns their ids in order."""
        if not rows:
            return []
        for row in rows:
            row.setdefault("uuid", uuid.uuid4())
        if self.connection.vendor != "postgresql":
            objects = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(objects)
            return [obj.pk for obj in objects]
        ring, now, quote = crypto.keyring(), timezone.now(), self.connection.ops.quote_name
        pk = self.model._meta.pk
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.table, pk.column, len(rows)],
            )
            ids = [value for (value,) in cursor.fetchall()]
            columns = ", ".join(quote(f.column) for f in self.fields)
            with cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                for row_id, row in zip(ids, rows, strict=True):
                    values = []
                    for field in self.fields:
                        if field is pk:
                            values.append(row_id)
                        elif getattr(field, "auto_now", False) or getattr(
                            field, "auto_now_add", False
                        ):
                            values.append(now)
                        else:
                            values.append(self._value(field, row, ring))
                    copy.write_row(values)
        return ids
