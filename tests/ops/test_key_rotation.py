"""Key rotation that cannot strand data (issue 21), against real processes: a web process and a
writer keep running on the old keyring while rotate_encryption_keys runs with the new one. The old
web process answers /readyz 503 with the reason, the writer's writes are refused, the rotation names
both as processes to restart, and after the documented procedure (restart on "new,old", rotate,
remove the old key, restart) every value opens with the new key alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from registry import crypto
from registry.services.keys import key_ids_in_use
from tests import factories
from tests.ops.test_readiness import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def environment(keys: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "FIELD_ENCRYPTION_KEYS": keys,
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "ENCRYPTION_DEV_KEYS": "0",
        "KEYRING_CHECK_SECONDS": "1",
        "CELERY_BROKER_URL": "",
    }


class Web:
    def __init__(self, keys: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT, env=environment(keys), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def readyz(self) -> tuple[int, dict]:
        response = requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=30)
        return response.status_code, response.json()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Writer:
    def __init__(self, keys: str, tmp: Path, serial: int) -> None:
        self.stop_file = tmp / f"stop-{serial}"
        self.out = tmp / f"writer-{serial}.log"
        self.process = subprocess.Popen(
            [sys.executable, "tests/ops/keyring_writer.py", str(self.stop_file), str(serial)],
            cwd=ROOT, env=environment(keys), stdout=self.out.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def lines(self) -> list[str]:
        return self.out.read_text().splitlines()

    def wait_for(self, what: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(line.startswith(what) for line in self.lines()) < count:
            assert self.process.poll() is None, self.out.read_text()
            assert time.monotonic() < deadline, self.out.read_text()
            time.sleep(0.2)

    def stop(self) -> None:
        self.stop_file.touch()
        self.process.wait(timeout=30)


def manage(keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=environment(keys), capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.usefixtures("committed_db")
class KeyRotationWithRunningProcessesTests:
    def test_old_keyring_processes_are_not_ready_refuse_writes_and_nothing_is_stranded(
        self, tmp_path
    ):
        ring = crypto.keyring()
        old = settings.FIELD_ENCRYPTION_KEYS
        new = f"k2:{crypto.new_key()}"
        officer = factories.UserFactory(username="ca-xa-rotation")
        factories.make_case(officer)

        web = Web(old)
        writer = Writer(old, tmp_path, 1)
        try:
            assert web.readyz()[0] == 200
            writer.wait_for("ok", 3)

            rotation = manage(f"{new},{old}", "rotate_encryption_keys", "--batch-size", "3")
            assert rotation.returncode == 0, rotation.stdout + rotation.stderr
            out = rotation.stdout
            assert "0 giá trị còn lại" in out
            # It names the processes still on the old keyring: they must restart.
            assert "PHẢI khởi động lại" in out
            assert "keyring_writer.py" in out and "manage.py runserver" in out

            status, body = web.readyz()
            assert status == 503, body
            assert body["checks"]["keyring"]["newest"] == "k2"
            assert "không phải khóa mới nhất 'k2'" in body["checks"]["keyring"]["reason"]
            assert body["checks"]["keyring"]["missing"] == ["k2"]
            # The old writer keeps trying; it is refused, nothing is sealed with the old key.
            accepted = writer.lines().count(f"ok {ring.primary_id}")
            writer.wait_for("refused", 3)
            assert writer.lines().count(f"ok {ring.primary_id}") == accepted
            assert set(key_ids_in_use()) == {"k2"}
        finally:
            writer.stop()
            web.stop()

        # The documented procedure: restart everything on "new,old" …
        web = Web(f"{new},{old}")
        writer = Writer(f"{new},{old}", tmp_path, 1000)
        try:
            assert web.readyz()[0] == 200
            writer.wait_for("ok k2", 2)
        finally:
            writer.stop()
            web.stop()
        # … rotate again (nothing left), remove the old key and restart: ready, everything opens.
        again = manage(f"{new},{old}", "rotate_encryption_keys", "--no-wait")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Xong: 0 giá trị" in again.stdout
        web = Web(new)
        try:
            status, body = web.readyz()
            assert status == 200, body
            assert body["checks"]["keyring"]["in_use"] == ["k2"]
        finally:
            web.stop()
        check = manage(new, "restore_check")
        assert check.returncode == 0, check.stdout + check.stderr
        assert " 0 failed" in check.stdout
        assert set(key_ids_in_use()) == {"k2"}
