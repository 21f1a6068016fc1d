"""The template offered for download: the columns in order, one example row of made-up data."""

from __future__ import annotations

import csv
import io

from registry.imports.columns import TEMPLATE_COLUMNS as COLUMNS

TEMPLATE_NOTE = (
    "Mỗi người một dòng; ngày ghi ngày/tháng/năm; số định danh 12 chữ số ghi dạng văn bản; "
    "thời hạn tù ghi số tháng (36) hoặc bằng chữ (2 năm 6 tháng, Chung thân); "
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
