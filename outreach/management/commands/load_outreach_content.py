import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from outreach.services.content import content_load_seed
from registry.models import User

SEED = Path(settings.BASE_DIR) / "fixtures" / "outreach" / "content.json"


class Command(BaseCommand):
    help = "Nạp nội dung tuyên truyền mẫu theo Kế hoạch của tỉnh (chạy lại không tạo trùng)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--file", default=str(SEED))

    def handle(self, *args: object, **options: object) -> None:
        data = json.loads(Path(str(options["file"])).read_text(encoding="utf-8"))
        system, _ = User.objects.get_or_create(
            username="he-thong", defaults={"first_name": "Hệ thống", "is_active": False}
        )
        counts = content_load_seed(data["items"], system=system)
        self.stdout.write(
            f"Nội dung tuyên truyền: {counts['created']} mới, {counts['kept']} đã có, "
            f"{counts['in_review']} chờ duyệt (từ ngữ cần xem lại)."
        )
