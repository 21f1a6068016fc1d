"""Import a file of prison release notices (CSV or XLSX) from the command line.

    manage.py import_release_notices notices.xlsx --user ca-tinh            # dry run
    manage.py import_release_notices notices.xlsx --user ca-tinh --commit   # all or nothing

The same checks and the same all-or-nothing commit as the page /imports/, with progress bars.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from registry.errors import ApplicationError
from registry.models import ImportBatch, User
from registry.services.imports import import_batch_check, import_batch_commit, import_batch_upload


class Command(BaseCommand):
    help = "Nhập thông báo của trại giam từ tệp CSV/XLSX (chạy thử, hoặc --commit để nhập)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="tên đăng nhập của người nhập")
        parser.add_argument("--commit", action="store_true", help="nhập thật (mặc định: chạy thử)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(f"Không có người dùng {options['user']}")
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            label = "Kiểm tra" if phase == "check" else "Nhập"
            bar = bars.get(phase) or bars.setdefault(
                phase, tqdm(total=total, desc=label, unit=" dòng", file=self.stderr._out)
            )
            bar.update(done - bar.n)

        batch = import_batch_upload(actor=actor, file_name=path.name, data=path.read_bytes())
        if batch.status == ImportBatch.Status.UPLOADED:
            batch = import_batch_check(actor=actor, batch=batch, progress=progress)
        self._summary(batch)
        if batch.status == ImportBatch.Status.REFUSED:
            raise CommandError(batch.refusal)
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
        self.stdout.write(
            f"{batch.rows_total} dòng: {batch.rows_new} mới, {batch.rows_duplicate} trùng "
            f"(bỏ qua), {batch.rows_error} lỗi."
        )
        for problem in batch.problems[:50]:
            column = f" [{problem['column']}]" if problem["column"] else ""
            self.stdout.write(f"  dòng {problem['row']}{column}: {problem['message']}")
