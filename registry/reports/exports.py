"""A report as an Excel workbook (openpyxl), a PDF (fpdf2 with the DejaVu fonts shipped in
``registry/fonts``, so Vietnamese diacritics print on any machine) and SVG bar charts drawn on the
server (no script, no chart library, nothing fetched from elsewhere).

Every text cell that a spreadsheet could read as a formula is neutralised (``neutralise``).
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from registry.reports.figures import Number, Report, Table

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV/formula injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def format_number(value: Number) -> str:
    """Vietnamese style: 1.234.567 and 12,5; an empty figure is a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{value:,}".replace(",", ".")


def _heading_lines(report: Report) -> list[str]:
    return [
        report.title,
        _("Kỳ báo cáo: %(p)s") % {"p": report.period.label},
        _("Phạm vi: %(s)s") % {"s": report.scope.label},
        _("Lập lúc %(t)s bởi %(u)s")
        % {
            "t": timezone.localtime(report.generated_at).strftime("%d/%m/%Y %H:%M"),
            "u": report.generated_by,
        },
    ]


# --- Excel ---------------------------------------------------------------------------------------


def _sheet_name(title: str, taken: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:28].strip() or "Bang"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name[:25]} {n}", n + 1
    taken.add(candidate)
    return candidate


def to_xlsx(report: Report) -> bytes:
    """One sheet per section, Vietnamese headers, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    taken: set[str] = set()

    def put(sheet, row: int, column: int, value: object):  # type: ignore[no-untyped-def]
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
        else:
            cell.value = value
        return cell

    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section.title, taken))
        row = 1
        for line in _heading_lines(report):
            put(sheet, row, 1, line).font = bold if row == 1 else Font()
            row += 1
        row += 1
        put(sheet, row, 1, section.title).font = Font(bold=True, size=13)
        row += 2
        widest = 30
        for table in section.tables:
            put(sheet, row, 1, table.title).font = bold
            row += 1
            for col, header in enumerate(["", *table.columns], start=1):
                cell = put(sheet, row, col, header)
                cell.font, cell.fill = bold, header_fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
            for line in table.rows:
                put(sheet, row, 1, line.label)
                widest = max(widest, len(line.label))
                for col, value in enumerate(line.values, start=2):
                    cell = put(sheet, row, col, value)
                    if isinstance(value, int):
                        cell.number_format = "#,##0"
                    elif isinstance(value, float):
                        cell.number_format = "0.0"
                row += 1
            if table.note:
                put(sheet, row, 1, table.note).font = Font(italic=True, size=9)
                row += 1
            row += 1
        sheet.column_dimensions["A"].width = min(widest + 2, 60)
        for col in range(2, 14):
            sheet.column_dimensions[get_column_letter(col)].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


def to_pdf(report: Report) -> bytes:
    """A4 landscape with the DejaVu fonts (full Vietnamese coverage), tables and bar charts."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{report.title} — {report.period.label}")
    pdf.set_author(report.generated_by)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    lines = _heading_lines(report)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in lines[1:]:
        pdf.multi_cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis="BOLD", fill_color=(221, 231, 240))
    for section in report.sections:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        for table in section.tables:
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 8)
            label_width = 70 if len(table.columns) > 3 else 110
            widths = (label_width, *([28] * len(table.columns)))
            with pdf.table(
                col_widths=widths,
                width=min(sum(widths), pdf.epw),
                headings_style=heading,
                text_align=("LEFT", *(["RIGHT"] * len(table.columns))),
                line_height=4.5,
                align="LEFT",
            ) as grid:
                header = grid.row()
                for text in ["", *table.columns]:
                    header.cell(text)
                for line in table.rows:
                    cells = grid.row()
                    cells.cell(line.label)
                    for value in line.values:
                        cells.cell(format_number(value))
            if table.note:
                pdf.set_font("DejaVu", "", 7)
                pdf.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
            if table.chart_column is not None:
                _pdf_bars(pdf, table)
            pdf.ln(2)
    return bytes(pdf.output())


def _pdf_bars(pdf, table: Table) -> None:  # type: ignore[no-untyped-def]
    bars = chart_bars(table)
    if not bars:
        return
    top = max(value for _label, value in bars) or 1
    pdf.set_font("DejaVu", "", 7)
    if pdf.will_page_break(5 * len(bars) + 4):
        pdf.add_page()
    pdf.ln(1)
    for label, value in bars:
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(70, 4.5, label[:48])
        width = 120 * value / top
        pdf.set_fill_color(38, 99, 154)
        if width:
            pdf.rect(pdf.l_margin + 72, y + 0.8, width, 3, style="F")
        pdf.set_xy(pdf.l_margin + 74 + width, y)
        pdf.cell(30, 4.5, format_number(value), new_x="LMARGIN", new_y="NEXT")


# --- SVG charts ----------------------------------------------------------------------------------


def chart_bars(table: Table) -> list[tuple[str, int | float]]:
    """(label, value) of the table's chart column without the total line; empty when every
    figure is zero (no chart is drawn then)."""
    if table.chart_column is None:
        return []
    bars = [
        (row.label, row.values[table.chart_column] or 0)
        for row in table.rows
        if row.key != "total" and isinstance(row.values[table.chart_column], int | float)
    ]
    return bars if any(value for _label, value in bars) else []


def bar_chart_svg(table: Table) -> str:
    """A horizontal bar chart as inline SVG, readable without colour (values printed) and
    described for screen readers (``role="img"`` with a title)."""
    bars = chart_bars(table)
    if not bars:
        return ""
    top = max(value for _label, value in bars)
    row_height, label_width, bar_width = 22, 230, 260
    height = row_height * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {label_width + bar_width + 70} {height}" '
        f'aria-labelledby="chart-{table.key}">',
        f'<title id="chart-{table.key}">{escape(table.title)}</title>',
    ]
    for i, (label, value) in enumerate(bars):
        y = 4 + i * row_height
        width = bar_width * value / top if top else 0
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{escape(short)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="14" fill="#26639a"/>'
            f'<text x="{label_width + width + 4:.1f}" y="{y + 15}" font-size="12">'
            f"{escape(format_number(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
