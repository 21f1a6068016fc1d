from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.management.development import add_flag, development_var_dir, require_development
from registry.services.demo_users import demo_users_create


class Command(BaseCommand):
    help = "Tạo tài khoản thử cho từng vai trò (nếu chưa có) và in cách đăng nhập."

    def add_arguments(self, parser: Any) -> None:
        add_flag(parser)

    def handle(self, *args: object, **options: Any) -> None:
        require_development("create_demo_users", options)
        var = development_var_dir()
        sign_ins = (var or Path(settings.VAR_DIR)) / "demo-sign-ins.txt"
        created = demo_users_create()
        if created and var is None:
            # Not a development checkout: the secrets are shown once and stored nowhere.
            for s in created:
                self.stdout.write(
                    f"{s.username:<13} {s.password:<18} {s.totp_key}  {s.recovery_code}  {s.role}"
                )
            self.stdout.write("Không lưu ra tệp (không phải thư mục var/ của bản phát triển).")
            return
        if created:
            sign_ins.parent.mkdir(parents=True, exist_ok=True)
            with sign_ins.open("a", encoding="utf-8") as handle:
                for s in created:
                    handle.write(
                        f"{s.username:<13} {s.password:<18} {s.totp_key}  "
                        f"{s.recovery_code}  {s.role}\n"
                    )
            sign_ins.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Đăng nhập thử: http://127.0.0.1:8000/account/login/"))
        self.stdout.write(
            "Mỗi tài khoản: tên, mật khẩu, khóa TOTP (thêm vào ứng dụng xác thực), một mã khôi phục"
        )
        self.stdout.write("dùng một lần thay cho mã TOTP; vai trò. Chỉ dùng cho máy thử.")
        if sign_ins.exists():
            self.stdout.write(sign_ins.read_text(encoding="utf-8"))
