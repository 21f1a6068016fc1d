"""Import of prison release notices: the template, the dry run and the commit agree, a second
import of the same file creates nothing, row problems are named by row and column (never by
value), and a corpus of malformed files is refused with its message, the database unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import override_settings

from registry import imports
from registry.errors import ApplicationError
from registry.models import (
    Agency,
    Case,
    CaseMilestone,
    CustodyRecord,
    ImportBatch,
    Membership,
    Person,
    Role,
)
from registry.services.imports import (
    import_batch_check,
    import_batch_commit,
    import_batch_upload,
)
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
RELEASE = (today() + dt.timedelta(days=20)).strftime("%d/%m/%Y")
HEADERS = [c.header for c in imports.TEMPLATE_COLUMNS]


@pytest.fixture
def chief():
    user = factories.UserFactory(username="ca-tinh")
    Membership.objects.create(
        user=user, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    return user


@pytest.fixture
def officer():
    return factories.commune_officer("ca-to-hieu")


def row(**values: str) -> dict[str, str]:
    base = {
        "Họ và tên": "Lò Văn Pàng",
        "Giới tính": "Nam",
        "Ngày sinh": "14/03/1985",
        "Số định danh cá nhân": factories.national_id(1985),
        "Số điện thoại": "0912345678",
        "Dân tộc": "Thái",
        "Địa chỉ cư trú": "Bản Hìn",
        "Xã, phường về cư trú": "Phường Tô Hiệu",
        "Ngày chấp hành xong án": RELEASE,
        "Hình thức": "Chấp hành xong án phạt tù",
        "Hình phạt chính": "Tù có thời hạn",
        "Thời hạn tù": "36",
        "Tội danh": "Trộm cắp tài sản",
        "Điều luật": "173",
        "Trại giam": "Trại giam Yên Hạ",
    }
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], headers: list[str] = HEADERS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], merge: str | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Person, CustodyRecord, Case, CaseMilestone))


def dry_run(actor, data: bytes, name: str = "thong-bao.csv") -> ImportBatch:
    batch = import_batch_upload(actor=actor, file_name=name, data=data)
    if batch.status == ImportBatch.Status.UPLOADED:
        batch = import_batch_check(actor=actor, batch=batch)
    return batch


class DryRunAndCommitTests:
    def test_dry_run_and_import_agree_and_a_second_import_creates_nothing(self, chief) -> None:
        registered = factories.make_person(
            chief, national_id=factories.national_id(1990), date_of_birth=dt.date(1990, 6, 1)
        )
        rows = [
            row(),
            row(
                **{
                    "Họ và tên": "Cầm Thị Hoa",
                    "Giới tính": "Nữ",
                    "Ngày sinh": "02/02/1992",
                    "Số định danh cá nhân": factories.national_id(1992, "female"),
                }
            ),
            # a pre-2025 commune name, without diacritics: merged into Phường Chiềng An
            row(
                **{
                    "Họ và tên": "Quàng Văn Ánh",
                    "Ngày sinh": "",
                    "Năm sinh": "1980",
                    "Số định danh cá nhân": factories.national_id(1980),
                    "Xã, phường về cư trú": "xa chieng xom",
                }
            ),
            row(
                **{
                    "Họ và tên": "Vì Văn Nam",
                    "Số định danh cá nhân": "",
                    "Số điện thoại": "",
                    "Ngày sinh": "01/01/1979",
                    "Xã, phường về cư trú": "Mường Lạn",
                }
            ),
            row(**{"Số định danh cá nhân": registered.national_id, "Ngày sinh": "01/06/1990"}),
        ]
        data = csv_bytes(rows)
        before = counts()
        batch = dry_run(chief, data)
        assert batch.status == "checked", batch.refusal
        assert (batch.rows_total, batch.rows_new, batch.rows_duplicate, batch.rows_error) == (
            5,
            4,
            1,
            0,
        )
        assert counts() == before  # a dry run writes nothing but the log
        assert batch.problems == [
            {
                "row": 6,
                "column": "",
                "kind": "duplicate",
                "message": "Đã có trong sổ theo dõi (trùng số định danh).",
            }
        ]
        committed = import_batch_commit(actor=chief, batch=batch)
        assert committed.status == "committed" and committed.cases_created == 4
        assert committed.rows_new == batch.rows_new  # the commit did what the dry run said
        assert counts() == tuple(n + 4 for n in before)
        assert committed.content is None  # the file is erased once imported
        cases = Case.objects.filter(person__full_name__in=["Lò Văn Pàng", "Quàng Văn Ánh"])
        assert {c.commune.name for c in cases} == {"Tô Hiệu", "Chiềng An"}
        case = Case.objects.get(person__full_name="Cầm Thị Hoa")
        assert case.status == "expected" and case.address_check_due > today()
        assert case.custody_record.offence == "Trộm cắp tài sản"
        assert case.custody_record.expungement_eligible_date is not None
        assert case.person.phone == "+84912345678" and case.person.gender == "female"
        assert case.milestones.get().kind == "notice_received"

        again = dry_run(chief, data)
        assert (again.rows_new, again.rows_duplicate, again.rows_error) == (0, 5, 0)
        import_batch_commit(actor=chief, batch=again)
        assert counts() == tuple(n + 4 for n in before)

    def test_row_problems_name_the_row_and_column_not_the_value(self, chief) -> None:
        rows = [
            row(**{"Số định danh cá nhân": "014185999999"}),  # century digit says 2085
            row(**{"Ngày chấp hành xong án": "31/02/2026"}),
            row(**{"Xã, phường về cư trú": "Xã Không Có"}),
            row(**{"Họ và tên": ""}),
            row(**{"Số điện thoại": "0241234567"}),  # a landline
            row(**{"Giới tính": "không rõ"}),
        ]
        valid = row()
        rows += [valid, dict(valid, **{"Họ và tên": "Lò Văn Khác"})]  # the same ID twice
        before = counts()
        batch = dry_run(chief, csv_bytes(rows))
        assert batch.status == "checked" and batch.rows_error == 7 and batch.rows_new == 1
        by_row = {}
        for problem in batch.problems:
            by_row.setdefault(problem["row"], []).append(problem["column"])
        assert by_row[2] == ["Số định danh cá nhân"]
        assert by_row[3] == ["Ngày chấp hành xong án"]
        assert by_row[4] == ["Xã, phường về cư trú"]
        assert "Họ và tên" in by_row[5]
        assert by_row[6] == ["Số điện thoại"]
        assert "Giới tính" in by_row[7]
        assert 8 not in by_row
        assert by_row[9] == ["Cả dòng"]  # "the same person as row 8"
        assert "dòng 8" in batch.problems[-1]["message"]
        text = str(batch.problems)
        assert "014185999999" not in text and "0241234567" not in text  # no values in the log
        with pytest.raises(ApplicationError, match="dòng lỗi"):
            import_batch_commit(actor=chief, batch=batch)
        assert counts() == before

    def test_a_commune_officer_imports_only_for_their_commune(self, officer) -> None:
        batch = dry_run(
            officer,
            csv_bytes(
                [
                    row(),
                    row(
                        **{
                            "Xã, phường về cư trú": "Mường Lạn",
                            "Số định danh cá nhân": factories.national_id(1985),
                        }
                    ),
                ]
            ),
        )
        assert batch.rows_new == 1 and batch.rows_error == 1
        assert batch.problems[0]["message"] == "Bạn không phụ trách xã, phường này."

    def test_excel_numbers_dates_and_a_guessed_mapping(self, chief) -> None:
        national_id = factories.national_id(1985)
        headers = [
            "STT",
            "Ho ten",
            "Gioi tinh",
            "Ngay sinh",
            "So CCCD",
            "SDT",
            "Xa phuong",
            "Ngay ra trai",
            "Thoi han tu",
        ]
        values = [
            1,
            "Lò Văn Pàng",
            "nam",
            dt.datetime.combine(dt.date(1985, 3, 14), dt.time()),
            int(national_id),
            912345678,
            "Tô Hiệu",
            dt.datetime.combine(today() + dt.timedelta(days=10), dt.time()),
            24,
        ]
        batch = dry_run(chief, xlsx_bytes([headers, values]), "danh-sach.xlsx")
        assert batch.status == "checked" and batch.rows_new == 1, batch.problems
        import_batch_commit(actor=chief, batch=batch)
        person = Person.objects.get(full_name="Lò Văn Pàng")
        assert person.national_id == national_id  # the leading zero Excel dropped is back
        assert person.phone == "+84912345678"

    def test_template_columns_are_recognised(self, chief) -> None:
        names = imports.Vocabulary.load().names
        for name, data in (
            ("mau.csv", imports.template_csv()),
            ("mau.xlsx", imports.template_xlsx()),
        ):
            sheet = imports.read_file(name, data, names=names)
            assert sheet.layout["header_rows"] == [1] and sheet.numbers == [2]
            assert imports.guess_mapping(sheet.headers, names) == {
                c.key: i for i, c in enumerate(imports.TEMPLATE_COLUMNS)
            }
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(imports.template_xlsx())).active
        assert [c.value for c in sheet[1]] == HEADERS

    def test_the_command_dry_run_then_commit(self, chief, tmp_path, capsys) -> None:
        path = tmp_path / "thong-bao.csv"
        path.write_bytes(
            csv_bytes([row(), row(**{"Số định danh cá nhân": factories.national_id(1985)})])
        )
        before = counts()
        call_command("import_release_notices", str(path), "--user", "ca-tinh")
        assert "2 mới" in capsys.readouterr().out and counts() == before
        call_command("import_release_notices", str(path), "--user", "ca-tinh", "--commit")
        assert "Đã nhập 2 hồ sơ" in capsys.readouterr().out
        assert counts() == tuple(n + 2 for n in before)


def _tcvn3(data: bytes) -> bytes:
    """The rows as typed with an old TCVN3 (.VnTime) font, saved as UTF-8: Windows-1258 is
    read since issue 18 (tests/registry/test_import_corpus.py), TCVN3 is refused."""
    from tests.registry.import_corpus import tcvn3

    return tcvn3(data.decode()).encode()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    return out.getvalue()


def _with_macro() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADERS])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"macro")
    return out.getvalue()


VALID = row()
CORPUS = [
    ("tcvn3.csv", lambda: _tcvn3(csv_bytes([VALID, VALID, VALID])), "TCVN3"),
    ("utf-8-broken.csv", lambda: csv_bytes([VALID]) + b"\xff\xfe\x00", "không phải văn bản"),
    ("merged.xlsx", lambda: xlsx_bytes([HEADERS, list(VALID.values())], merge="A2:B2"), "ô gộp"),
    (
        "formula.xlsx",
        lambda: xlsx_bytes([HEADERS, ["=1+2", *list(VALID.values())[1:]]]),
        "công thức",
    ),
    ("equals.csv", lambda: csv_bytes([row(**{"Họ và tên": '=HYPERLINK("http://x")'})]), "“=”"),
    ("at.csv", lambda: csv_bytes([row(**{"Tội danh": "@SUM(A1)"})]), "“@”"),
    ("plus.csv", lambda: csv_bytes([row(**{"Địa chỉ cư trú": "+cmd|' /C calc'!A0"})]), "“+”"),
    ("minus.csv", lambda: csv_bytes([row(**{"Trại giam": "-2+3"})]), "“-”"),
    ("header.csv", lambda: csv_bytes([VALID], headers=["=cmd", *HEADERS[1:]]), "“=”"),
    ("zip-bomb.xlsx", _zip_bomb, "bom zip"),
    ("not-a-zip.xlsx", lambda: b"PK\x03\x04" + b"garbage" * 100, "hỏng"),
    ("renamed.xlsx", lambda: b"\x89PNG\r\n" + b"x" * 100, "hỏng"),
    ("old.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ("macro.xlsx", _with_macro, "macro"),
    ("binary.csv", lambda: b"a,b\n\x00\x01\x02", "không phải văn bản"),
    ("quotes.csv", lambda: ",".join(HEADERS).encode() + b'\n"Lo Van,Nam\n', "hỏng ở dòng"),
    ("empty.csv", lambda: b"   \n", "rỗng"),
    ("header-only.csv", lambda: ",".join(HEADERS).encode() + b"\n", "không có dòng dữ liệu"),
    ("photo.jpg", lambda: b"\xff\xd8\xff" + b"x" * 50, "Chỉ nhận"),
]


class MalformedFileTests:
    @pytest.mark.parametrize("name,build,message", CORPUS, ids=[c[0] for c in CORPUS])
    def test_refused_with_its_message_and_nothing_written(
        self, chief, name, build, message
    ) -> None:
        if name == "not-a-zip.xlsx":
            pytest.importorskip("openpyxl")
        before = counts()
        batch = dry_run(chief, build(), name)
        assert batch.status == "refused", (batch.status, batch.problems)
        assert message in batch.refusal
        assert batch.content is None  # a refused file is not kept
        assert counts() == before
        with pytest.raises(ApplicationError):
            import_batch_commit(actor=chief, batch=batch)
        assert counts() == before

    @override_settings(IMPORT_MAX_BYTES=10_000)
    def test_a_huge_file(self, chief) -> None:
        before = counts()
        batch = dry_run(chief, csv_bytes([row() for _ in range(60)]))
        assert batch.status == "refused" and "Tệp quá lớn" in batch.refusal
        assert counts() == before

    @override_settings(IMPORT_MAX_ROWS=3)
    def test_too_many_rows(self, chief) -> None:
        batch = dry_run(chief, csv_bytes([row() for _ in range(5)]))
        assert batch.status == "refused" and "tối đa 3 dòng" in batch.refusal


class PageTests:
    def test_upload_dry_run_commit_through_the_pages(
        self, client, officer, django_capture_on_commit_callbacks
    ) -> None:
        factories.sign_in(client, officer)
        assert client.get("/imports/").status_code == 200
        template = client.get("/imports/template.xlsx")
        assert template.status_code == 200 and template.content[:2] == b"PK"
        upload = io.BytesIO(csv_bytes([row()]))
        upload.name = "thong-bao.csv"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/", {"file": upload})
        assert response.status_code == 302
        page = client.get(response["Location"])
        html = page.content.decode()
        assert 'data-status="checked"' in html and "Nhập 1 người vào sổ theo dõi" in html
        batch = ImportBatch.objects.get()
        before = counts()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/imports/{batch.uuid}/commit/").status_code == 302
            assert client.post(f"/imports/{batch.uuid}/commit/").status_code == 302  # twice
        batch.refresh_from_db()
        assert batch.status == "committed" and counts() == tuple(n + 1 for n in before)

    def test_other_users_batches_answer_404_and_other_roles_403(
        self, client, officer, chief
    ) -> None:
        batch = dry_run(chief, csv_bytes([row()]))
        factories.sign_in(client, officer)
        assert client.get(f"/imports/{batch.uuid}/").status_code == 404
        assert client.post(f"/imports/{batch.uuid}/commit/").status_code == 404
        auditor = factories.UserFactory(username="kiem-tra")
        Membership.objects.create(
            user=auditor, role=Role.AUDITOR, agency=Agency.objects.get(code="cong-an-tinh")
        )
        client.logout()
        factories.sign_in(client, auditor)
        assert client.get("/imports/").status_code == 403

    def test_remapping_columns_on_the_page(
        self, client, chief, django_capture_on_commit_callbacks
    ) -> None:
        factories.sign_in(client, chief)
        data = csv_bytes([row()]).replace("Xã, phường về cư trú".encode(), "Nơi về".encode())
        upload = io.BytesIO(data)
        upload.name = "thong-bao.csv"
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/imports/", {"file": upload})
        batch = ImportBatch.objects.get()
        assert batch.status == "checked" and batch.rows_error == 1
        assert "Không tìm thấy cột bắt buộc cho “Xã, phường về cư trú”" in batch.refusal
        assert "“Nơi về”" in batch.refusal  # the headers that were seen
        page = client.get(f"/imports/{batch.uuid}/").content.decode()
        assert 'name="map-commune"' in page and "Nơi về" in page
        mapping = {f"map-{key}": str(index) for key, index in batch.mapping.items()}
        mapping["map-commune"] = str(HEADERS.index("Xã, phường về cư trú"))
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/imports/{batch.uuid}/recheck/", mapping).status_code == 302
        batch.refresh_from_db()
        assert batch.status == "checked" and batch.rows_new == 1 and batch.refusal == ""
