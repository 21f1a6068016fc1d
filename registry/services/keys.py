"""Re-sealing encrypted fields under the keyring's primary key after a key rotation.

Work goes in batches ordered by primary key, each batch in its own transaction. Only values sealed
under another key are rewritten, so an interrupted run can simply be started again: it skips what
is already done. When it reports nothing left, the old key can be removed from the keyring.

Keys cannot strand data (docs/operations.md section 5): every process announces its keyring to
the ``EncryptionKey`` table and checks it against the key ids the database still uses
(``keyring_check``, at most every ``KEYRING_CHECK_SECONDS``). A process whose keyring lacks a key
in use, or whose primary is not the newest announced primary, is not ready (``/readyz`` 503 with
the reason); one whose primary is not the newest refuses to seal anything (``StaleKeyringError``),
so a value can never be written under a key that the rotation is about to retire.

The change log is append-only (the runtime role may not update it): its values are re-sealed as
the owner role (``DATABASE_OWNER_URL``), in transactions that touch nothing but the sealed values.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from registry import crypto, dbroles
from registry.fields import EncryptedField


class StaleKeyringError(Exception):
    """This process's keyring is older than the one the database uses: it may not seal values."""


@dataclass
class KeyringStatus:
    primary: str
    newest: str
    in_use: list[str] = dataclass_field(default_factory=list)
    missing: list[str] = dataclass_field(default_factory=list)
    checked: bool = True

    @property
    def writable(self) -> bool:
        return self.primary == self.newest

    @property
    def ready(self) -> bool:
        return self.writable and not self.missing

    @property
    def reason(self) -> str:
        reasons = []
        if self.missing:
            names = ", ".join(f"'{k}'" for k in self.missing)
            reasons.append(
                f"Bộ khóa của tiến trình này thiếu khóa {names} mà cơ sở dữ liệu còn dùng: "
                "giá trị mã hóa bằng khóa đó không đọc được. Đặt lại khóa vào "
                "FIELD_ENCRYPTION_KEYS rồi khởi động lại tiến trình."
            )
        if not self.writable:
            reasons.append(
                f"Khóa chính '{self.primary}' của tiến trình này không phải khóa mới nhất "
                f"'{self.newest}': tiến trình không được ghi dữ liệu mã hóa cho tới khi khởi "
                "động lại với bộ khóa mới."
            )
        return " ".join(reasons)

    def as_dict(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "ok": self.ready,
            "primary": self.primary,
            "newest": self.newest,
            "in_use": self.in_use,
        }
        if not self.checked:
            answer["checked"] = False
        if not self.ready:
            answer["missing"] = self.missing
            answer["reason"] = self.reason
        return answer


_lock = threading.Lock()
_last: dict[str, object] = {"ring": None, "at": 0.0, "status": None}


def _program() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv else "python"
    if name == "manage.py" and len(sys.argv) > 1:
        name = f"manage.py {sys.argv[1]}"
    elif name == "celery":
        name = " ".join(os.path.basename(a) for a in sys.argv[:4])
    return name[:255]


def keyring_announce(ring: crypto.Keyring) -> None:
    """Record this keyring's key ids (never the keys): older ones first, then the primary, which
    becomes the newest key when it is new. An existing row never changes."""
    from registry.models import EncryptionKey

    known = set(
        EncryptionKey.objects.filter(key_id__in=list(ring.keys)).values_list("key_id", flat=True)
    )
    for key_id in [k for k in ring.keys if k != ring.primary_id] + [ring.primary_id]:
        if key_id not in known:
            EncryptionKey.objects.bulk_create(
                [EncryptionKey(key_id=key_id, was_primary=key_id == ring.primary_id)],
                ignore_conflicts=True,
            )


