"""Reading an uploaded file into a grid of cells, or refusing it whole.

CSV: the encoding is read from its byte-order mark, else tried as UTF-8, else detected among the
encodings a Vietnamese office produces (UTF-16 without a mark, Windows-1258) with
charset-normalizer; a person may overrule it. Text is NFC-composed (Windows-1258 writes tone
marks as combining characters, a Mac decomposes), and text typed in the old TCVN3 (ABC) or VNI
font encodings is recognised and refused with the way to convert it — no maintained decoder of
those exists for Python.

XLSX: checked as a zip first (size, ratio, macros), read by calamine (Rust) for the values and the
merged ranges; formulas, which calamine reads as their cached value, are found by a pass over the
sheet's XML. Cells are NFC-composed where they are read.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from registry.models import ImportEncoding


class FileRefused(Exception):  # noqa: N818 (a refusal, not a programming error)
    """The whole file is refused; ``str(error)`` is the Vietnamese message for the user."""


class EncodingFailed(FileRefused):
    """The encoding a person chose does not read the file: they may choose another."""


ENCODING_LABELS = dict(ImportEncoding.choices)
DELIMITERS = (",", ";", "\t")


@dataclass
class Grid:
    """Every row of the file's first sheet from row 1 (``rows[0]``), cells as read: text, or a
    number, date or boolean from XLSX (empty cells ``""``)."""

    rows: list[list[Any]]
    kind: str  # csv | xlsx
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based, inclusive
    formulas: list[tuple[int, int]] = field(default_factory=list)  # 0-based (row, column)
    encoding: str = ""  # CSV: the encoding read with
    encoding_detected: str = ""
    delimiter: str = ""


def cell_name(row: int, column: int) -> str:
    """Spreadsheet address of 1-based ``row`` and 0-based ``column`` ("B7")."""
    letters, n = "", column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


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
            _("Tệp Excel cũ (.xls) chưa được hỗ trợ: hãy lưu lại dưới dạng .xlsx hoặc CSV.")
        )
    if lower.endswith((".csv", ".txt")):
        return "csv"
    raise FileRefused(_("Chỉ nhận tệp .xlsx (Excel) hoặc .csv."))


# --- CSV ---------------------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_DETECTABLE = ["utf_16_le", "utf_16_be", "cp1258"]  # charset-normalizer's names
_SAMPLE = 256 * 1024


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes (one of ``ImportEncoding``), or FileRefused."""
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:_SAMPLE]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a mark: every other byte
        odd = sample[1::2].count(b"\x00")
        return "utf-16-le" if odd >= sample[0::2].count(b"\x00") else "utf-16-be"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=_DETECTABLE).best()
    if best is not None and best.encoding in _DETECTABLE:
        return best.encoding.replace("_", "-")
    raise FileRefused(
        _(
            "Không nhận ra bảng mã của tệp CSV (không phải UTF-8, UTF-16 hay Windows-1258). "
            "Trong Excel hãy chọn Lưu thành → “CSV UTF-8 (Comma delimited)”."
        )
    )


def decode_csv(data: bytes, chosen: str = "") -> tuple[str, str, str]:
    """(text, encoding used, encoding detected): NFC text without the byte-order mark."""
    head = data[:4096]
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") >= len(head) // 4
    if b"\x00" in head and not utf16:
        raise FileRefused(_("Tệp không phải văn bản CSV."))
    try:
        detected = detect_encoding(data)
    except FileRefused:
        if not chosen:
            raise
        detected = ""
    encoding = chosen or detected
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        if chosen:
            raise EncodingFailed(
                _(
                    "Tệp không đọc được bằng bảng mã %(encoding)s đã chọn (có byte không hợp lệ "
                    "ở vị trí %(at)s). Hãy chọn bảng mã khác hoặc để hệ thống tự nhận biết."
                )
                % {"encoding": ENCODING_LABELS.get(encoding, encoding), "at": _at(error)}
            ) from error
        raise FileRefused(
            _("Tệp CSV lẫn nhiều bảng mã: không đọc được bằng %(encoding)s.")
            % {"encoding": ENCODING_LABELS.get(encoding, encoding)}
        ) from error
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise FileRefused(_("Tệp không phải văn bản CSV."))
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    check_legacy_font(text[: 2 * _SAMPLE])
    return text, encoding, detected


def _at(error: Exception) -> str:
    return str(getattr(error, "start", "?"))


# Letters and signs Vietnamese never writes but text typed in the TCVN3 (ABC) or VNI font
# encodings shows once read as Unicode: "Lß V¨n Pµng" (TCVN3), "Loø Vaên Paøng" (VNI).
_LEGACY = re.compile(
    "[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce\u00cf\u00d1\u00d6-\u00d8\u00db\u00dc\u00de\u00df"
    "\u00e4-\u00e7\u00eb\u00ee\u00ef\u00f1\u00f6-\u00f8\u00fb\u00fc\u00fe\u00ff]"
)


def check_legacy_font(text: str) -> None:
    """Refuse text typed in a pre-Unicode Vietnamese font encoding (TCVN3, VNI)."""
    if text.isascii():
        return
    suspicious = len(_LEGACY.findall(text))
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if suspicious >= 5 and suspicious * 5 >= non_ascii:
        raise FileRefused(
            _(
                "Chữ trong tệp có vẻ được gõ bằng bảng mã cũ TCVN3 (ABC, phông .VnTime) hoặc VNI "
                "(phông VNI-Times), không phải Unicode. Hãy chuyển sang Unicode (ví dụ Unikey → "
                "Công cụ chuyển mã, nguồn TCVN3 hoặc VNI Windows, đích Unicode) rồi tải lại."
            )
        )


