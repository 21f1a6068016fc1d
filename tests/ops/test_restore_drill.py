"""The restore drill (issue 9): a real pg_dump of the test database is restored by
scripts/restore_drill.sh into a fresh database and its encrypted values are read back with the
keyring; with another keyring the drill fails (losing the keyring loses the data)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from registry import crypto
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def server_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def drill(dump: Path, keys: str, index_key: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FIELD_ENCRYPTION_KEYS": keys,
        "BLIND_INDEX_KEY": index_key,
        "ENCRYPTION_DEV_KEYS": "0",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        ["scripts/restore_drill.sh", str(dump), server_url()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.usefixtures("committed_db")
class RestoreDrillTests:
    def test_a_dump_restores_and_opens_with_its_keyring_and_not_with_another(self, tmp_path):
        officer = factories.UserFactory(username="ca-xa-drill")
        factories.make_case(officer)
        dump = tmp_path / "backup.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "-f", str(dump),
             f"{server_url()}/{connection.settings_dict['NAME']}"],
            check=True, timeout=300,
        )  # fmt: skip

        good = drill(dump, settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY)
        assert good.returncode == 0, good.stdout + good.stderr
        assert "restore drill: OK" in good.stdout
        assert "0 failed" in good.stdout and "Lò Văn Pàng" not in good.stdout

        lost = drill(dump, f"other:{crypto.new_key()}", crypto.new_key())
        assert lost.returncode != 0
        assert "cannot be read with this keyring" in lost.stderr
