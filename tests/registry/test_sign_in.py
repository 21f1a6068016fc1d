"""Staff sign-in: Argon2, lockout of the username+IP pair with its cool-off, the second factor
before any personal data, recovery codes, session limits, and a clean `check --deploy`."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.models import AccessEvent, Membership, Role
from registry.views.accounts import recovery_codes_issue
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mật-khẩu-đủ-dài-2026"


@pytest.fixture
def officer():
    user = factories.UserFactory(username="lan")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(
        user=user,
        role=Role.COMMUNE_POLICE,
        agency=factories.need_type("residence").agencies.filter(level="commune").first(),
    ).units.add(factories.commune())
    return user


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/account/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


class PasswordTests:
    def test_argon2_is_the_first_hasher_in_production_settings(self) -> None:
        import config.settings as production

        assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

    def test_short_and_common_passwords_are_refused(self) -> None:
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        for weak in ("ngắn-quá", "password1234", "123456789012"):
            with pytest.raises(ValidationError):
                validate_password(weak)
        validate_password("một câu dài dễ nhớ 2026")


class LockoutTests:
    def test_five_failures_lock_the_username_and_ip_pair(self, client, officer) -> None:
        for _ in range(4):
            assert login(client, "lan", "sai-mat-khau").status_code == 200
        assert login(client, "lan", "sai-mat-khau").status_code == 429  # the fifth failure locks
        locked = login(client, "lan", PASSWORD)  # even the right password, from this address
        assert locked.status_code == 429 and "tạm khóa" in locked.content.decode()
        assert AccessEvent.objects.filter(action="failed_login", username="lan").count() >= 5

    def test_the_same_user_from_another_address_is_not_locked(self, client, officer) -> None:
        for _ in range(5):
            login(client, "lan", "sai-mat-khau", ip="10.0.0.66")
        assert login(client, "lan", PASSWORD, ip="10.0.0.1").status_code == 302

    def test_the_lock_ends_after_the_cool_off(self, client, officer) -> None:
        for _ in range(5):
            login(client, "lan", "sai-mat-khau")
        assert login(client, "lan", PASSWORD).status_code == 429
        from axes.models import AccessAttempt

        AccessAttempt.objects.update(
            attempt_time=AccessAttempt.objects.first().attempt_time - dt.timedelta(minutes=31)
        )
        assert login(client, "lan", PASSWORD).status_code == 302

    def test_the_cool_off_is_thirty_minutes(self) -> None:
        assert settings.AXES_COOLOFF_TIME == 0.5 and settings.AXES_FAILURE_LIMIT == 5
        assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


class SecondFactorTests:
    def test_without_the_second_factor_no_personal_data_is_reachable(self, client, officer) -> None:
        case = factories.make_case(officer)
        assert login(client, "lan", PASSWORD).status_code == 302
        before = AccessEvent.objects.exclude(action="login").count()
        urls = [
            "/",
            "/cases/",
            f"/cases/{case.uuid}/",
            "/cases/export.csv",
            f"/cases/{case.uuid}/timeline/",
            "/worklist/",
            "/audit/",
            "/admin/",
            "/admin/registry/person/",
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            sign_in_pages = ("/account/otp/", "/account/login/", "/admin/login/")
            assert any(page in response["Location"] for page in sign_in_pages), url
            assert case.person.full_name not in response.content.decode()
        assert AccessEvent.objects.exclude(action="login").count() == before

    def test_enrolment_by_qr_code_then_recovery_codes(self, client, officer) -> None:
        login(client, "lan", PASSWORD)
        page = client.get("/account/otp/")
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        assert client.post("/account/otp/", {"token": "000000"}).status_code == 200
        device.refresh_from_db()
        device.throttle_reset()  # django-otp slows down guessing after a wrong code
        done = client.post("/account/otp/", {"token": totp_now(device)})
        assert done.status_code == 200 and len(done.context["codes"]) == 10
        assert client.get("/cases/").status_code == 200
        stored = officer.recovery_codes.values_list("code_hash", flat=True)
        assert not set(done.context["codes"]) & set(stored)  # kept hashed

    def test_a_recovery_code_works_once(self, client, officer) -> None:
        TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
        codes = recovery_codes_issue(officer)
        login(client, "lan", PASSWORD)
        assert client.post("/account/otp/", {"token": codes[0]}).status_code == 302
        client.post("/account/logout/")
        login(client, "lan", PASSWORD)
        assert client.post("/account/otp/", {"token": codes[0]}).status_code == 200  # used up
        assert client.get("/cases/").status_code == 302


class SessionTests:
    def test_sessions_end_after_fifteen_idle_minutes_and_rotate_on_sign_in(
        self, client, officer
    ) -> None:
        assert settings.SESSION_IDLE_SECONDS == 15 * 60
        client.get("/account/login/")
        before = client.cookies.get("sessionid")
        login(client, "lan", PASSWORD)
        assert client.cookies["sessionid"].value != (before.value if before else None)

    def test_fifteen_idle_minutes_sign_out(self, client, officer) -> None:
        factories.sign_in(client, officer)
        assert client.get("/cases/").status_code == 200
        session = client.session
        session["seen_at"] = time.time() - 15 * 60 - 1
        session.save()
        assert client.get("/cases/").status_code == 302
        assert "_auth_user_id" not in client.session

    def test_pages_do_not_write_the_session_but_note_activity_once_a_minute(
        self, client, officer
    ) -> None:
        factories.sign_in(client, officer)
        client.get("/cases/")

        def session_writes() -> list[str]:
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/cases/").status_code == 200
            return [
                q["sql"]
                for q in queries.captured_queries
                if "django_session" in q["sql"] and not q["sql"].lstrip().startswith("SELECT")
            ]

        assert session_writes() == []
        session = client.session
        session["seen_at"] = time.time() - 14 * 60  # active 14 minutes ago: still signed in
        session.save()
        assert len(session_writes()) == 1  # activity noted, the idle clock starts again
        assert time.time() - client.session["seen_at"] < 60
        assert session_writes() == []

    def test_sessions_end_eight_hours_after_sign_in(self, client, officer) -> None:
        factories.sign_in(client, officer)
        assert client.get("/cases/").status_code == 200
        session = client.session
        session["signed_in_at"] = time.time() - 8 * 3600 - 1
        session.save()
        assert client.get("/cases/").status_code == 302


class AdminTests:
    def test_the_admin_is_only_for_superusers_and_provincial_police(self, client, officer) -> None:
        officer.is_staff = True
        officer.save()
        factories.sign_in(client, officer)
        assert client.get("/admin/registry/person/").status_code == 302  # commune police: no admin
        chief = factories.UserFactory(username="ca-tinh", is_staff=True)
        Membership.objects.create(
            user=chief,
            role=Role.PROVINCIAL_POLICE,
            agency=factories.need_type("judicial_record")
            .agencies.get(code="cong-an-tinh-ho-so")
            .parent,
        )
        factories.sign_in(client, chief)
        before = AccessEvent.objects.filter(action="list").count()
        assert client.get("/admin/registry/person/").status_code == 200
        assert AccessEvent.objects.filter(action="list").count() == before + 1


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SECRET_KEY": "x" * 60
            + "-production-like-secret-key-with-enough-entropy-0123456789",
            "DJANGO_ALLOWED_HOSTS": "conduonghuongthien.sonla.gov.vn",
            "FIELD_ENCRYPTION_KEYS": "",
            "ENCRYPTION_DEV_KEYS": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
