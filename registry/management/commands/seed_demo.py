import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from registry.demo import DemoSeeder
from registry.management.development import add_flag, require_development
from registry.models import AdministrativeUnit, Person, User

CHUNK = 5000


class Command(BaseCommand):
    help = (
        "Tạo người mẫu giả lập (tên tiếng Việt, số định danh dải 99xxxx dành riêng), hồ sơ, "
        "nhu cầu và đề nghị hỗ trợ. Cùng --seed cho cùng dữ liệu. Tất cả trong một giao dịch."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--people", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Không làm gì nếu đã có người mẫu (dùng cho make setup).",
        )
        add_flag(parser)

    def handle(self, *args: object, **options: Any) -> None:
        require_development("seed_demo", options)
        people, seed = options["people"], options["seed"]
        if people < 0:
            raise CommandError("--people phải ≥ 0.")
        if not AdministrativeUnit.objects.exists():
            raise CommandError(
                "Chưa có dữ liệu danh mục: chạy manage.py load_reference_data trước."
            )
        existing = Person.objects.filter(is_demo=True).count()
        if existing and options["if_empty"]:
            self.stdout.write(f"Đã có {existing} người mẫu; bỏ qua.")
            return
        if existing:
            raise CommandError(f"Đã có {existing} người mẫu; dùng cơ sở dữ liệu trống để tạo lại.")
        started = time.perf_counter()
        with transaction.atomic():
            actor, _ = User.objects.get_or_create(
                username="he-thong", defaults={"first_name": "Hệ thống", "is_active": False}
            )
            seeder = DemoSeeder(seed=seed, actor=actor)
            with tqdm(
                total=people,
                unit=" người",
                desc="Tạo dữ liệu mẫu",
                disable=options["verbosity"] == 0,
            ) as bar:
                for done in range(1, people + 1):
                    seeder.person()
                    if done % CHUNK == 0:
                        seeder.flush()
                        bar.update(CHUNK)
                seeder.finish()
                bar.update(people % CHUNK)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo {people} người mẫu trong {elapsed:.1f} giây.")
        )
