"""Configuration that works as shipped (issue 21): .env is ignored by git, .env.example names every
setting the documents name and its key command makes a key, and the health probes answer for the
node's own addresses whatever DJANGO_ALLOWED_HOSTS says."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def documented_settings() -> list[str]:
    names: list[str] = []
    for doc in ("docs/operations.md", "README.md"):
        for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
            if line.startswith("| `"):
                names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return sorted(set(names))


def test_every_documented_setting_is_in_the_example():
    names = documented_settings()
    assert len(names) > 100
    missing = [n for n in names if not re.search(rf"^#? ?{n}=", EXAMPLE, re.M)]
    assert missing == []


def test_the_key_command_of_the_example_makes_a_32_byte_key():
    assert "manage.py shell" not in EXAMPLE
    command = re.search(r'^#\s+(python3 -c ".*")$', EXAMPLE, re.M).group(1)
    out = subprocess.run(command, shell=True, capture_output=True, text=True, check=True).stdout
    assert out.count("\n") == 1  # one line: nothing else captured with the key
    assert len(base64.b64decode(out.strip(), validate=True)) == 32


def test_env_is_ignored_and_the_example_is_not():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0

    assert ignored(".env") and ignored(".env.production")
    assert not ignored(".env.example")


@pytest.mark.django_db
def test_probes_answer_for_the_nodes_own_addresses(settings):
    from django.test import Client

    client = Client(raise_request_exception=False)
    settings.ALLOWED_HOSTS = ["conduonghuongthien.sonla.gov.vn"]
    for host in ("127.0.0.1:8000", "10.20.30.40", "[::1]:8000"):
        assert client.get("/healthz", HTTP_HOST=host).status_code == 200
        assert client.get("/readyz", HTTP_HOST=host).status_code == 200
    # Only the probes: any other page still refuses a host that is not allowed.
    assert client.get("/account/login/", HTTP_HOST="10.20.30.40").status_code in (400, 500)
