"""The first run of docs/operations.md, scripted (issue 21): scripts/first_run_check.sh on a fresh
clone of this repository creates the database and its two roles, fills .env from .env.example,
migrates, creates the first administrator, starts web, worker and beat, and checks /readyz 200 from
127.0.0.1, the runtime role, and that git would not commit .env. (The clone is of the committed
HEAD.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_the_documented_first_run_brings_up_the_topology(db):
    db_settings = connection.settings_dict
    host = db_settings["HOST"] or "127.0.0.1"
    server = f"postgres://{db_settings['USER']}@{host}:{db_settings['PORT'] or 5432}"
    env = {
        **os.environ,
        "FIRST_RUN_VENV": str(Path(sys.executable).parents[1]),
        "FIRST_RUN_SERVER": server,
        "FIRST_RUN_REDIS": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    for name in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    result = subprocess.run(
        ["scripts/first_run_check.sh"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert '"status": "ready"' in out
    assert "permission denied" in out
    assert "first run: OK" in out
    status_lines = out.split("== 8.")[1].split("first run: OK")[0].splitlines()[1:]
    assert [line for line in status_lines if line.endswith(".env")] == []