def parse_csv(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as error:
        raise FileRefused(
            _("Tệp CSV bị hỏng ở dòng %(n)s (dấu ngoặc kép hoặc dấu phân cách sai).")
            % {"n": reader.line_num}
        ) from error
    return rows


def read_csv(data: bytes, *, encoding: str = "", score: Any = None) -> Grid:
    """The CSV's rows; the delimiter is the one (",", ";" or tab) under which ``score`` — how
    well the first rows read as a header — is best, then the one giving the most columns."""
    text, used, detected = decode_csv(data, encoding)
    best: tuple[Any, ...] | None = None
    for delimiter in DELIMITERS:
        try:
            head = parse_csv(text, delimiter, limit=60)
        except FileRefused:
            continue
        width = sorted(len(r) for r in head if any(c.strip() for c in r))
        median = width[len(width) // 2] if width else 0
        rank = (score(head) if score else 0, median)
        if best is None or rank > best[0]:
            best = (rank, delimiter)
    delimiter = best[1] if best else ","
    rows = parse_csv(text, delimiter, limit=settings.IMPORT_MAX_ROWS + 1000)
    return Grid(rows, "csv", encoding=used, encoding_detected=detected, delimiter=delimiter)


# --- XLSX --------------------------------------------------------------------------------------


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


def _sheet_path(archive: zipfile.ZipFile, position: int) -> str | None:
    """The XML part of the workbook's sheet at ``position`` (calamine's index)."""
    from defusedxml import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 (a damaged part: calamine reports it next)
        return None
    sheets = [e for e in book.iter() if e.tag.rsplit("}", 1)[-1] == "sheet"]
    if position >= len(sheets):
        return None
    sheet = sheets[position]
    rel_id = next((v for k, v in sheet.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
    for rel in rels.iter():
        if rel.attrib.get("Id") == rel_id:
            target = rel.attrib.get("Target", "").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None


_FORMULA = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_CELL_REF = re.compile(rb'<(?:[A-Za-z0-9_]+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_WINDOW = 1 << 22


def _formula_cells(archive: zipfile.ZipFile, path: str | None) -> list[tuple[int, int] | None]:
    """Cells holding a formula in the sheet's XML (``None`` where the cell has no address),
    streamed so that a large sheet is never held whole; stops after the first 50."""
    names = archive.namelist()
    parts = [path] if path in names else [n for n in names if n.startswith("xl/worksheets/")]
    found: dict[tuple[int, int] | None, None] = {}
    for name in parts:
        if not name.endswith(".xml"):
            continue
        with archive.open(name) as stream:
            tail = b""
            while chunk := stream.read(_WINDOW):
                buffer = tail + chunk
                for match in _FORMULA.finditer(buffer, max(0, len(tail) - 8)):
                    cells = list(
                        _CELL_REF.finditer(buffer, max(0, match.start() - 4096), match.start())
                    )
                    last = cells[-1] if cells else None
                    found[_ref_cell(last.group(1), last.group(2)) if last else None] = None
                    if len(found) > 50:
                        return list(found)
                tail = buffer[-8192:]
    return list(found)


def _ref_cell(letters: bytes, digits: bytes) -> tuple[int, int]:
    column = 0
    for letter in letters.decode():
        column = column * 26 + ord(letter) - 64
    return int(digits) - 1, column - 1


def read_xlsx(data: bytes) -> Grid:
    """The first visible worksheet that holds anything (a workbook often starts with an empty
    "Sheet1"); hidden sheets are never read."""
    archive = _check_zip(data)
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = [
            index
            for index, meta in enumerate(book.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
        ]
        # Without a visible sheet holding data, the first visible one (empty: "no data"); a
        # workbook of hidden sheets only has nothing a person could have checked.
        position = next(
            (i for i in visible if book.get_sheet_by_index(i).total_height > 0),
            visible[0] if visible else None,
        )
        if position is None:
            raise FileRefused(_("Bảng tính không có trang nào đang hiện: tệp không có dữ liệu."))
        sheet = book.get_sheet_by_index(position)
        rows = sheet.to_python(skip_empty_area=False, nrows=settings.IMPORT_MAX_ROWS + 1000)
        merges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    except FileRefused:
        raise
    except Exception as error:  # calamine raises several kinds on a damaged file
        raise FileRefused(_("Tệp .xlsx bị hỏng hoặc không phải tệp Excel.")) from error
    formulas = _formula_cells(archive, _sheet_path(archive, position))
    archive.close()
    if None in formulas:
        raise FileRefused(
            _(
                "Bảng tính có công thức. Hãy sao chép rồi “dán giá trị” (Paste Values) để bỏ "
                "công thức, rồi tải lại."
            )
        )
    # Cells are NFC-composed where they are read (``table._text`` for the header, ``rows.text``
    # for the people): composing every cell of a large sheet here would cost more.
    return Grid(rows, "xlsx", merges=merges, formulas=formulas)  # type: ignore[arg-type]
