from django.core.management.base import BaseCommand
from django.utils import timezone

from registry.services.notifications import referrals_escalate_overdue


class Command(BaseCommand):
    help = (
        "Báo Công an tỉnh các đề nghị hỗ trợ quá hạn trả lời (mỗi đề nghị một lần). Chạy hằng ngày."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = referrals_escalate_overdue(on=timezone.localdate())
        self.stdout.write(f"Đã báo {count} đề nghị quá hạn.")
