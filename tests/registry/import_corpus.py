"""Release-notice files shaped like the ones prisons send, built by the tests (no real file is
kept in the project): a title block, a two-row merged header with a row numbering the columns,
sentences and release kinds in words, old commune names, a totals row and a signature block —
as XLSX, and as CSV in the encodings Vietnamese offices produce. The people are made up; their
national IDs come from ``factories.national_id`` (valid, unique in the run)."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from tests import factories
from tests.clock import days_from_today


def release(days: int) -> str:
    return days_from_today(days).strftime("%d/%m/%Y")


@dataclass
class Person:
    name: str
    born: int
    gender: str  # Nam / Nữ
    village: str
    commune: str
    district: str
    offence: str
    sentence: str
    released_in_days: int
    kind: str
    national_id: str = ""

    def __post_init__(self) -> None:
        if not self.national_id:
            self.national_id = factories.national_id(
                self.born, "female" if self.gender == "Nữ" else "male"
            )


def people() -> list[Person]:
    """Six people: sentences as words (one life sentence commuted, one death sentence commuted),
    release kinds in the prisons' words, today's and pre-2025 commune names (one shared by two
    old districts, told apart by the district)."""
    return [
        Person("Lò Văn Pàng", 1985, "Nam", "Bản Hìn", "Phường Tô Hiệu", "Thành phố Sơn La",
               "Trộm cắp tài sản", "2 năm 6 tháng", 20, "Hết án"),
        Person("Cầm Thị Hoa", 1992, "Nữ", "Bản Cọ", "Xã Chiềng Xôm", "Thành phố Sơn La",
               "Tàng trữ trái phép chất ma túy", "18 tháng tù", 20, "Đặc xá"),
        Person("Quàng Văn Ánh", 1980, "Nam", "Bản Mòng", "Chiềng Chung", "Huyện Mai Sơn",
               "Cố ý gây thương tích", "3 năm", 35, "Tha tù trước thời hạn có điều kiện"),
        Person("Tòng Văn Nam", 1979, "Nam", "Bản Nà Cài", "Mường Lạn", "Huyện Sốp Cộp",
               "Giết người", "Chung thân, giảm xuống 30 năm", 40, "Chấp hành xong án phạt tù"),
        Person("Giàng A Dế", 1975, "Nam", "Bản Hua Tát", "Xã Mường Bon", "Huyện Mai Sơn",
               "Mua bán trái phép chất ma túy", "Tử hình, ân giảm xuống chung thân", 40,
               "Mãn hạn tù"),
        Person("Vì Thị Mai", 1990, "Nữ", "Tổ 3", "Chiềng Lề", "Thành phố Sơn La",
               "Lừa đảo chiếm đoạt tài sản", "30 tháng 15 ngày", 50, "Đặc xá"),
    ]  # fmt: skip


EXPECTED_COMMUNES = {
    "Lò Văn Pàng": "Tô Hiệu",
    "Cầm Thị Hoa": "Chiềng An",  # Xã Chiềng Xôm merged into Phường Chiềng An
    "Quàng Văn Ánh": "Mường Chanh",  # Chiềng Chung of Mai Sơn (Mộc Châu's became Đoàn Kết)
    "Tòng Văn Nam": "Mường Lạn",
    "Giàng A Dế": "Chiềng Mung",  # Xã Mường Bon merged into Xã Chiềng Mung
    "Vì Thị Mai": "Tô Hiệu",  # Phường Chiềng Lề merged into Phường Tô Hiệu
}
EXPECTED_CUSTODY = {  # (release kind, main penalty, sentence months)
    "Lò Văn Pàng": ("completed", "prison", 30),
    "Cầm Thị Hoa": ("amnesty", "prison", 18),
    "Quàng Văn Ánh": ("conditional", "prison", 36),
    "Tòng Văn Nam": ("completed", "life", 360),
    "Giàng A Dế": ("completed", "death_commuted", None),
    "Vì Thị Mai": ("amnesty", "prison", 31),  # 15 days round up to the next month
}

TITLE = [
    ["CỤC CẢNH SÁT QUẢN LÝ TRẠI GIAM", "", "", "", "", "", "",
     "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["TRẠI GIAM YÊN HẠ", "", "", "", "", "", "", "Độc lập - Tự do - Hạnh phúc"],
    ["Số: 123/TB-TGYH", "", "", "", "", "", "", "Sơn La, ngày 10 tháng 11 năm 2026"],
    [],
    ["DANH SÁCH PHẠM NHÂN SẮP CHẤP HÀNH XONG ÁN PHẠT TÙ"],
    ["(Kèm theo Thông báo số 123/TB-TGYH)"],
]  # fmt: skip
PARENT = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Số CCCD", "Nơi cư trú", "", "",
          "Tội danh", "Mức án", "Ngày chấp hành xong", "Hình thức", "Ghi chú"]  # fmt: skip
CHILD = ["", "", "", "", "", "Thôn, bản", "Xã", "Huyện", "", "", "", "", ""]
NUMBERING = [f"({n})" for n in range(1, 14)]


def person_row(number: int, person: Person) -> list[str]:
    return [
        str(number),
        person.name,
        str(person.born),
        person.gender,
        person.national_id,
        person.village,
        person.commune,
        person.district,
        person.offence,
        person.sentence,
        release(person.released_in_days),
        person.kind,
        "",
    ]


def footer(count: int) -> list[list[str]]:
    return [
        [f"Tổng cộng: {count} phạm nhân"],
        [],
        ["Nơi nhận:", "", "", "", "", "", "", "", "GIÁM THỊ"],
        ["- Như trên;", "", "", "", "", "", "", "", "(Ký tên, đóng dấu)"],
        ["- Lưu: VT, TGYH.", "", "", "", "", "", "", "", ""],
        ["", "", "", "", "", "", "", "", "Đại tá Nguyễn Văn Giám"],
    ]


def prison_rows(group: list[Person]) -> list[list[str]]:
    """The whole sheet as rows: title block, two-row header, numbering, people, footer."""
    body = [person_row(n, p) for n, p in enumerate(group, start=1)]
    return [*TITLE, PARENT, CHILD, NUMBERING, *body, *footer(len(group))]


def prison_xlsx(
    group: list[Person], *, merge_release_dates: bool = True, nfd: bool = False
) -> bytes:
    """The prison's workbook: merged title cells, "Nơi cư trú" merged over Xã / Huyện, the
    single-row headers merged down over both header rows, the release date merged down over
    two people who leave on the same day, a totals formula in the footer."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = prison_rows(group)
    if merge_release_dates:
        rows[len(TITLE) + 4][10] = ""  # the second person's date is under the merged cell
    for values in rows:
        if nfd:  # as a sheet typed on a Mac stores it
            values = [unicodedata.normalize("NFD", v) for v in values]
        sheet.append([v if v != "" else None for v in values] if values else [])
    top = len(TITLE) + 1  # spreadsheet row of the header's first row
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=13)
    sheet.merge_cells(start_row=top, start_column=6, end_row=top, end_column=8)
    for column in (1, 2, 3, 4, 5, 9, 10, 11, 12, 13):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    first = top + 3
    if merge_release_dates:
        sheet.merge_cells(start_row=first, start_column=11, end_row=first + 1, end_column=11)
    totals = first + len(group)
    sheet.cell(row=totals, column=5, value=f"=COUNTA(B{first}:B{totals - 1})")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores it: base letters precomposed where the code page has them
    (â, ê, ô, ơ, ư, ă), tone marks as separate combining characters."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out += (base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


# TCVN3 (ABC) code points of a few letters, enough to write the names as an old .VnTime
# sheet does (each byte read as Windows-1252 once saved as Unicode).
_TCVN3 = {"à": "µ", "á": "¸", "ã": "·", "ạ": "¹", "ả": "¶", "â": "©", "ă": "¨", "ê": "ª",
          "ô": "«", "ơ": "¬", "ư": "\u00ad", "đ": "®", "ò": "ß", "ọ": "ä", "ì": "×", "ị": "Þ",
          "ờ": "ê", "ộ": "é", "ệ": "Ö", "ế": "Õ", "ồ": "å", "ậ": "Ë", "ấ": "Ê", "ữ": "÷",
          "ủ": "ñ", "ỏ": "á"}  # fmt: skip


def tcvn3(text: str) -> str:
    return "".join(_TCVN3.get(ch, _TCVN3.get(ch.lower(), ch)) for ch in text)
