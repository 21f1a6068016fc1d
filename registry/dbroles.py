"""The two PostgreSQL roles (docs/security.md): an owner that migrates, and the runtime role that
Django's default connection uses everywhere else — web, workers, every management command but
``migrate``.

The runtime role owns nothing: it cannot ALTER a table, disable its triggers or set
``session_replication_role`` (a superuser's setting), and on the access log and the change log
it may only SELECT and INSERT. ``grant_runtime`` gives it exactly that after every migration.

Where ``DATABASE_URL`` names a role that may create roles (a developer's machine, the test suite),
``ensure_runtime_role`` creates the runtime role itself, and the settings connect as it; in
production the operator creates both roles with the SQL in docs/operations.md.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connections

# The only tables the runtime role may not rewrite: what it read and what it changed.
AUDIT_TABLES = ("registry_accessevent", "registry_changelog")

# Tests (tests/conftest.py) connect as the owner and act as the runtime role through SET ROLE, so
# that one test transaction can step back to the owner (a flush, the tamper test). Never set in
# production, where the runtime role is a login of its own that cannot step back.
_set_role_mode: dict[str, str] = {}


def runtime_user() -> str:
    """The runtime role's name, or "" when the deployment runs with one role (SQLite, or
    ``DATABASE_RUNTIME_USER`` set empty)."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        return ""
    return settings.DATABASE_RUNTIME_USER


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def ensure_runtime_role(cursor) -> str | None:  # type: ignore[no-untyped-def]
    """Create the runtime role (LOGIN, no other attribute) when the connected role may create
    roles and it does not exist yet; write its password to ``DATABASE_RUNTIME_PASSWORD_FILE`` for
    the settings to read. Returns a note for the operator, or None when nothing was needed."""
    name = runtime_user()
    if not name:
        return None
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if cursor.fetchone():
        return None
    cursor.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if not (row and row[0]):
        return (
            f"Vai trò {name} chưa có và tài khoản hiện tại không được tạo vai trò: xem "
            "docs/operations.md (vai trò cơ sở dữ liệu). / The runtime role does not exist."
        )
    password = settings.DATABASE_RUNTIME_PASSWORD or secrets.token_urlsafe(24)
    cursor.execute(
        f"CREATE ROLE {_quote(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
        "NOREPLICATION NOBYPASSRLS PASSWORD %s",
        [password],
    )
    if not settings.DATABASE_RUNTIME_PASSWORD:
        path = Path(settings.DATABASE_RUNTIME_PASSWORD_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.touch(mode=0o600)
        path.write_text(password + "\n", encoding="utf-8")
    return f"Đã tạo vai trò {name}. / Created the runtime role {name}."


def grant_runtime(cursor) -> None:  # type: ignore[no-untyped-def]
    """Give the runtime role what the app needs and nothing more (run as the owner after every
    migration, so new tables are covered): read and write every table, use every sequence; on
    the audit tables only SELECT and INSERT. Never TRUNCATE, never ownership."""
    name = runtime_user()
    if not name:
        return
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if not cursor.fetchone():
        return
    role = _quote(name)
    cursor.execute("SELECT current_schema()")
    schema = _quote(cursor.fetchone()[0])
    for sql in (
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {role}",
    ):
        cursor.execute(sql)
    for table in AUDIT_TABLES:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}")


@contextlib.contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    """Run the block on ``using`` as the owner role (``DATABASE_OWNER_URL``, else
    ``DATABASE_URL``): for ``migrate`` and the change log's re-encryption after a key rotation.
    Outside tests the connection is closed and reopened with the owner's credentials, so it must
    not be inside a transaction."""
    connection = connections[using]
    name = runtime_user()
    if not name:
        yield
        return
    if using in _set_role_mode:
        with connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {_quote(_set_role_mode[using])}")
        return
    if connection.in_atomic_block:
        raise RuntimeError("as_owner() cannot switch roles inside a transaction")
    owner = settings.DATABASE_OWNER
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner.get("PASSWORD", ""))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def use_set_role(using: str, role: str | None) -> None:
    """Tests only: act as ``role`` on ``using`` through SET ROLE (None: stop)."""
    if role is None:
        _set_role_mode.pop(using, None)
    else:
        _set_role_mode[using] = role
