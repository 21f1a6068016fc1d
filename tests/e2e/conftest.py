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
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from registry.models import AdministrativeUnit, Agency, Membership, Role, User
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
other = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="04246")
def police(unit):
    return Agency.objects.get(level="commune", kind="police", jurisdiction=unit)
people = {
    "ca-xa": (Role.COMMUNE_POLICE, police(commune), commune),
    "ca-xa-khac": (Role.COMMUNE_POLICE, police(other), other),
    "ubnd-xa": (Role.COMMUNE_COMMITTEE,
                Agency.objects.get(level="commune", kind="commune_committee", jurisdiction=commune),
                commune),
    "ca-tinh": (Role.PROVINCIAL_POLICE, Agency.objects.get(code="cong-an-tinh"), None),
    "ngan-hang": (Role.SOCIAL_POLICY_BANK, Agency.objects.get(code="nhcsxh-son-la"), None),
    "noi-vu": (Role.HOME_AFFAIRS, Agency.objects.get(code="so-noi-vu"), None),
    "tu-phap": (Role.JUSTICE, Agency.objects.get(code="so-tu-phap"), None),
    "ho-so": (Role.RECORDS_UNIT, Agency.objects.get(code="cong-an-tinh-ho-so"), None),
    "bien-tap": (Role.CONTENT_EDITOR, Agency.objects.get(code="cong-an-tinh"), None),
    "truyen-thong": (Role.OUTREACH_MANAGER, Agency.objects.get(code="cong-an-tinh"), None),
    "kiem-tra": (Role.AUDITOR, Agency.objects.get(code="cong-an-tinh"), None),
}
out = {}
for name, (role, agency, unit) in people.items():
    user = User.objects.create_user(name, password="mat-khau-e2e-2026", first_name=name)
    membership = Membership.objects.create(user=user, role=role, agency=agency)
    if unit is not None:
        membership.units.add(unit)
    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    out[name] = device.bin_key.hex()
print(json.dumps(out))
"""

# Staff roles the browser tests sign in as (commune police of Phường Tô Hiệu and of another
# commune, the commune committee, the provincial police, the three agencies, outreach, auditor).
STAFF = [
    "ca-xa",
    "ca-xa-khac",
    "ubnd-xa",
    "ca-tinh",
    "ngan-hang",
    "noi-vu",
    "tu-phap",
    "ho-so",
    "bien-tap",
    "truyen-thong",
    "kiem-tra",
]


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
        # Static files as production serves them: collected, with gzip and brotli copies.
        "DJANGO_STATIC_ROOT": str(ROOT / "var" / "e2e" / f"static-{name}"),
        "DJANGO_STATIC_FROM_ROOT": "1",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_reference_data", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_outreach_content", "-v", "0"], cwd=ROOT, env=env, check=True)
    # Realistic demo data for the pages: synthetic people in every commune, their needs and
    # referrals, outreach consents (deterministic).
    subprocess.run(
        [*manage, "seed_demo", "--people", "400", "--seed", "7"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([*manage, "outreach_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
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
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nostatic"],
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
        yield {"url": f"http://127.0.0.1:{port}", "keys": keys, "env": env}
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(env["DJANGO_STATIC_ROOT"], ignore_errors=True)
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
    """One signed-in user's browser tab at phone width (360 px). It counts what a person does —
    page loads (main-frame navigations) and taps (a click, a choice in a list, or focusing a field
    to type) — so that the usability figures come from the tests themselves."""

    def __init__(
        self, browser, site, username: str, width: int = 360, clock=None
    ) -> None:
        from django_otp.oath import totp

        self.site, self.context = (
            site,
            browser.new_context(viewport={"width": width, "height": 780}, locale="vi-VN"),
        )
        self.page = self.context.new_page()
        self.loads = 0
        self.taps = 0
        self.page.on("load", lambda _page: self._loaded())
        self.go("/account/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "mat-khau-e2e-2026")
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        key = bytes.fromhex(site["keys"][username])
        if clock is None:
            token = totp(key)
        else:  # a server whose clock was moved (time-machine): its TOTP window
            from django_otp.oath import TOTP

            moved = TOTP(key)
            moved.time = clock()
            token = moved.token()
        self.page.fill("#id_token", f"{token:06d}")
        with self.page.expect_navigation():
            self.page.click("main button[type=submit]")

    def _loaded(self) -> None:
        self.loads += 1

    def go(self, path: str) -> None:
        self.page.goto(self.site["url"] + path)

    def start_counting(self) -> None:
        self.loads = self.taps = 0

    def tap(self, selector: str, *, loads: bool = False) -> None:
        """Tap something; ``loads`` waits for the page it opens."""
        self.taps += 1
        if loads:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def type(self, selector: str, text: str) -> None:
        self.taps += 1
        self.page.fill(selector, text)

    def choose(self, selector: str, value: str) -> None:
        self.taps += 1
        self.page.select_option(selector, value)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def text(self) -> str:
        return self.page.inner_text("body")

    def close(self) -> None:
        self.context.close()


def site_shell(site: dict, script: str) -> str:
    """Run Python in the site's Django (its database and keys); returns the last line printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=site["env"],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


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
