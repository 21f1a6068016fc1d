"""make bench-import: importing BENCH_ROWS prison release notices (default 100,000).

On a fresh PostgreSQL database (``bench_import``: migrated, reference data loaded), a generated
CSV of BENCH_ROWS valid, distinct people — current and pre-2025 commune names, with and without
diacritics — goes through the same services as the page:

- ``csv``: the dry run (read, find the table, map, check every row, duplicates against the
  registry) then the all-or-nothing import (the rows the dry run kept, duplicates checked again
  inside the transaction, then people, custody records, cases and milestones in bulk);
- ``recheck_after_commit``: a dry run of the same file once imported (every row a duplicate);
- ``xlsx``: the same for BENCH_ROWS other people as an XLSX workbook (read by calamine, formulas
  looked for in the sheet's XML);
- ``xlsx_read``: reading that workbook's values alone, by calamine and by openpyxl's read-only
  mode (the reader it replaced);
- ``baseline_csv_parse``: reading the same CSV with ``csv.reader`` and nothing else, in this run.

Target (DESIGN.md §6, issues 8 and 18): dry run + import ≥ 1,000 rows/s for CSV and for XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_env, database_url, manage  # noqa: E402

FAMILY = ["Lò", "Cầm", "Quàng", "Tòng", "Lường", "Nguyễn", "Hoàng", "Vì", "Giàng", "Sùng"]
GIVEN = ["Văn Pàng", "Văn Ánh", "Thị Hoa", "Văn Nam", "A Dế", "Văn Hùng", "Thị Mai", "Văn Tú"]


def generate(rows: int, communes: list[str], serial_base: int = 990000) -> bytes:
    """Valid, distinct rows; IDs use the demo serial range 99xxxx (recognisably synthetic)."""
    from django.utils import timezone

    from registry.demo import PHONE_PREFIXES
    from registry.imports import TEMPLATE_COLUMNS as COLUMNS

    rng = random.Random(8)  # noqa: S311 (reproducible fake data)
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    serials: dict[tuple, int] = {}
    for _ in range(rows):
        female = rng.random() < 0.1
        year = rng.randint(1960, 2004)
        digit = (year // 100 - 19) * 2 + (1 if female else 0)
        key = (digit, year)
        serial = serials.get(key, 0)
        serials[key] = serial + 1
        province = ["014", "001", "011", "015", "017"][serial // 10000]
        values = {
            "full_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
            "gender": "Nữ" if female else "Nam",
            "date_of_birth": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
            "national_id": f"{province}{digit}{year % 100:02d}{serial_base + serial % 10000:06d}",
            "phone": f"{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}"
            if rng.random() < 0.7
            else "",
            "ethnicity": rng.choice(["Thái", "Kinh", "H'Mông", "Mường"]),
            "address": f"Bản {rng.randint(1, 30)}",
            "commune": rng.choice(communes),
            "release_date": (today + dt.timedelta(days=rng.randint(-30, 80))).strftime("%d/%m/%Y"),
            "release_kind": rng.choice(
                ["Chấp hành xong án phạt tù", "Đặc xá", "", "Hết án", "Tha tù trước thời hạn"]
            ),
            "main_penalty": "Tù có thời hạn",
            "sentence_months": rng.choice(
                ["12", "24", "36", "2 năm 6 tháng", "18 tháng tù", "5 năm", "8 năm 3 tháng"]
            ),
            "offence": rng.choice(["Trộm cắp tài sản", "Tàng trữ trái phép chất ma túy"]),
            "penal_code_articles": rng.choice(["173", "249"]),
            "prison": rng.choice(["Trại giam Yên Hạ", "Trại giam Nà Tấu"]),
        }
        writer.writerow([values.get(c.key, "") for c in COLUMNS])
    return out.getvalue().encode()


def to_xlsx(data: bytes) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for line in csv.reader(io.StringIO(data.decode())):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    rows = int(os.environ.get("BENCH_ROWS", "100000"))
    server = os.environ["BENCH_DATABASE_URL"]
    name = "bench_import"
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    env = bench_env(database_url(server, name))
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference_data", "-v", "0")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from registry.models import (
        AdministrativeUnit,
        Agency,
        Case,
        ImportBatch,
        Membership,
        Person,
        Role,
        User,
    )
    from registry.services.imports import (
        import_batch_check,
        import_batch_commit,
        import_batch_upload,
    )

    chief = User.objects.create(username="bench-import")
    Membership.objects.create(
        user=chief, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    units = AdministrativeUnit.objects.filter(level="commune")
    current = [u.full_name for u in units.filter(unit_list="2025")]
    old_units = list(units.filter(unit_list="pre2025"))
    names = [u.folded_name for u in old_units]
    old = [u.full_name for u in old_units if names.count(u.folded_name) == 1]  # unambiguous
    communes = current + old[:60] + [n.lower() for n in current[:10]]
    data = generate(rows, communes)
    xlsx = to_xlsx(generate(rows, communes, serial_base=980000))  # other people

    started = time.perf_counter()
    for _ in csv.reader(io.StringIO(data.decode())):
        pass
    baseline = time.perf_counter() - started

    def rate(seconds: float) -> float:
        return round(rows / seconds, 1)

    def dry_run(content: bytes, file_name: str) -> tuple[ImportBatch, float]:
        started = time.perf_counter()
        batch = import_batch_upload(actor=chief, file_name=file_name, data=content)
        batch = import_batch_check(actor=chief, batch=batch)
        return batch, time.perf_counter() - started

    def dry_run_and_import(content: bytes, file_name: str) -> dict[str, object]:
        cpu = time.process_time()
        checked, check_seconds = dry_run(content, file_name)
        check_cpu, cpu = time.process_time() - cpu, time.process_time()
        assert checked.status == "checked" and checked.rows_error == 0, (
            checked.refusal,
            checked.problems[:5],
        )
        started = time.perf_counter()
        committed = import_batch_commit(actor=chief, batch=checked)
        commit_seconds = time.perf_counter() - started
        commit_cpu = time.process_time() - cpu
        assert committed.cases_created == checked.rows_new == rows
        return {
            "check": {
                "seconds": round(check_seconds, 2),
                "rows_per_s": rate(check_seconds),
                "python_cpu_seconds": round(check_cpu, 2),
            },
            "commit": {
                "seconds": round(commit_seconds, 2),
                "rows_per_s": rate(commit_seconds),
                "python_cpu_seconds": round(commit_cpu, 2),
            },
            "check_then_commit_rows_per_s": rate(check_seconds + commit_seconds),
            "cases_created": committed.cases_created,
        }

    load_before = os.getloadavg()
    csv_result = dry_run_and_import(data, "bench.csv")
    again, recheck_seconds = dry_run(data, "bench-again.csv")
    xlsx_result = dry_run_and_import(xlsx, "bench.xlsx")

    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).get_sheet_by_index(0).to_python()
    calamine_seconds = time.perf_counter() - started
    started = time.perf_counter()
    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    for _ in book.worksheets[0].iter_rows(values_only=True):
        pass
    openpyxl_seconds = time.perf_counter() - started

    print(
        json.dumps(
            {
                "benchmark": "import_release_notices",
                "rows": rows,
                "file_bytes": {"csv": len(data), "xlsx": len(xlsx)},
                "csv": csv_result,
                "recheck_after_commit": {
                    "seconds": round(recheck_seconds, 2),
                    "rows_per_s": rate(recheck_seconds),
                    "duplicates": again.rows_duplicate,
                    "new": again.rows_new,
                },
                "xlsx": xlsx_result,
                "xlsx_read": {
                    "calamine_seconds": round(calamine_seconds, 2),
                    "openpyxl_read_only_seconds": round(openpyxl_seconds, 2),
                },
                "baseline_csv_parse": {"seconds": round(baseline, 3), "rows_per_s": rate(baseline)},
                # The machine is shared: a load average well above its 2 cores slows every figure.
                "load_average_1min": {
                    "before": round(load_before[0], 1),
                    "after": round(os.getloadavg()[0], 1),
                },
                "people": Person.objects.count(),
                "cases": Case.objects.count(),
                "target_rows_per_s": 1000,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
