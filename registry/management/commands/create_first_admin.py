"""The first administrator of a new installation (docs/operations.md section 1, first run).

The password comes from the terminal (asked twice) or, for a script, from standard input
(``--password-stdin``); it is never an argument (shell history, process list). No second factor is
created: the first sign-in enrols TOTP by QR code."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.services.admins import first_admin_create


class Command(BaseCommand):
    help = (
        "Tạo tài khoản quản trị đầu tiên (quản trị hệ thống, Công an tỉnh); lần đăng nhập đầu "
        "tiên sẽ đăng ký mã TOTP."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn (script)"
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Mật khẩu (ít nhất 12 ký tự): ")
            if getpass.getpass("Nhập lại mật khẩu: ") != password:
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        try:
            user = first_admin_create(
                username=options["username"], password=password, full_name=options["full_name"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tài khoản quản trị {user.username}. Đăng nhập tại /account/login/: lần "
                "đầu, quét mã QR bằng ứng dụng xác thực để đăng ký mã TOTP và cất giữ các mã "
                "khôi phục. Tạo các tài khoản khác trong /admin/."
            )
        )
