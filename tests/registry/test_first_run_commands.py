"""First run (issue 21): demo commands refuse to run outside development unless told explicitly
and never store secrets outside var/ of a development checkout; create_first_admin makes the first
administrator, who enrols TOTP at the first sign-in."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.models import Membership, Role, User

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, debug: str) -> subprocess.CompletedProcess[str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_DEBUG": debug,
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.django_db
class DemoCommandsOutsideDevelopmentTests:
    @pytest.mark.parametrize("command", ["create_demo_users", "seed_demo"])
    def test_with_debug_off_they_exit_non_zero_with_a_message(self, command):
        result = run(command, debug="0")
        assert result.returncode != 0
        assert "chỉ dùng cho máy phát triển (DJANGO_DEBUG=1)" in result.stderr
        assert "--allow-outside-development" in result.stderr
        assert not User.objects.filter(username="admin").exists()

    def test_told_explicitly_outside_a_checkout_nothing_is_stored(self, settings, tmp_path):
        settings.VAR_DIR = tmp_path / "var"
        out = io.StringIO()
        call_command("create_demo_users", allow_outside_development=True, stdout=out)
        assert User.objects.filter(username="ca-xa").exists()
        assert "Không lưu ra tệp" in out.getvalue()
        assert not (tmp_path / "var").exists()


@pytest.mark.django_db
class FirstAdministratorTests:
    def create(self, monkeypatch, password: str, username: str = "quan-tri"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
        out = io.StringIO()
        call_command("create_first_admin", username, "--password-stdin", stdout=out)
        return out.getvalue()

    def test_the_first_administrator_enrols_totp_at_first_sign_in(self, monkeypatch, client):
        out = self.create(monkeypatch, "Sơn La tháng mười hai 2026")
        assert "đăng ký mã TOTP" in out
        admin = User.objects.get(username="quan-tri")
        assert admin.is_superuser and admin.is_staff
        assert Membership.objects.filter(user=admin, role=Role.PROVINCIAL_POLICE).exists()
        assert not TOTPDevice.objects.filter(user=admin).exists()
        response = client.post(
            "/account/login/",
            {"username": "quan-tri", "password": "Sơn La tháng mười hai 2026"},
            follow=True,
        )
        assert "account/enrol.html" in [t.name for t in response.templates]

        with pytest.raises(CommandError, match="Đã có tài khoản quản trị"):
            self.create(monkeypatch, "Một mật khẩu dài khác 2026", username="quan-tri-2")

    def test_a_weak_password_is_refused(self, monkeypatch):
        with pytest.raises(CommandError):
            self.create(monkeypatch, "ngan")
        assert not User.objects.filter(username="quan-tri").exists()
