"""Reading release-notice files (registry/imports): the encoding of a CSV, the table within a
sheet (header row or two, numbering row, footer, merged cells), sentences written as words and
the prisons' terms read from the vocabulary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from registry import imports
from registry.imports.files import Grid, check_legacy_font, decode_csv, detect_encoding
from registry.imports.rows import parse_date
from registry.imports.table import find_table, flatten
from registry.models import ImportTerm
from tests.registry.import_corpus import cp1258, people, prison_rows, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary() -> imports.Vocabulary:
    return imports.Vocabulary.load()


def table(rows: list[list[str]], vocabulary: imports.Vocabulary, merges=()) -> imports.Sheet:
    return find_table(Grid([list(r) for r in rows], "csv", merges=list(merges)), vocabulary.names)


PERSON = ["1", "Lò Văn Pàng", "Nam", "1985", "Phường Tô Hiệu", "20/12/2026", "36"]
HEADER = ["STT", "Họ và tên", "Giới tính", "Năm sinh", "Xã", "Ngày chấp hành xong", "Mức án"]


class SentenceTests:
    @pytest.mark.parametrize(
        "written,expected",
        [
            ("36", (36, None)),
            (36.0, (36, None)),
            ("2 năm 6 tháng", (30, None)),
            ("02 năm 06 tháng", (30, None)),
            ("18 tháng tù", (18, "prison")),
            ("3 năm", (36, None)),
            ("3 năm tù", (36, "prison")),
            ("2,5 năm", (30, None)),
            ("30 tháng 15 ngày", (31, None)),  # days round up: the expungement band stays
            ("Chung thân", (None, "life")),
            ("Tù chung thân", (None, "life")),
            ("Tử hình, ân giảm xuống chung thân", (None, "death_commuted")),
            ("Chung thân, giảm xuống 30 năm", (360, "life")),  # the commuted term, as recorded
            ("Án treo 24 tháng", (24, "suspended")),
            ("", (None, None)),
        ],
    )
    def test_a_sentence_in_words_becomes_months(self, vocabulary, written, expected) -> None:
        assert imports.parse_sentence(written, vocabulary) == expected

    @pytest.mark.parametrize("written", ["không rõ", "hai năm", 2.5])
    def test_a_sentence_it_cannot_read_is_refused(self, vocabulary, written) -> None:
        with pytest.raises(ValidationError):
            imports.parse_sentence(written, vocabulary)

    def test_a_unit_an_administrator_adds_is_read(self) -> None:
        ImportTerm.objects.create(kind="sentence_unit", text="tuần", value="day")
        vocabulary = imports.Vocabulary.load()
        assert imports.parse_sentence("2 tháng 1 tuần", vocabulary) == (3, None)


class DateTests:
    @pytest.mark.parametrize(
        "written,expected",
        [
            ("20/12/2026", dt.date(2026, 12, 20)),
            ("20-12-2026", dt.date(2026, 12, 20)),
            ("20.12.2026", dt.date(2026, 12, 20)),
            ("2026-12-20", dt.date(2026, 12, 20)),
            ("ngày 20 tháng 12 năm 2026", dt.date(2026, 12, 20)),
            (46376, dt.date(2026, 12, 20)),  # an Excel date left formatted as a number
            (dt.datetime.combine(dt.date(2026, 12, 20), dt.time()), dt.date(2026, 12, 20)),
        ],
    )
    def test_dates_as_prisons_write_them(self, written, expected) -> None:
        assert parse_date(written) == expected

    @pytest.mark.parametrize("written", ["31/02/2026", "20/12", "1985", "sắp ra"])
    def test_a_date_it_cannot_read_is_refused(self, written) -> None:
        with pytest.raises(ValidationError):
            parse_date(written)


class TermTests:
    def test_the_whole_cell_then_the_earliest_longest_term(self, vocabulary) -> None:
        assert vocabulary.term("release_kind", "HẾT ÁN") == "completed"
        assert vocabulary.term("release_kind", "Đặc xá năm 2025") == "amnesty"
        assert (
            vocabulary.term("release_kind", "Tha tù trước thời hạn có điều kiện (QĐ 12)")
            == "conditional"
        )
        assert vocabulary.term("main_penalty", "Tù có thời hạn") == "prison"
        assert vocabulary.term("gender", "Nữ") == "female"
        assert vocabulary.term("release_kind", "Chuyển trại") is None

    def test_a_value_that_is_not_a_registry_code_is_refused_in_the_admin(self) -> None:
        term = ImportTerm(kind="release_kind", text="Ra trại sớm", value="early")
        with pytest.raises(ValidationError):
            term.full_clean()
        ImportTerm(kind="sentence_unit", text="quý", value="3").full_clean()


class EncodingTests:
    TEXT = to_csv(prison_rows(people()[:2]))

    @pytest.mark.parametrize(
        "data,expected",
        [
            (TEXT.encode("utf-8-sig"), "utf-8"),
            (TEXT.encode(), "utf-8"),
            (TEXT.encode("utf-16"), "utf-16-le"),
            (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
            (TEXT.encode("utf-16-le"), "utf-16-le"),
            (TEXT.encode("utf-16-be"), "utf-16-be"),
            (cp1258(TEXT), "cp1258"),
        ],
        ids=["utf8-bom", "utf8", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be", "cp1258"],
    )
    def test_it_detects_what_a_vietnamese_office_saves(self, data, expected) -> None:
        assert detect_encoding(data) == expected
        text, used, _detected = decode_csv(data)
        assert used == expected and text == self.TEXT  # composed, without the mark

    def test_a_chosen_encoding_that_cannot_read_the_file_says_so(self) -> None:
        with pytest.raises(imports.EncodingFailed, match="UTF-8"):
            decode_csv(cp1258(self.TEXT), "utf-8")

    def test_a_few_signs_in_unicode_text_are_not_taken_for_an_old_font(self) -> None:
        check_legacy_font(self.TEXT + "Nhiệt độ 37°C; Điều 173 § 2; ½ tháng; Ông Müller")

    def test_text_typed_in_vni_is_refused(self) -> None:
        # "Cộng hòa xã hội chủ nghĩa Việt Nam / Độc lập - Tự do - Hạnh phúc / Lò Văn Pàng"
        vni = (
            "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam\n"
            "Ñoäc laäp - Töï do - Haïnh phuùc\nLoø Vaên Paøng"
        )
        with pytest.raises(imports.FileRefused, match="VNI"):
            check_legacy_font(vni)


class TableTests:
    def test_a_plain_template_has_its_header_on_the_first_row(self, vocabulary) -> None:
        sheet = table([HEADER, PERSON, PERSON], vocabulary)
        assert sheet.layout["header_rows"] == [1] and sheet.numbers == [2, 3]
        assert sheet.layout["footer_row"] is None

    def test_a_csv_of_a_merged_two_row_header_is_flattened(self, vocabulary) -> None:
        parent = ["STT", "Họ và tên", "Giới tính", "Năm sinh", "Nơi cư trú", "", "Mức án"]
        child = ["", "", "", "", "Xã", "Huyện", ""]
        headers, parts = flatten([parent, child], 0, 2, [])
        assert headers[4:6] == ["Nơi cư trú / Xã", "Nơi cư trú / Huyện"]
        assert parts[1] == ("Họ và tên", "")
        row = ["1", "Lò Văn Pàng", "Nam", "1985", "Chiềng Chung", "Mai Sơn", "36"]
        sheet = table([["DANH SÁCH"], parent, child, row], vocabulary)
        assert sheet.layout["header_rows"] == [2, 3]
        mapping = imports.guess_mapping(sheet.headers, vocabulary.names, sheet.parts)
        assert mapping["commune"] == 4 and mapping["district"] == 5

    def test_a_header_alone_beats_a_header_plus_its_first_row(self, vocabulary) -> None:
        sheet = table([HEADER, PERSON], vocabulary)
        assert sheet.layout["header_rows"] == [1] and sheet.headers == HEADER

    def test_the_row_numbering_the_columns_is_skipped(self, vocabulary) -> None:
        numbering = [str(n) for n in range(1, 8)]
        sheet = table([HEADER, numbering, PERSON], vocabulary)
        assert sheet.layout["numbering_row"] == 2 and sheet.numbers == [3]

    def test_a_subtotal_inside_the_table_is_skipped_and_the_people_after_it_kept(
        self, vocabulary
    ) -> None:
        rows = [
            HEADER,
            PERSON,
            ["Cộng huyện Mai Sơn: 1 người"],
            [],
            PERSON,
            ["Tổng cộng", "", "", "", "2"],
        ]
        sheet = table(rows, vocabulary)
        assert sheet.numbers == [2, 5]
        assert sheet.layout["skipped_rows"] == [3]
        assert sheet.layout["footer_row"] == 6 and sheet.layout["footer"] == "totals"

    def test_a_totals_row_with_a_figure_under_many_columns_ends_the_table(self, vocabulary) -> None:
        header = [*HEADER, "Tội danh", "Hình thức"]
        person = [*PERSON, "Trộm cắp tài sản", "Hết án"]
        totals = ["Tổng cộng", "2", "2", "2", "2", "2", "2", "2", "2"]
        sheet = table([header, person, person, totals], vocabulary)
        assert sheet.numbers == [2, 3]
        assert (sheet.layout["footer_row"], sheet.layout["footer"]) == (4, "totals")
        # A surname in a column of its own is a person, however many cells the row fills.
        split = ["Họ", "Tên", *header[2:]]
        tong = ["Tòng", "Văn Nam", *person[2:]]
        cong = ["Công", "Thị Hoa", *person[2:]]
        sheet = table([split, tong, cong, totals], vocabulary)
        assert sheet.numbers == [2, 3] and sheet.rows[0][0] == "Tòng"

    def test_a_signature_block_ends_the_table(self, vocabulary) -> None:
        rows = [
            HEADER,
            PERSON,
            ["", "", "", "", "Sơn La, ngày 12 tháng 3 năm 2026"],
            ["Người lập biểu", "", "", "", "GIÁM THỊ"],
            ["Nguyễn Văn A", "Trần Văn B", "Lê Văn C"],  # three signers: not a person
        ]
        sheet = table(rows, vocabulary)
        assert sheet.numbers == [2]
        assert (sheet.layout["footer_row"], sheet.layout["footer"]) == (3, "signature")

    def test_an_empty_run_then_notes_ends_the_table(self, vocabulary) -> None:
        rows = [HEADER, PERSON, PERSON, [], [], ["Ghi chú: danh sách gồm 2 người"]]
        sheet = table(rows, vocabulary)
        assert sheet.numbers == [2, 3] and sheet.layout["footer"] == "sparse"

    def test_empty_rows_between_people_do_not_end_the_table(self, vocabulary) -> None:
        sheet = table([HEADER, PERSON, [], [], PERSON], vocabulary)
        assert sheet.numbers == [2, 5]

    def test_surnames_like_totals_or_signatures_are_people(self, vocabulary) -> None:
        header = HEADER[1:]
        rows = [header]
        for name in ("Tống Văn Bình", "Tòng Thị Công", "Công Tằng Tôn Nữ Thị Hoa", "Kỳ Văn Nam"):
            rows.append([name, "Nam", "1985", "Xã Chiềng Xôm", "20/12/2026", "36"])
        sheet = table(rows, vocabulary)
        assert sheet.numbers == [2, 3, 4, 5]

    def test_nothing_recognised_takes_the_widest_early_row_without_numbers(
        self, vocabulary
    ) -> None:
        rows = [["Danh sách"], ["A", "B", "C", "D"], ["Lò Văn Pàng", "x", "014085012345", "y"]]
        sheet = table(rows, vocabulary)
        assert sheet.layout["header_found"] is False
        assert sheet.layout["header_rows"] == [2] and sheet.numbers == [3]

    def test_a_merged_cell_down_one_column_is_filled_and_across_an_unnamed_one_is_kept(
        self, vocabulary
    ) -> None:
        header = [*HEADER, ""]
        first, second = [*PERSON, ""], ["2", "Cầm Thị Hoa", "Nữ", "1992", "", "", "18"]
        merges = [(1, 4, 2, 4), (1, 5, 2, 5), (1, 6, 1, 7)]  # E2:E3, F2:F3, G2:H2
        sheet = table([header, first, second], vocabulary, merges)
        assert sheet.rows[1][4:6] == ["Phường Tô Hiệu", "20/12/2026"]
        assert sheet.layout["merged_filled"] == 3

    def test_a_merged_cell_joining_the_header_and_a_person_is_refused(self, vocabulary) -> None:
        with pytest.raises(imports.FileRefused, match="B1:B2"):
            table([HEADER, PERSON], vocabulary, [(0, 1, 1, 1)])

    def test_xlsx_numbers_dates_and_a_formula_in_the_footer(self, vocabulary) -> None:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(["Họ và tên", "Giới tính", "Năm sinh", "Xã", "Ngày ra trại", "Mức án"])
        sheet.append(["Lò Văn Pàng", "Nam", 1985, "Tô Hiệu", None, 36])
        sheet.append([])
        sheet.append(["Tổng cộng", "=COUNTA(A2:A2)"])
        out = io.BytesIO()
        book.save(out)
        read = imports.read_file("a.xlsx", out.getvalue(), names=vocabulary.names)
        assert read.numbers == [2] and read.rows[0][2] == 1985
        assert read.layout["footer"] == "totals"


class WorkbookTests:
    def test_the_first_visible_sheet_with_data_is_read_and_a_hidden_one_never(
        self, vocabulary
    ) -> None:
        from openpyxl import Workbook

        book = Workbook()
        book.active.title = "Sheet1"  # left empty, as workbooks often start
        hidden = book.create_sheet("An")
        hidden.append(HEADER)
        hidden.append(["=1+2", *PERSON[1:]])
        hidden.sheet_state = "hidden"
        data = book.create_sheet("Danh sach")
        data.append(HEADER)
        data.append(PERSON)
        out = io.BytesIO()
        book.save(out)
        sheet = imports.read_file("ds.xlsx", out.getvalue(), names=vocabulary.names)
        assert sheet.numbers == [2] and sheet.rows[0][1] == "Lò Văn Pàng"

    def test_a_hidden_sheet_is_never_read_even_when_every_visible_sheet_is_empty(
        self, vocabulary
    ) -> None:
        from openpyxl import Workbook

        book = Workbook()
        hidden = book.active
        hidden.title = "An"  # the first sheet, hidden, holds the only data
        hidden.append(HEADER)
        hidden.append(PERSON)
        hidden.sheet_state = "hidden"
        book.create_sheet("Sheet2")  # visible, empty
        out = io.BytesIO()
        book.save(out)
        with pytest.raises(imports.FileRefused, match="không có dữ liệu"):
            imports.read_file("an.xlsx", out.getvalue(), names=vocabulary.names)
        book.remove(book["Sheet2"])
        book.create_chartsheet("Bieu do")  # no visible worksheet at all
        out = io.BytesIO()
        book.save(out)
        with pytest.raises(imports.FileRefused, match="không có trang nào đang hiện"):
            imports.read_file("an.xlsx", out.getvalue(), names=vocabulary.names)
