"""Import a file of prison release notices (CSV or XLSX) from the command line.

    manage.py import_release_notices notices.xlsx --user ca-tinh            # dry run
    manage.py import_release_notices notices.xlsx --user ca-tinh --commit   # all or nothing
    manage.py import_release_notices notices.csv --user ca-tinh --encoding cp1258 \\
        --map commune=E --remember "Trại giam Yên Hạ"

The same checks and the same all-or-nothing commit as the page /imports/, with progress bars. It
prints where the table was found, the encoding read, the file-level reason when the rows cannot
be checked and the first problems by row and column (never a value), and exits non-zero when the
file is refused or has errors.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry import imports
from registry.errors import ApplicationError
from registry.models import ImportBatch, ImportSource, User
from registry.services.imports import (
    import_batch_check,
    import_batch_commit,
    import_batch_upload,
    import_source_remember,
)

S = ImportBatch.Status


def _column_index(text: str) -> int | None:
    if not re.fullmatch(r"[A-Za-z]{1,3}", text):
        return None
    index = 0
    for letter in text.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class Command(BaseCommand):
    help = "Nhập thông báo của trại giam từ tệp CSV/XLSX (chạy thử, hoặc --commit để nhập)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="tên đăng nhập của người nhập")
        parser.add_argument("--commit", action="store_true", help="nhập thật (mặc định: chạy thử)")
        parser.add_argument(
            "--encoding",
            choices=sorted(imports.ENCODING_LABELS),
            help="bảng mã của tệp CSV (mặc định: tự nhận biết)",
        )
        parser.add_argument("--source", help="dùng cách ghép đã lưu của nguồn này")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="THÔNG_TIN=CỘT",
            help="ghép cột bằng tay, ví dụ commune=E (cột E là xã, phường)",
        )
        parser.add_argument("--remember", metavar="NGUỒN", help="ghi nhớ cách ghép cho nguồn này")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"Không có người dùng {options['user']}")
        source = None
        if options["source"]:
            source = ImportSource.objects.filter(name__iexact=options["source"]).first()
            if source is None:
                raise CommandError(f"Không có nguồn “{options['source']}”.")
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            label = "Kiểm tra" if phase == "check" else "Nhập"
            bar = bars.get(phase) or bars.setdefault(
                phase, tqdm(total=total, desc=label, unit=" dòng", file=self.stderr._out)
            )
            bar.update(done - bar.n)

        batch = import_batch_upload(
            actor=actor, file_name=path.name, data=path.read_bytes(), source=source
        )
        if batch.status == S.UPLOADED:
            batch = import_batch_check(
                actor=actor, batch=batch, encoding=options["encoding"], progress=progress
            )
        if batch.status == S.CHECKED and options["map"]:
            mapping = dict(batch.mapping)
            for item in options["map"]:
                key, _sep, column = item.partition("=")
                index = _column_index(column.strip())
                if key.strip() not in imports.BY_KEY or index is None:
                    raise CommandError(f"--map không hợp lệ: {item} (ví dụ commune=E)")
                mapping = {k: v for k, v in mapping.items() if v != index}
                mapping[key.strip()] = index
            batch = import_batch_check(actor=actor, batch=batch, mapping=mapping, progress=progress)
        for bar in bars.values():
            bar.close()
        bars.clear()
        self._summary(batch)
        if batch.status == S.REFUSED:
            raise CommandError(f"Tệp bị từ chối: {batch.refusal}")
        if batch.refusal:
            raise CommandError(f"Chưa kiểm tra được các dòng: {batch.refusal}")
        if options["remember"]:
            try:
                remembered = import_source_remember(
                    actor=actor, batch=batch, name=options["remember"]
                )
            except ApplicationError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Đã ghi nhớ cách ghép cho nguồn “{remembered}”.")
        if batch.rows_error:
            raise CommandError(
                f"Tệp có {batch.rows_error} dòng lỗi: sửa tệp rồi chạy lại; chưa ghi gì."
            )
        if not options["commit"]:
            self.stdout.write("Chạy thử: chưa ghi gì. Thêm --commit để nhập.")
            return
        try:
            batch = import_batch_commit(actor=actor, batch=batch, progress=progress)
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            f"Đã nhập {batch.cases_created} hồ sơ trong {batch.seconds} giây "
            f"(lượt nhập {batch.uuid})."
        )

    def _summary(self, batch: ImportBatch) -> None:
        for line in imports.describe_layout(batch):
            self.stdout.write(line)
        if batch.status == S.REFUSED:
            return
        self.stdout.write(
            f"{batch.rows_total} dòng: {batch.rows_new} mới, {batch.rows_duplicate} trùng "
            f"(bỏ qua), {batch.rows_error} lỗi."
        )
        if batch.refusal:
            return
        problems = batch.problems
        if problems:
            self.stdout.write(f"Các vấn đề đầu tiên (dòng, cột; {len(problems)} tất cả):")
        for problem in problems[:50]:
            column = f" [{problem['column']}]" if problem["column"] else ""
            self.stdout.write(f"  dòng {problem['row']}{column}: {problem['message']}")
