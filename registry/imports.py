"""Reading prison release notices from CSV and XLSX files, as prisons send them: the file checks,
the column mapping and the check of each row. Reads only; ``registry.services.imports`` writes.

A file is refused as a whole (``FileRefused``, a Vietnamese message, nothing written) when it
cannot be read safely: too large, not UTF-8/UTF-16 text, not a real XLSX, a zip bomb, merged
cells, formulas, or a cell that a spreadsheet would run as a formula (starting with ``=``, ``@``,
or ``+``/``-`` followed by anything but a number). Every other problem belongs to a row and is
reported with the row number and the column name — never with the value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from registry import validation
from registry.errors import ApplicationError
from registry.models import AdministrativeUnit, CustodyRecord
from registry.selectors import UnitMatcher
from registry.services.people import _clean_custody, _clean_person  # the form's own checks

U = AdministrativeUnit


class FileRefused(Exception):  # noqa: N818 (a refusal, not a programming error)
    """The whole file is refused; ``str(error)`` is the Vietnamese message for the user."""


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header of the template
    required: bool = False
    aliases: tuple[str, ...] = ()
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", True, ("ho ten", "ten", "ho va ten pham nhan"), "Lò Văn Pàng"),
    Column("gender", "Giới tính", True, ("gioi", "nam/nu"), "Nam"),
    Column("date_of_birth", "Ngày sinh", False, ("ngay thang nam sinh",), "14/03/1985"),
    Column("birth_year", "Năm sinh", False, (), ""),
    Column(
        "national_id",
        "Số định danh cá nhân",
        False,
        ("so dinh danh", "so can cuoc", "so cccd", "cccd", "so cmnd", "can cuoc cong dan"),
        "014085012345",
    ),
    Column("phone", "Số điện thoại", False, ("dien thoai", "sdt"), "0912345678"),
    Column("ethnicity", "Dân tộc", False, (), "Thái"),
    Column(
        "address",
        "Địa chỉ cư trú",
        False,
        ("dia chi", "noi cu tru", "dia chi ve cu tru"),
        "Bản Hìn",
    ),
    Column(
        "commune",
        "Xã, phường về cư trú",
        True,
        ("xa phuong", "xa", "phuong", "xa, phuong", "xa/phuong", "noi ve cu tru xa"),
        "Phường Tô Hiệu",
    ),
    Column("district", "Huyện (trước 01/07/2025)", False, ("huyen", "huyen cu"), ""),
    Column(
        "release_date",
        "Ngày chấp hành xong án",
        True,
        ("ngay ra trai", "ngay het an"),
        "20/12/2026",
    ),
    Column(
        "release_kind",
        "Hình thức",
        False,
        ("hinh thuc ra trai", "dien ra trai"),
        "Chấp hành xong án phạt tù",
    ),
    Column("main_penalty", "Hình phạt chính", False, ("hinh phat",), "Tù có thời hạn"),
    Column("sentence_months", "Thời hạn tù (tháng)", False, ("thoi han tu", "so thang tu"), "36"),
    Column("offence", "Tội danh", False, ("toi",), "Tàng trữ trái phép chất ma túy"),
    Column("penal_code_articles", "Điều luật", False, ("dieu", "dieu luat ap dung"), "249"),
    Column("court", "Tòa án xét xử", False, ("toa an",), "Tòa án nhân dân tỉnh Sơn La"),
    Column("judgment_number", "Số bản án", False, (), "123/2022/HS-ST"),
    Column("judgment_date", "Ngày bản án", False, (), "10/05/2022"),
    Column("prison", "Trại giam", False, ("trai", "noi chap hanh an"), "Trại giam Yên Hạ"),
    Column("certificate_number", "Số giấy chứng nhận", False, ("so gcn",), "456/GCN"),
    Column("certificate_date", "Ngày cấp giấy chứng nhận", False, ("ngay cap gcn",), "20/12/2026"),
    Column("reporting_deadline", "Hạn trình diện", False, ("han trinh dien",), ""),
    Column("notice_received_on", "Ngày nhận thông báo", False, ("ngay thong bao",), ""),
)
BY_KEY = {column.key: column for column in COLUMNS}


def _folded_header(text: str) -> str:
    return re.sub(r"[^a-z0-9/,]+", " ", validation.fold(str(text or ""))).strip(" ,")


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """Field key → column index, matching headers without diacritics, case or punctuation."""
    names: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            names.setdefault(_folded_header(name), column.key)
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = names.get(_folded_header(header))
        if key is not None and key not in mapping:
            mapping[key] = index
    return mapping


def mapping_problems(mapping: dict[str, int], headers: list[str]) -> list[str]:
    problems = [
        _("Chưa chọn cột cho “%(c)s”.") % {"c": column.header}
        for column in COLUMNS
        if column.required and column.key not in mapping
    ]
    if (
        "national_id" not in mapping
        and "date_of_birth" not in mapping
        and "birth_year" not in mapping
    ):
        problems.append(_("Cần ít nhất một trong các cột: số định danh, ngày sinh hoặc năm sinh."))
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in BY_KEY or not 0 <= index < len(headers):
            problems.append(_("Ghép cột không hợp lệ."))
        elif index in used:
            problems.append(_("Cột “%(h)s” được chọn cho hai thông tin.") % {"h": headers[index]})
        used[index] = key
    return problems


# --- reading the file ----------------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[Any]]  # values as read: str, or date / number from XLSX
    first_row_number: int = 2  # the spreadsheet row of rows[0] (the header is row 1)


_NUMBER_LIKE = re.compile(r"[+-][\d\s().-]*")


def _check_cell(value: Any, row: int, column: int) -> None:
    if not isinstance(value, str) or not value:
        return
    start = value[0]
    dangerous = start in "=@" or (start in "+-" and not _NUMBER_LIKE.fullmatch(value))
    if dangerous:
        raise FileRefused(
            _(
                "Ô %(cell)s bắt đầu bằng “%(c)s”: bảng tính có thể hiểu là công thức. Tệp bị từ "
                "chối để an toàn; hãy xóa ký tự đó hoặc nhập nội dung dưới dạng văn bản."
            )
            % {"cell": _cell_name(row, column), "c": start}
        )


def _cell_name(row: int, column: int) -> str:
    letters, n = "", column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def read_file(name: str, data: bytes) -> Sheet:
    """The header and rows of a CSV or XLSX file, or FileRefused with the reason."""
    check_size(data)
    kind = file_kind(name, data)
    sheet = _read_xlsx(data) if kind == "xlsx" else _read_csv(data)
    if not sheet.headers or not any(str(h or "").strip() for h in sheet.headers):
        raise FileRefused(_("Dòng đầu tiên của tệp phải là tên các cột."))
    if not sheet.rows:
        raise FileRefused(_("Tệp không có dòng dữ liệu nào dưới dòng tên cột."))
    if len(sheet.rows) > settings.IMPORT_MAX_ROWS:
        raise FileRefused(
            _("Tệp có %(n)s dòng, tối đa %(max)s dòng một lần nhập. Hãy chia thành nhiều tệp.")
            % {
                "n": f"{len(sheet.rows):,}".replace(",", "."),
                "max": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", "."),
            }
        )
    return sheet


def check_size(data: bytes) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(
            _("Tệp quá lớn (%(size)s MB, tối đa %(max)s MB). Hãy chia thành nhiều tệp.")
            % {"size": round(len(data) / 1e6, 1), "max": round(limit / 1e6)}
        )
    if not data.strip():
        raise FileRefused(_("Tệp rỗng."))


def file_kind(name: str, data: bytes) -> str:
    lower = name.lower()
    if data[:4] == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        if not lower.endswith(".xlsx"):
            raise FileRefused(_("Chỉ nhận tệp .xlsx (Excel) hoặc .csv."))
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or lower.endswith(".xls"):
        raise FileRefused(
            _("Tệp Excel cũ (.xls) chưa được hỗ trợ: hãy lưu lại dưới dạng .xlsx hoặc CSV UTF-8.")
        )
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise FileRefused(_("Chỉ nhận tệp .xlsx (Excel) hoặc .csv."))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise FileRefused(
        _(
            "Tệp CSV không dùng bảng mã UTF-8 (có thể là Windows-1258 hoặc TCVN3), nên chữ có dấu "
            "sẽ bị sai. Trong Excel hãy chọn Lưu thành → “CSV UTF-8 (Comma delimited)”."
        )
    )


def _read_csv(data: bytes) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_("Tệp không phải văn bản CSV."))
    text = _decode(data)
    if "\x00" in text:
        raise FileRefused(_("Tệp không phải văn bản CSV."))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    rows: list[list[Any]] = []
    try:
        headers = next(reader, [])
        for index, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            for column, cell in enumerate(row):
                _check_cell(cell, index, column)
            rows.append(row)
            if len(rows) > settings.IMPORT_MAX_ROWS:
                break
    except csv.Error as error:
        raise FileRefused(
            _("Tệp CSV bị hỏng ở dòng %(n)s (dấu ngoặc kép hoặc dấu phân cách sai).")
            % {"n": reader.line_num}
        ) from error
    for column, header in enumerate(headers):
        _check_cell(header, 1, column)
    return Sheet([h.strip() for h in headers], rows)


def _check_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRefused(_("Tệp .xlsx bị hỏng hoặc không phải tệp Excel.")) from error
    total = sum(entry.file_size for entry in entries)
    worst = max((entry.file_size / max(entry.compress_size, 1) for entry in entries), default=0)
    if (
        len(entries) > 2000
        or total > settings.IMPORT_MAX_UNZIPPED_BYTES
        or worst > settings.IMPORT_MAX_ZIP_RATIO
    ):
        raise FileRefused(
            _(
                "Tệp .xlsx giải nén ra quá lớn so với dung lượng (%(size)s MB): có thể là tệp độc "
                "hại (“bom zip”). Tệp bị từ chối."
            )
            % {"size": round(total / 1e6, 1)}
        )
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefused(_("Tệp .xlsx bị hỏng hoặc không phải tệp Excel."))
    if any(n.startswith("xl/macrosheets/") or n.endswith("vbaProject.bin") for n in names):
        raise FileRefused(_("Tệp có macro: không được nhận. Hãy lưu lại dưới dạng .xlsx thường."))
    return archive


def _read_xlsx(data: bytes) -> Sheet:
    archive = _check_zip(data)
    for entry in archive.infolist():
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            with archive.open(entry) as stream:
                tail = b""
                for chunk in iter(lambda s=stream: s.read(1 << 20), b""):
                    if b"<mergeCell " in tail + chunk or b"<x:mergeCell " in tail + chunk:
                        raise FileRefused(
                            _(
                                "Bảng tính có ô gộp (merged cells): mỗi người phải nằm trên một "
                                "dòng, mỗi thông tin một cột. Hãy bỏ gộp ô rồi tải lại."
                            )
                        )
                    tail = chunk[-16:]
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileRefused(_("Tệp .xlsx bị hỏng hoặc không phải tệp Excel.")) from error
    try:
        sheet = book.worksheets[0]
        # Read-only mode without data_only gives a formula as its text ("=SUM(A1)").
        rows_iter: Iterator[tuple] = sheet.iter_rows(values_only=True)
        headers: list[str] = []
        rows: list[list[Any]] = []
        for index, values in enumerate(rows_iter, start=1):
            for column, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    raise FileRefused(
                        _(
                            "Ô %(cell)s chứa công thức. Hãy sao chép rồi “dán giá trị” (Paste "
                            "Values) để bỏ công thức, rồi tải lại."
                        )
                        % {"cell": _cell_name(index, column)}
                    )
                _check_cell(value, index, column)
            if index == 1:
                headers = ["" if v is None else str(v).strip() for v in values]
                continue
            if any(v is not None and str(v).strip() for v in values):
                rows.append(list(values))
            if len(rows) > settings.IMPORT_MAX_ROWS:
                break
    finally:
        book.close()
    return Sheet(headers, rows)


# --- checking rows -------------------------------------------------------------------------------


@dataclass
class CheckedRow:
    number: int  # the spreadsheet row
    person: dict[str, Any] = field(default_factory=dict)
    custody: dict[str, Any] = field(default_factory=dict)
    commune: AdministrativeUnit | None = None
    notice_received_on: dt.date | None = None
    reporting_deadline: dt.date | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, message)
    duplicate: str = ""  # why it is a duplicate (then it is skipped)


_GENDERS = {
    "nam": "male",
    "male": "male",
    "m": "male",
    "nu": "female",
    "female": "female",
    "f": "female",
}
_RELEASE_KINDS = {
    validation.fold(str(label)): value for value, label in CustodyRecord.ReleaseKind.choices
}
_RELEASE_KINDS.update(
    {"dac xa": "amnesty", "tha tu truoc thoi han": "conditional", "": "completed"}
)
_PENALTIES = {
    validation.fold(str(label)): value for value, label in CustodyRecord.PenaltyKind.choices
}
_PENALTIES.update({"tu": "prison", "": "prison"})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = _DMY.fullmatch(text) or _YMD.fullmatch(text)
    if match is not None:
        parts = [int(p) for p in match.groups()]
        day, month, year = parts if match.re is _DMY else reversed(parts)
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValidationError(_("Ngày không đúng dạng ngày/tháng/năm (ví dụ 20/12/2026)."))


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _int(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(_("Phải là một số nguyên."))
    return int(text)


def _national_id(value: Any) -> str:
    if isinstance(value, int | float):  # a number in Excel lost its leading zeros
        return f"{int(value):012d}"
    return _text(value)


def _phone(value: Any) -> str:
    if isinstance(value, int | float):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    return _text(value)


class RowChecker:
    """Checks rows one by one with everything they need read once: units, expungement periods."""

    def __init__(self, mapping: dict[str, int], *, allowed_units: set[int] | None) -> None:
        self.mapping = mapping
        self.units = UnitMatcher()
        self.allowed_units = allowed_units  # None: any commune (provincial import)
        self.today = validation.today()

    def _get(self, row: list[Any], key: str) -> Any:
        index = self.mapping.get(key)
        return row[index] if index is not None and index < len(row) else None

    def check(self, number: int, row: list[Any]) -> CheckedRow:
        result = CheckedRow(number)
        header = lambda key: BY_KEY[key].header  # noqa: E731

        def parse(key: str, convert):  # type: ignore[no-untyped-def]
            try:
                return convert(self._get(row, key))
            except ValidationError as error:
                result.errors.append((header(key), " ".join(error.messages)))
                return None

        gender_text = validation.fold(_text(self._get(row, "gender")))
        person = {
            "full_name": _text(self._get(row, "full_name")),
            "gender": _GENDERS.get(gender_text, gender_text),
            "date_of_birth": parse("date_of_birth", _date),
            "birth_year": parse("birth_year", _int),
            "national_id": _national_id(self._get(row, "national_id")) or None,
            "phone": _phone(self._get(row, "phone")) or None,
            "address": _text(self._get(row, "address")) or None,
            "ethnicity": _text(self._get(row, "ethnicity")) or None,
        }
        try:
            result.person = _clean_person(person)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = {"date_of_birth": "date_of_birth"}.get(name, name)
                label = header(key) if key in BY_KEY else name
                result.errors.extend((label, message) for message in messages)
        commune_text = _text(self._get(row, "commune"))
        if not commune_text:
            result.errors.append((header("commune"), _("Chưa ghi xã, phường về cư trú.")))
        else:
            try:
                result.commune = self.units.responsible_today(
                    commune=commune_text, district=_text(self._get(row, "district")) or None
                )
            except ApplicationError as error:
                result.errors.append((header("commune"), error.message))
            if (
                result.commune is not None
                and self.allowed_units is not None
                and result.commune.pk not in self.allowed_units
            ):
                result.errors.append((header("commune"), _("Bạn không phụ trách xã, phường này.")))
        kind_text = validation.fold(_text(self._get(row, "release_kind")))
        penalty_text = validation.fold(_text(self._get(row, "main_penalty")))
        custody = {
            "release_date": parse("release_date", _date),
            "release_kind": _RELEASE_KINDS.get(kind_text, kind_text),
            "main_penalty": _PENALTIES.get(penalty_text, penalty_text),
            "sentence_months": parse("sentence_months", _int),
            "offence": _text(self._get(row, "offence")) or None,
            "penal_code_articles": _text(self._get(row, "penal_code_articles")) or None,
            "court": _text(self._get(row, "court")) or None,
            "judgment_number": _text(self._get(row, "judgment_number")) or None,
            "judgment_date": parse("judgment_date", _date),
            "prison": _text(self._get(row, "prison")) or None,
            "certificate_number": _text(self._get(row, "certificate_number")) or None,
            "certificate_date": parse("certificate_date", _date),
        }
        result.notice_received_on = parse("notice_received_on", _date) or self.today
        result.reporting_deadline = parse("reporting_deadline", _date)
        if result.notice_received_on > self.today:
            result.errors.append(
                (header("notice_received_on"), _("Ngày nhận thông báo không được ở tương lai."))
            )
        if custody["release_date"] is None and not any(
            label == header("release_date") for label, _m in result.errors
        ):
            result.errors.append((header("release_date"), _("Chưa ghi ngày chấp hành xong án.")))
        elif custody["release_date"] is not None:
            subject = _Subject(result.person.get("birth_year"), result.person.get("date_of_birth"))
            try:
                _clean_custody(subject, custody)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    label = header(name) if name in BY_KEY else name
                    result.errors.extend((label, message) for message in messages)
        result.custody = custody
        return result


@dataclass(frozen=True)
class _Subject:
    """What the custody checks read of the person, before the person exists."""

    birth_year: int | None
    date_of_birth: dt.date | None


# --- the template --------------------------------------------------------------------------------

TEMPLATE_NOTE = (
    "Mỗi người một dòng; ngày ghi ngày/tháng/năm; số định danh 12 chữ số ghi dạng văn bản; "
    "xã, phường ghi theo danh mục hiện hành hoặc tên cũ kèm huyện cũ. Dòng ví dụ là dữ liệu giả: "
    "hãy xóa trước khi nhập."
)


def template_csv() -> bytes:
    """The template as CSV UTF-8 with a byte-order mark (so that Excel shows the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Thong bao tra tu"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="A40000" if column.required else "000000")
        example = sheet.cell(row=2, column=index, value=column.example or None)
        example.number_format = "@"  # text: keeps the leading zeros of IDs and phones
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 2)
    sheet.cell(row=1, column=1).comment = Comment(TEMPLATE_NOTE, "Con đường hướng thiện")
    for row in sheet.iter_rows(min_row=3, max_row=500):
        for cell in row:
            cell.number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
