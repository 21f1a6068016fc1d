"""Commands that make demo data or demo accounts are for a developer's machine (issue 21): with
``DJANGO_DEBUG`` off they stop with a message unless told explicitly, and the secrets they make are
written only under ``var/`` of a development checkout, never anywhere else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

FLAG = "--allow-outside-development"


def add_flag(parser: Any) -> None:
    parser.add_argument(
        FLAG,
        action="store_true",
        dest="allow_outside_development",
        help="chạy cả khi DJANGO_DEBUG tắt (máy thử, đo hiệu năng) — không bao giờ trên máy thật",
    )


def require_development(command: str, options: dict[str, Any]) -> None:
    if settings.DEBUG or options.get("allow_outside_development"):
        return
    raise CommandError(
        f"{command} chỉ dùng cho máy phát triển (DJANGO_DEBUG=1): lệnh này tạo tài khoản hoặc "
        f"dữ liệu mẫu, không bao giờ chạy trên hệ thống thật. Tài khoản quản trị đầu tiên: "
        f"manage.py create_first_admin (docs/operations.md). Nếu đây đúng là máy thử, thêm {FLAG}."
        f" / {command} is for development only (DJANGO_DEBUG is off)."
    )


def development_var_dir() -> Path | None:
    """``var/`` of a development checkout (the project has a .git next to it), else None."""
    var = Path(settings.VAR_DIR).resolve()
    base = Path(settings.BASE_DIR).resolve()
    if var.parent == base and (base / ".git").exists():
        return var
    return None
