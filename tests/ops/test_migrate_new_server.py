"""`manage.py migrate` on a server where the runtime role does not exist yet (a developer's
machine, a bench database, CI's first run): the command creates the role and migrates. Django's
system checks open a connection before `handle` runs; they must do it as the owner, not as the
runtime role the settings point at (which is what the first `make bench-seed` on a new machine
tripped over)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_creates_the_missing_runtime_role_and_grants_it(db, tmp_path):
    db_settings = connection.settings_dict
    host = db_settings["HOST"] or "127.0.0.1"
    port = db_settings["PORT"] or 5432
    owner = settings.DATABASE_OWNER["USER"]
    server = f"postgresql://{owner}@{host}:{port}"
    suffix = secrets.token_hex(4)
    name, role = f"migrate_new_{suffix}", f"cdht_app_new_{suffix}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    password_file = tmp_path / "runtime-password"
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{name}",
        "DATABASE_RUNTIME_USER": role,
        "DATABASE_RUNTIME_PASSWORD_FILE": str(password_file),
        "DJANGO_SECRET_KEY": "test-only-not-a-secret",
    }
    env.pop("DATABASE_OWNER_URL", None)
    env.pop("DATABASE_RUNTIME_PASSWORD", None)
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        assert f"Created the runtime role {role}" in result.stderr
        assert password_file.read_text(encoding="utf-8").strip()
        with psycopg.connect(f"{server}/{name}") as check:
            granted = check.execute(
                "SELECT has_table_privilege(%s, 'registry_person', 'SELECT'),"
                " has_table_privilege(%s, 'registry_accessevent', 'DELETE')",
                [role, role],
            ).fetchone()
        assert granted == (True, False)
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")
