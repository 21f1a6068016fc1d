"""End-to-end runs in a real browser: Chromium from Debian's packages (installed by
`scripts/ensure_test_tools.sh`, called by `make test`) driven by Playwright, against the real site
served by `manage.py runserver` on its own freshly migrated PostgreSQL database.

Screenshots of the main pages at phone width are kept in test-artifacts/e2e/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"

USERS_SCRIPT = """
import json, sys
from django_otp.plugins.otp_totp.models import TOTPDevice
from registry.models import AdministrativeUnit, Agency, Membership, Role, User
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
people = {
    "ca-xa": (Role.COMMUNE_POLICE,
              Agency.objects.get(level="commune", kind="police", jurisdiction=commune)),
    "ngan-hang": (Role.SOCIAL_POLICY_BANK, Agency.objects.get(code="nhcsxh-son-la")),
    "noi-vu": (Role.HOME_AFFAIRS, Agency.objects.get(code="so-noi-vu")),
}
out = {}
for name, (role, agency) in people.items():
    user = User.objects.create_user(name, password="mat-khau-e2e-2026")
    membership = Membership.objects.create(user=user, role=role, agency=agency)
    if role == Role.COMMUNE_POLICE:
        membership.units.add(commune)
    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    out[name] = device.bin_key.hex()
print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "Chromium không có trên máy: chạy scripts/ensure_test_tools.sh (apt-get install chromium)."
    )


@pytest.fixture(scope="session")
def site():
    """The whole site on its own database: URL, and the TOTP keys of the e2e users."""
    server_url = os.environ["DATABASE_URL"]
    name = f"e2e_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "DJANGO_DEBUG": "1",
        "ENCRYPTION_DEV_KEYS": "1",
        "KEYRING_FILE": str(ROOT / "var" / "e2e" / f"{name}.json"),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_reference_data", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_outreach_content", "-v", "0"], cwd=ROOT, env=env, check=True)
    keys = json.loads(
        subprocess.run(
            [*manage, "shell", "-c", USERS_SCRIPT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "keys": keys}
    finally:
        server.terminate()
        server.wait(timeout=10)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()


class Phone:
    """One signed-in user's browser tab at phone width (360 px)."""

    def __init__(self, browser, site, username: str) -> None:
        from django_otp.oath import totp

        self.site, self.context = (
            site,
            browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN"),
        )
        self.page = self.context.new_page()
        self.go("/account/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "mat-khau-e2e-2026")
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        self.page.fill("#id_token", f"{totp(bytes.fromhex(site['keys'][username])):06d}")
        with self.page.expect_navigation():
            self.page.click("main button[type=submit]")

    def go(self, path: str) -> None:
        self.page.goto(self.site["url"] + path)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def text(self) -> str:
        return self.page.inner_text("body")

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="session")
def phones(browser, site):
    """One signed-in phone per user for the whole run: a TOTP code is good once per 30 seconds."""
    opened: dict[str, Phone] = {}

    def phone(username: str) -> Phone:
        if username not in opened:
            opened[username] = Phone(browser, site, username)
        return opened[username]

    yield phone
    for each in opened.values():
        each.close()
