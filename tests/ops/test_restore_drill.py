"""The restore drill (issues 9 and 21): a real pg_dump of the test database is restored by
scripts/restore_drill.sh into a fresh database and every encrypted value is read back with the
keyring, the blind index of a sample recomputed. A wrong field key and a wrong index key both
fail, and the report names the key; bad arguments print the usage; --keep keeps the database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from registry import crypto
from registry.services.keys import key_ids_in_use
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def server_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def drill(*args: str, keys: str, index_key: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FIELD_ENCRYPTION_KEYS": keys,
        "BLIND_INDEX_KEY": index_key,
        "ENCRYPTION_DEV_KEYS": "0",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        ["scripts/restore_drill.sh", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{server_url()}/postgres", "-tAc", sql],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip


def database_exists(name: str) -> bool:
    return psql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") == "1"


@pytest.mark.usefixtures("committed_db")
class RestoreDrillTests:
    def test_a_dump_restores_and_opens_with_its_keyring_and_names_a_wrong_key(self, tmp_path):
        officer = factories.UserFactory(username="ca-xa-drill")
        factories.make_case(officer)
        factories.make_case(officer, factories.make_person(officer, phone=None))
        non_empty = sum(key_ids_in_use().values())
        dump = tmp_path / "backup.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "-f", str(dump),
             f"{server_url()}/{connection.settings_dict['NAME']}"],
            check=True, timeout=300,
        )  # fmt: skip
        ring = crypto.keyring()
        keys, index_key = settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY

        # As documented: options, then the dump; --keep keeps the restored database.
        name = f"restore_drill_kept_{connection.settings_dict['NAME']}"
        plain_name = f"restore_drill_plain_{connection.settings_dict['NAME']}"
        good = drill("--server", server_url(), "--name", name, "--keep", str(dump),
                     keys=keys, index_key=index_key)  # fmt: skip
        try:
            assert good.returncode == 0, good.stdout + good.stderr
            assert "restore drill: OK" in good.stdout
            # Every non-empty value opened, and only those (empty fields are not counted).
            assert f"{non_empty} encrypted values opened, 0 failed" in good.stdout
            assert "Lò Văn Pàng" not in good.stdout + good.stderr
            matched = good.stdout.split("blind index: ")[1].split()
            assert matched[0] == matched[2] and int(matched[0]) >= 3  # 2 IDs + 1 phone at least
            assert database_exists(name)
        finally:
            psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

        # The older positional form still works, and drops its database.
        plain = drill(str(dump), server_url(), plain_name, keys=keys, index_key=index_key)
        assert plain.returncode == 0, plain.stdout + plain.stderr
        assert not database_exists(plain_name)

        # The same key id with other key material: every value fails, the key is named.
        wrong_field = drill(str(dump), server_url(), keys=f"{ring.primary_id}:{crypto.new_key()}",
                            index_key=index_key)  # fmt: skip
        assert wrong_field.returncode != 0
        assert f"{non_empty} failed" in wrong_field.stdout
        assert f"khóa '{ring.primary_id}' sai" in wrong_field.stderr
        assert "cannot be read with this keyring" in wrong_field.stderr

        # The right field key with a wrong index key: values open, the indexes do not match.
        wrong_index = drill(str(dump), server_url(), keys=keys, index_key=crypto.new_key())
        assert wrong_index.returncode != 0
        assert f"{non_empty} encrypted values opened, 0 failed" in wrong_index.stdout
        assert "BLIND_INDEX_KEY sai" in wrong_index.stderr

        # A keyring without the key: named as missing.
        lost = drill(str(dump), server_url(), keys=f"other:{crypto.new_key()}",
                     index_key=crypto.new_key())  # fmt: skip
        assert lost.returncode != 0
        assert f"thiếu khóa '{ring.primary_id}'" in lost.stderr

    def test_bad_arguments_print_the_usage(self, tmp_path):
        for args in ([], ["--keep"], ["--bogus", "x"], [str(tmp_path / "missing.dump")]):
            result = drill(*args, keys="", index_key="")
            assert result.returncode == 2, (args, result.stderr)
            assert "usage" in result.stderr and "--keep" in result.stderr
