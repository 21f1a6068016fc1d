"""gunicorn as shipped (issue 21): its own lines and its access lines are the app's JSON, in the
app's time zone (+0700), an access line carries the request id the response sent; each instance
has its own control socket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.ops.test_readiness import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def start(port: int, tmp: Path) -> tuple[subprocess.Popen, Path, Path]:
    out, err = tmp / f"out-{port}.log", tmp / f"err-{port}.log"
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": "x",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": "-",
        "TZ": "UTC",  # the machine's zone: gunicorn's lines must still be the app's +0700
    }
    process = subprocess.Popen(
        [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT, env=env, stdout=out.open("w"), stderr=err.open("w"),
    )  # fmt: skip
    wait_for_port(port)
    return process, out, err


def lines(path: Path) -> list[dict]:
    text = path.read_text().splitlines()
    # gunicorn's own format ("[2026-… +0000] [pid] [INFO] …") must not appear at all; other
    # non-JSON lines (a Python warning at import) are not gunicorn's.
    assert not [line for line in text if line.startswith("[") and "] [" in line], text
    return [json.loads(line) for line in text if line.startswith("{")]


def test_gunicorn_lines_are_the_apps_json_with_the_request_id(tmp_path):
    ports = [free_port(), free_port()]
    started = [start(port, tmp_path) for port in ports]
    try:
        response = requests.get(f"http://127.0.0.1:{ports[0]}/account/login/", timeout=60)
        assert response.status_code == 200
        request_id = response.headers["X-Request-ID"]
        time.sleep(1)
        access = [e for e in lines(started[0][1]) if e["logger"] == "gunicorn.access"]
        assert [e["request_id"] for e in access] == [request_id]
        assert access[0]["message"].startswith("GET /account/login/ 200 ")
        own = lines(started[0][2])
        assert any(e["logger"] == "gunicorn.error" for e in own)
        for entry in access + own:
            assert entry["time"].endswith("+0700"), entry
        sockets = [
            next(e["message"] for e in lines(err) if "Control socket" in e["message"])
            for _, _, err in started
        ]
        assert sockets[0] != sockets[1]
        assert all(str(p) in s for p, s in zip(ports, sockets, strict=True))
    finally:
        for process, _, _ in started:
            process.terminate()
            process.wait(timeout=20)
