from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from registry import crypto
from registry.services.keys import encrypted_models, encryption_rotate


class Command(BaseCommand):
    help = (
        "Mã hóa lại mọi trường mã hóa bằng khóa chính hiện tại (sau khi thêm khóa mới). "
        "Chạy lại được nếu bị ngắt; khi báo 0 giá trị còn lại thì có thể gỡ khóa cũ."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: object, **options: Any) -> None:
        ring = crypto.keyring()
        total = sum(model._default_manager.count() for model, _ in encrypted_models())
        resealed = 0
        with tqdm(
            total=total, unit=" dòng", desc="Mã hóa lại", disable=options["verbosity"] == 0
        ) as bar:
            for _label, scanned, changed in encryption_rotate(batch_size=options["batch_size"]):
                resealed += changed
                bar.update(scanned)
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {resealed} giá trị đã mã hóa lại bằng khóa '{ring.primary_id}'."
            )
        )
