"""Re-seal every encrypted value under the keyring's primary key (docs/operations.md section 5).

1. Announces the keyring: from then on every process still on an older primary is not ready and
   refuses to seal values (after at most KEYRING_CHECK_SECONDS, which this command waits out).
2. Re-seals, in batches, everything sealed under another key (resumable).
3. Re-checks the whole database for values written under an older key while it ran and re-seals
   them, until none is left; then marks the keys that seal nothing any more as retired.
4. Names the processes seen on another keyring: they must restart before the old key is removed.
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from registry import crypto
from registry.services.keys import (
    encrypted_models,
    encryption_rotate,
    key_ids_in_use,
    keyring_check,
    keys_retire,
    processes_on_other_keyrings,
)

RECHECKS = 5


class Command(BaseCommand):
    help = (
        "Mã hóa lại mọi trường mã hóa bằng khóa chính hiện tại (sau khi thêm khóa mới), kiểm tra "
        "lại các giá trị ghi trong lúc chạy và chỉ ra tiến trình nào phải khởi động lại. Chạy "
        "lại được nếu bị ngắt; khi báo 0 giá trị còn lại thì có thể gỡ khóa cũ."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="không chờ KEYRING_CHECK_SECONDS sau khi công bố khóa chính (chỉ khi mọi tiến "
            "trình khác đã dừng)",
        )

    def _pass(self, batch_size: int, verbosity: int) -> int:
        total = sum(model._default_manager.count() for model, _ in encrypted_models())
        resealed = 0
        with tqdm(total=total, unit=" dòng", desc="Mã hóa lại", disable=verbosity == 0) as bar:
            for _label, scanned, changed in encryption_rotate(batch_size=batch_size):
                resealed += changed
                bar.update(scanned)
        return resealed

    def handle(self, *args: object, **options: Any) -> None:
        ring = crypto.keyring()
        status = keyring_check(ring, force=True)
        if not status.writable:
            raise CommandError(status.reason)
        if status.missing:
            raise CommandError(status.reason)
        if not options["no_wait"] and settings.KEYRING_CHECK_SECONDS > 0:
            self.stdout.write(
                f"Khóa chính '{ring.primary_id}' đã được công bố; chờ "
                f"{settings.KEYRING_CHECK_SECONDS:g} giây để mọi tiến trình đang chạy thấy nó "
                "(tiến trình chạy bộ khóa cũ từ nay không được ghi và /readyz báo 503)."
            )
            time.sleep(settings.KEYRING_CHECK_SECONDS + 0.5)

        resealed = self._pass(options["batch_size"], options["verbosity"])
        late = 0
        for _ in range(RECHECKS):
            in_use = key_ids_in_use()
            left = {k: n for k, n in in_use.items() if k != ring.primary_id and n}
            if not left:
                break
            unknown = [k for k in left if k not in ring.keys]
            if unknown:
                names = ", ".join(f"'{k}'" for k in unknown)
                raise CommandError(
                    f"Có giá trị mã hóa bằng khóa {names} không có trong bộ khóa này: thêm khóa "
                    "đó vào FIELD_ENCRYPTION_KEYS (sau khóa chính) rồi chạy lại."
                )
            count = sum(left.values())
            late += count
            self.stdout.write(
                f"Kiểm tra lại: {count} giá trị vẫn mã hóa bằng khóa cũ ("
                + ", ".join(f"'{k}': {n}" for k, n in sorted(left.items()))
                + ") — mã hóa lại."
            )
            resealed += self._pass(options["batch_size"], 0)
        else:
            in_use = key_ids_in_use()
            left = {k: n for k, n in in_use.items() if k != ring.primary_id and n}
            if left:
                raise CommandError(
                    "Vẫn có giá trị được ghi bằng khóa cũ trong lúc chạy: còn tiến trình chạy bộ "
                    "khóa cũ. Khởi động lại chúng rồi chạy lại lệnh này." + self._processes(ring)
                )
        retired = keys_retire(ring, in_use)
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {resealed} giá trị đã mã hóa lại bằng khóa '{ring.primary_id}' "
                f"({late} giá trị ghi trong lúc chạy đã được kiểm tra lại); 0 giá trị còn lại "
                "dưới khóa cũ."
            )
        )
        if retired:
            names = ", ".join(f"'{k}'" for k in retired)
            self.stdout.write(f"Khóa {names} không còn mã hóa giá trị nào (đã đánh dấu thôi dùng).")
        self.stdout.write(
            "Bây giờ: (1) khởi động lại MỌI tiến trình web (gunicorn), Celery worker và beat "
            f"chưa chạy bộ khóa có khóa chính '{ring.primary_id}';"
            + self._processes(ring)
            + "\n(2) sau đó mới gỡ khóa cũ khỏi FIELD_ENCRYPTION_KEYS và khởi động lại lần nữa; "
            "giữ bản sao khóa cũ cho các bản sao lưu cũ; (3) chạy manage.py restore_check."
        )

    @staticmethod
    def _processes(ring: crypto.Keyring) -> str:
        stale = processes_on_other_keyrings(ring)
        if not stale:
            return " không thấy tiến trình nào dùng bộ khóa khác trong 15 phút qua."
        lines = [" các tiến trình dùng bộ khóa khác thấy gần đây — PHẢI khởi động lại:"]
        for process in stale:
            seen = timezone.localtime(process.seen_at)
            lines.append(
                f"  - {process.program} trên {process.host}, pid {process.pid}: khóa chính "
                f"'{process.primary_key_id}', lần cuối {seen:%H:%M:%S}"
            )
        return "\n".join(lines)