def _process_seen(ring: crypto.Keyring) -> None:
    from registry.models import KeyringProcess

    now = timezone.now()
    KeyringProcess.objects.bulk_create(
        [
            KeyringProcess(
                host=socket.gethostname()[:255],
                pid=os.getpid(),
                program=_program(),
                primary_key_id=ring.primary_id,
                key_ids=",".join(ring.keys)[:1000],
                started_at=now,
                seen_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["host", "pid"],
        update_fields=["program", "primary_key_id", "key_ids", "seen_at"],
    )
    # Processes come and go (gunicorn recycles its workers): forget those gone for a day.
    KeyringProcess.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()


def keyring_status(ring: crypto.Keyring) -> KeyringStatus:
    """Announce this keyring and compare it with the key ids the database uses."""
    from registry.models import EncryptionKey

    keyring_announce(ring)
    _process_seen(ring)
    rows = list(
        EncryptionKey.objects.filter(retired_at__isnull=True)
        .order_by("id")
        .values_list("key_id", "was_primary")
    )
    primaries = [k for k, was_primary in rows if was_primary]
    in_use = [k for k, _ in rows]
    return KeyringStatus(
        primary=ring.primary_id,
        newest=primaries[-1] if primaries else ring.primary_id,
        in_use=in_use,
        missing=[k for k in in_use if k not in ring.keys],
    )


def keyring_check(ring: crypto.Keyring | None = None, *, force: bool = False) -> KeyringStatus:
    """The keyring's status, checked against the database at most every KEYRING_CHECK_SECONDS
    (``force``: now). Where the tables do not exist yet (during migrate), nothing is checked."""
    ring = ring or crypto.keyring()
    with _lock:
        fresh = (
            not force
            and _last["ring"] is ring
            and time.monotonic() - float(_last["at"]) < settings.KEYRING_CHECK_SECONDS  # type: ignore[arg-type]
        )
        if fresh:
            return _last["status"]  # type: ignore[return-value]
        try:
            with transaction.atomic():
                status = keyring_status(ring)
        except DatabaseError:
            if connection.needs_rollback or not connection.is_usable():
                raise
            return KeyringStatus(primary=ring.primary_id, newest=ring.primary_id, checked=False)
        _last.update(ring=ring, at=time.monotonic(), status=status)
        return status


def keyring_check_writable(ring: crypto.Keyring) -> None:
    """Called before a value is sealed: refuse when this process's primary is not the newest."""
    status = keyring_check(ring)
    if not status.writable:
        raise StaleKeyringError(status.reason)


def keyring_check_forget() -> None:
    with _lock:
        _last.update(ring=None, at=0.0, status=None)


def key_ids_in_use() -> Counter[str]:
    """How many values each key id seals, over every encrypted column (a full scan: for the
    rotation and the restore drill, never for a request)."""
    counts: Counter[str] = Counter()
    for model, fields in encrypted_models():
        table = model._meta.db_table
        for f in fields:
            column = connection.ops.quote_name(f.column)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    name = connection.ops.quote_name(table)
                    length = f"get_byte({column}, 1)"
                    key_id_sql = f"encode(substring({column} from 3 for {length}), 'escape')"
                    where = f"{column} IS NOT NULL AND length({column}) > 2"
                    sql = f"SELECT {key_id_sql}, count(*) FROM {name} WHERE {where} GROUP BY 1"  # noqa: S608 (model names only)
                    cursor.execute(sql)
                    for key_id, n in cursor.fetchall():
                        counts[key_id] += n
            else:
                for sealed in model._default_manager.filter(
                    **{f"{f.attname}__isnull": False}
                ).values_list(f.attname, flat=True):
                    try:
                        counts[crypto.sealed_key_id(bytes(sealed))] += 1
                    except crypto.DecryptionError:
                        counts["?"] += 1
    return counts


def keys_retire(ring: crypto.Keyring, in_use: Counter[str]) -> list[str]:
    """Mark as retired every announced key that seals nothing any more (never the primary)."""
    from registry.models import EncryptionKey

    retired = list(
        EncryptionKey.objects.filter(retired_at__isnull=True)
        .exclude(key_id=ring.primary_id)
        .exclude(key_id__in=[k for k, n in in_use.items() if n])
        .values_list("key_id", flat=True)
    )
    EncryptionKey.objects.filter(key_id__in=retired).update(retired_at=timezone.now())
    return retired


def processes_on_other_keyrings(ring: crypto.Keyring, *, within_seconds: int = 900) -> list:
    """Processes seen lately whose primary is not this keyring's: they must restart."""
    from registry.models import KeyringProcess

    since = timezone.now() - dt.timedelta(seconds=within_seconds)
    return list(
        KeyringProcess.objects.filter(seen_at__gte=since)
        .exclude(primary_key_id=ring.primary_id)
        .order_by("host", "pid")
    )


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
