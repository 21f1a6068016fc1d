"""Recompute the access log's hash chain over a range and say which rows were changed, removed
or unchained (exit status 1 when any is). Beat runs it daily over the last days."""

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.services.audit_chain import STATUS_KEY, audit_chain_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký truy cập (mã 1 nếu có dòng bị sửa, xóa hoặc chèn)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, help="chỉ kiểm tra N ngày gần đây")
        parser.add_argument("--from-id", type=int)
        parser.add_argument("--to-id", type=int)

    def handle(self, *args: object, **options: Any) -> None:
        since = timezone.now() - dt.timedelta(days=options["days"]) if options["days"] else None
        result = audit_chain_verify(since=since, from_id=options["from_id"], to_id=options["to_id"])
        if options["days"] is None and options["from_id"] is None and options["to_id"] is None:
            from django.core.cache import cache

            cache.set(STATUS_KEY, result.as_dict(), timeout=None)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        if not result.ok:
            raise CommandError(
                f"Chuỗi nhật ký bị phá ở {len(result.broken)} dòng / audit chain broken."
            )
