from typing import Any

from django.core.management.base import BaseCommand, CommandError

from registry.errors import ApplicationError
from registry.selectors import unit_responsible_today


class Command(BaseCommand):
    help = "Xã nào phụ trách hôm nay cho một xã cũ (trước 01/07/2025) của một huyện."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("commune", help="Tên xã cũ hoặc mới, hoặc mã xã cũ")
        parser.add_argument("--district", help="Tên huyện cũ (khi tên xã trùng ở nhiều huyện)")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            unit = unit_responsible_today(commune=options["commune"], district=options["district"])
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{unit.full_name} (mã {unit.code}, danh mục từ 01/07/2025)")
