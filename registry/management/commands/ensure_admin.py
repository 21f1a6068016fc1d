import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from registry.models import User


class Command(BaseCommand):
    help = "Tạo tài khoản quản trị cho môi trường thử (nếu chưa có) và in cách đăng nhập."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: object, **options: Any) -> None:
        credentials = Path(settings.VAR_DIR) / "demo-sign-ins.txt"
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None or not credentials.exists():
            password = secrets.token_urlsafe(12)
            user = user or User(username=username, is_staff=True, is_superuser=True)
            user.set_password(password)
            user.save()
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"{username} {password}\n", encoding="utf-8")
            credentials.chmod(0o600)
        name, password = credentials.read_text(encoding="utf-8").split()[:2]
        self.stdout.write(self.style.SUCCESS("Đăng nhập quản trị: http://127.0.0.1:8000/admin/"))
        self.stdout.write(f"  tên đăng nhập: {name}\n  mật khẩu:      {password}")
        self.stdout.write(f"  (lưu trong {credentials}; chỉ dùng cho máy thử)")
