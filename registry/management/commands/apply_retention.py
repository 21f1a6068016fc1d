"""Run the retention job now (beat runs it daily): archive cases closed by expungement, delete
their outreach data, minimise people past RETENTION_MINIMISE_AFTER_DAYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from registry.services.retention import retention_run


class Command(BaseCommand):
    help = "Lưu trữ hồ sơ đã xóa án tích, xóa dữ liệu nhắn tin, giảm thiểu dữ liệu quá hạn."

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        counts = retention_run()
        self.stdout.write(
            "Đã lưu trữ {cases_archived} hồ sơ, xóa {outreach_rows_deleted} dòng dữ liệu nhắn tin, "
            "giảm thiểu dữ liệu của {people_minimised} người.".format(**counts)
        )
