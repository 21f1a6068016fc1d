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

    def _plan(self, ring: crypto.Keyring, now: Any) -> list[Any]:
        """For each field, a function (row, id, uuid text) → the value to COPY."""
        pk = self.model._meta.pk
        plan: list[Any] = []
        for field in self.fields:
            if field is pk:
                plan.append(lambda row, row_id, row_uuid: row_id)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                plan.append(lambda row, row_id, row_uuid: now)
            elif isinstance(field, EncryptedField):
                plan.append(self._sealer(field, ring))
            elif isinstance(field, BlindIndexField):
                plan.append(self._indexer(field, ring))
            else:
                plan.append(self._plain(field))
        return plan

    def _sealer(self, field: EncryptedField, ring: crypto.Keyring) -> Any:
        name, prefix, encode = field.name, f"{self.table}|{field.column}|", field.encode

        def seal(row: dict[str, Any], row_id: int, row_uuid: str) -> Any:
            plain = row.get(name)
            if plain is None:
                return None
            # crypto.associated_data(table, column, uuid), built once per field
            return ring.seal(encode(plain), f"{prefix}{row_uuid}".encode())

        return seal

    def _indexer(self, field: BlindIndexField, ring: crypto.Keyring) -> Any:
        name, source, purpose = field.name, field.source, field.purpose
        normalised = source in self.index_normalised

        def index(row: dict[str, Any], row_id: int, row_uuid: str) -> Any:
            if name in row:
                return row[name]
            plain = row.get(source)
            if plain is None:
                return None
            return ring.blind_index(purpose, plain) if normalised else field.compute(plain)

        return index

    def _plain(self, field: models.Field) -> Any:
        attname, name = field.attname, field.name

        def plain(row: dict[str, Any], row_id: int, row_uuid: str) -> Any:
            if attname in row:
                return row[attname]
            if name in row:
                value = row[name]
                return value.pk if isinstance(value, models.Model) else value
            return field.get_default()

        return plain

    def insert(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert the rows (each gets a ``uuid`` if it has none); returns their ids in order."""
        if not rows:
            return []
        for row in rows:
            if "uuid" not in row:
                row["uuid"] = uuid.uuid4()
        if self.connection.vendor != "postgresql":
            objects = [self.model(**row) for row in rows]
            self.model.objects.bulk_create(objects)
            return [obj.pk for obj in objects]
        ring, now, quote = crypto.keyring(), timezone.now(), self.connection.ops.quote_name
        pk = self.model._meta.pk
        plan = self._plan(ring, now)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.table, pk.column, len(rows)],
            )
            ids = [value for (value,) in cursor.fetchall()]
            columns = ", ".join(quote(f.column) for f in self.fields)
            with cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                for row_id, row in zip(ids, rows, strict=True):
                    row_uuid = str(row["uuid"])
                    copy.write_row([value(row, row_id, row_uuid) for value in plan])
        return ids
