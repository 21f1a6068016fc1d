"""Write the clean default templates of the 13 HCD forms as DOCX files (to edit in Word and
upload as a replacement): ``python manage.py document_defaults [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from registry.documents import defaults


class Command(BaseCommand):
    help = "Ghi các mẫu HCD-01…13 mặc định ra tệp DOCX."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default="var/document-defaults")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        for code in defaults.LAYOUTS:
            target = folder / f"mau-{code.lower()}.docx"
            target.write_bytes(defaults.build(code))
            self.stdout.write(str(target))
