from django.core.management.base import BaseCommand

from registry.services.reference import reference_data_load


class Command(BaseCommand):
    help = (
        "Nạp (hoặc cập nhật) dữ liệu danh mục: đơn vị hành chính, cơ quan, loại nhu cầu, ngày lễ."
    )

    def handle(self, *args: object, **options: object) -> None:
        counts = reference_data_load()
        summary = ", ".join(f"{name}={value}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Đã nạp dữ liệu danh mục: {summary}"))
