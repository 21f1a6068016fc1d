"""Read back encrypted values after a restore: proves that the database and the keyring belong
together (the restore drill, docs/operations.md section 5). Prints counts only, never values."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from registry.crypto import DecryptionError
from registry.fields import EncryptedField


class Command(BaseCommand):
    help = "Giải mã thử các trường mã hóa sau khi khôi phục sao lưu (chỉ in số lượng)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--sample", type=int, default=200, help="rows per table")

    def handle(self, *args: object, **options: object) -> None:
        opened = failed = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.get_fields() if isinstance(f, EncryptedField)]
            if not fields:
                continue
            for row in model.objects.order_by("pk")[: int(options["sample"])]:
                for field in fields:
                    try:
                        getattr(row, field.attname)
                        opened += 1
                    except DecryptionError:
                        failed += 1
        self.stdout.write(f"restore check: {opened} encrypted values opened, {failed} failed")
        if failed or not opened:
            raise CommandError(
                "Không giải mã được dữ liệu đã khôi phục: sai hoặc thiếu khóa. / The restored "
                "data cannot be read with this keyring."
            )
