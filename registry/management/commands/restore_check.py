"""Read back encrypted values after a restore: proves that the database and the keyring belong
together (the restore drill, docs/operations.md section 5). Prints counts and key ids only, never
values.

Every non-empty encrypted value is opened (empty fields are not counted), per key id; the blind
index of a sample of rows is recomputed from the opened value and compared with the stored one, so
a wrong ``BLIND_INDEX_KEY`` fails too (searches, duplicate checks and opt-out matching would
otherwise miss silently). The report names the key that failed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from registry import crypto
from registry.fields import BlindIndexField
from registry.services.keys import encrypted_models


class Command(BaseCommand):
    help = (
        "Giải mã thử mọi giá trị mã hóa và tính lại chỉ mục tìm kiếm của một mẫu sau khi khôi "
        "phục sao lưu (chỉ in số lượng và mã khóa)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--sample", type=int, default=500, help="rows per table whose blind index is recomputed"
        )

    def handle(self, *args: object, **options: Any) -> None:
        ring = crypto.keyring()
        opened: Counter[str] = Counter()
        wrong: Counter[str] = Counter()  # the key id is in the keyring but does not open it
        unknown: Counter[str] = Counter()  # the key id is not in the keyring
        malformed = 0
        index_checked = index_wrong = 0
        for model, fields in encrypted_models():
            indexes = [
                f for f in model._meta.concrete_fields
                if isinstance(f, BlindIndexField)
                and any(e.attname == f.source for e in fields)
            ]  # fmt: skip
            names = ["pk", "uuid", *(f.attname for f in fields), *(f.attname for f in indexes)]
            rows = model._default_manager.order_by("pk").only(*names).iterator(chunk_size=2000)
            for n, row in enumerate(rows):
                failed_here: set[str] = set()
                for field in fields:
                    slot = row.__dict__.get(field.attname)
                    if slot is None or slot.sealed is None:
                        continue
                    try:
                        key_id = crypto.sealed_key_id(slot.sealed)
                    except crypto.DecryptionError:
                        malformed += 1
                        failed_here.add(field.attname)
                        continue
                    try:
                        getattr(row, field.attname)
                    except crypto.DecryptionError:
                        (wrong if key_id in ring.keys else unknown)[key_id] += 1
                        failed_here.add(field.attname)
                    else:
                        opened[key_id] += 1
                if n >= options["sample"]:
                    continue
                for index in indexes:
                    stored = getattr(row, index.attname)
                    if stored is None or index.source in failed_here:
                        continue
                    index_checked += 1
                    if index.compute(getattr(row, index.source)) != stored:
                        index_wrong += 1
        self._report(ring, opened, wrong, unknown, malformed, index_checked, index_wrong)

    def _report(
        self,
        ring: crypto.Keyring,
        opened: Counter[str],
        wrong: Counter[str],
        unknown: Counter[str],
        malformed: int,
        index_checked: int,
        index_wrong: int,
    ) -> None:
        failed = sum(wrong.values()) + sum(unknown.values()) + malformed
        self.stdout.write(
            f"restore check: {sum(opened.values())} encrypted values opened, {failed} failed"
        )
        for key_id in sorted(set(opened) | set(wrong) | set(unknown)):
            self.stdout.write(
                f"  khóa / key '{key_id}': {opened[key_id]} mở được / opened, "
                f"{wrong[key_id] + unknown[key_id]} không mở được / failed"
            )
        self.stdout.write(
            f"blind index: {index_checked - index_wrong} of {index_checked} recomputed indexes "
            "match"
        )
        problems = []
        summary = [f"khóa '{k}' sai / wrong key '{k}'" for k in sorted(wrong)]
        summary += [f"thiếu khóa '{k}' / missing key '{k}'" for k in sorted(unknown)]
        if index_wrong:
            summary.append("BLIND_INDEX_KEY sai / wrong BLIND_INDEX_KEY")
        for key_id, n in sorted(wrong.items()):
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: khóa '{key_id}' sai — {n} giá trị không mở được / the key "
                f"'{key_id}' is wrong"
            )
        for key_id, n in sorted(unknown.items()):
            problems.append(
                f"FIELD_ENCRYPTION_KEYS: thiếu khóa '{key_id}' — {n} giá trị mã hóa bằng nó / the "
                f"key '{key_id}' is missing"
            )
        if malformed:
            problems.append(f"{malformed} giá trị hỏng định dạng / malformed values")
        if index_wrong:
            problems.append(
                f"BLIND_INDEX_KEY sai: {index_wrong}/{index_checked} chỉ mục tìm kiếm tính lại "
                "không khớp (tìm kiếm, kiểm tra trùng và từ chối nhận tin sẽ bỏ sót) / the blind "
                "index key is wrong"
            )
        if not sum(opened.values()) and not problems:
            problems.append("không có giá trị mã hóa nào để kiểm tra / nothing encrypted to check")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                "Không đọc được dữ liệu đã khôi phục bằng bộ khóa này ("
                + "; ".join(summary or problems)
                + "). / The restored data cannot be read with this keyring."
            )
