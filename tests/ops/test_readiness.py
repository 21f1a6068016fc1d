"""Health endpoints against real processes (issue 9): the site (runserver) reaches PostgreSQL
through a TCP proxy this test can cut, and Redis is a private redis-server it stops and starts.
/readyz answers 503 while either is down and 200 when it is back; /healthz always answers."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpProxy:
    """127.0.0.1:<port> → target; ``stop`` drops the listener and every open connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.close()

    def stop(self) -> None:
        if self.listener is not None:
            # shutdown wakes the thread blocked in accept(); close alone would not.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is needed for this test (apt install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def wait_for_port(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture
def site(db):
    db_settings = connection.settings_dict
    proxy = TcpProxy((db_settings["HOST"] or "127.0.0.1", int(db_settings["PORT"] or 5432)))
    proxy.start()
    redis_server = PrivateRedis()
    redis_server.start()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db_settings['USER']}@127.0.0.1:{proxy.port}/"
        f"{db_settings['NAME']}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS,
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "ENCRYPTION_DEV_KEYS": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "proxy": proxy, "redis": redis_server}
    finally:
        server.terminate()
        server.wait(timeout=10)
        redis_server.stop()
        proxy.stop()


def readyz(site) -> tuple[int, dict]:
    response = requests.get(site["url"] + "/readyz", timeout=15)
    return response.status_code, response.json()


class ReadinessTests:
    def test_readyz_follows_postgresql_and_redis_down_and_back(self, site):
        status, body = readyz(site)
        assert status == 200, body
        assert body["checks"]["database"]["pending_migrations"] == 0
        assert "backlog" in body["checks"]["outbox"]

        site["redis"].stop()
        status, body = readyz(site)
        assert (status, body["checks"]["broker"]["ok"]) == (503, False)
        site["redis"].start()
        assert readyz(site)[0] == 200

        site["proxy"].stop()
        status, body = readyz(site)
        assert (status, body["checks"]["database"]["ok"]) == (503, False)
        assert requests.get(site["url"] + "/healthz", timeout=5).status_code == 200
        site["proxy"].start()
        assert readyz(site)[0] == 200

    def test_nothing_personal_is_in_the_answer(self, site):
        text = requests.get(site["url"] + "/readyz", timeout=15).text
        assert "postgres" not in text and str(site["proxy"].port) not in text
