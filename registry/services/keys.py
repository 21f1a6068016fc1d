"""Re-sealing encrypted fields under the keyring's primary key after a key rotation.

Work goes in batches ordered by primary key, each batch in its own transaction. Only values sealed
under another key are rewritten, so an interrupted run can simply be started again: it skips what
is already done. When it reports nothing left, the old key can be removed from the keyring.

The change log is append-only (the runtime role may not update it): its values are re-sealed as
the owner role (``DATABASE_OWNER_URL``), in transactions that touch nothing but the sealed values.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import models, transaction
from django.db.models import Case, Value, When

from registry import crypto, dbroles
from registry.fields import EncryptedField


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


@transaction.atomic
def _rotate_batch(
    model: type[models.Model], fields: list[EncryptedField], rows: list[models.Model]
) -> int:
    ring = crypto.keyring()
    updates: dict[str, dict[int, bytes]] = {f.attname: {} for f in fields}
    changed = 0
    for row in rows:
        for field in fields:
            slot = row.__dict__.get(field.attname)
            if (
                slot is None
                or slot.sealed is None
                or crypto.sealed_key_id(slot.sealed) == ring.primary_id
            ):
                continue
            plain = getattr(row, field.attname)
            sealed = ring.seal(field.encode(plain), field.aad(row))
            updates[field.attname][row.pk] = sealed
            changed += 1
    binary = models.BinaryField()
    if model._meta.db_table in dbroles.AUDIT_TABLES and any(updates.values()):
        with transaction.get_connection().cursor() as cursor:
            if transaction.get_connection().vendor == "postgresql":
                cursor.execute("SET LOCAL registry.resealing = 'on'")
    for attname, sealed_by_pk in updates.items():
        if sealed_by_pk:
            whens = [
                When(pk=pk, then=Value(value, output_field=binary))
                for pk, value in sealed_by_pk.items()
            ]
            model._default_manager.filter(pk__in=list(sealed_by_pk)).update(
                **{attname: Case(*whens, output_field=binary)}
            )
    return changed


def encryption_rotate(*, batch_size: int = 1000) -> Iterator[tuple[str, int, int]]:
    """Re-seal everything not under the primary key. Yields (model label, rows scanned in this
    batch, values re-sealed in this batch) so a caller can show progress."""
    for model, fields in encrypted_models():
        if model._meta.db_table in dbroles.AUDIT_TABLES:
            with dbroles.as_owner():
                yield from _rotate_model(model, fields, batch_size)
        else:
            yield from _rotate_model(model, fields, batch_size)


def _rotate_model(
    model: type[models.Model], fields: list[EncryptedField], batch_size: int
) -> Iterator[tuple[str, int, int]]:
    last_pk = 0
    names = ["pk", "uuid", *(f.attname for f in fields)]
    while True:
        rows = list(
            model._default_manager.filter(pk__gt=last_pk).order_by("pk").only(*names)[:batch_size]
        )
        if not rows:
            break
        changed = _rotate_batch(model, fields, rows)
        last_pk = rows[-1].pk
        yield model._meta.label, len(rows), changed
