"""Finding the table in a sheet as prisons lay it out: a title block above (issuing body, "DANH
SÁCH PHẠM NHÂN SẮP CHẤP HÀNH XONG ÁN PHẠT TÙ", a date), a header of one row or two (merged
parent cells such as "Nơi cư trú" over "Xã" and "Huyện", flattened to "Nơi cư trú / Xã"), often a
row numbering the columns, the people, then a footer (totals, the place and date, signatures).

The header is the row, or pair of rows, among the first ``HEADER_SCAN_ROWS`` whose names match
the most fields of the vocabulary. The table ends at a signature block or date line, or after the
last row that reads as a person (three cells or more) once only sparse rows follow; "total" rows
inside it are skipped. Merged cells among the people are filled from their anchor when they run
down one column, and refused with their address when they span several named columns. Formulas
and formula-like text are refused in the header and the people's rows (a title or footer is never
read, so a totals formula there does no harm).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import validation
from registry.imports.columns import HEADER_SCAN_ROWS, guess_mapping
from registry.imports.files import FileRefused, Grid, cell_name


@dataclass
class Sheet:
    """The table of a file: its column names and the rows of people, with where they were."""

    headers: list[str]
    rows: list[list[Any]]
    numbers: list[int]  # the spreadsheet row of each of ``rows``
    parts: list[tuple[str, str]] = field(default_factory=list)  # (parent, child) per column
    layout: dict[str, Any] = field(default_factory=dict)
    encoding: str = ""
    encoding_detected: str = ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _filled(row: list[Any]) -> int:
    return sum(1 for value in row if not _blank(value))


# --- the header ----------------------------------------------------------------------------------


def flatten(
    rows: list[list[Any]], top: int, depth: int, merges: list[tuple[int, int, int, int]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Column names of the header at ``rows[top]`` (``depth`` 1 or 2 rows): "parent / child"
    where a parent cell stands over children. A parent spans the columns of its merged range;
    without merge information (CSV) an empty parent cell takes the parent on its left when both
    columns have children (the way a merged cell is saved as CSV)."""
    parent = [_text(v) for v in rows[top]]
    child = [_text(v) for v in rows[top + 1]] if depth == 2 and top + 1 < len(rows) else []
    width = max(len(parent), len(child))
    parent += [""] * (width - len(parent))
    child += [""] * (width - len(child))
    if depth == 2:
        spanned = [False] * width
        for r1, c1, r2, c2 in merges:
            if r1 <= top <= r2 and c1 < c2:
                for column in range(c1, min(c2, width - 1) + 1):
                    parent[column], spanned[column] = parent[c1], True
        for column in range(1, width):
            if (
                not parent[column]
                and not spanned[column]
                and child[column]
                and child[column - 1]
                and parent[column - 1]
            ):
                parent[column] = parent[column - 1]
    headers, parts = [], []
    for column in range(width):
        p, c = parent[column], child[column]
        if depth == 2 and p and c and p != c:
            headers.append(f"{p} / {c}")
            parts.append((p, c))
        else:
            headers.append(p or c)
            parts.append((p or c, ""))
    return headers, parts


def _score(headers: list[str], parts: list[tuple[str, str]], names: dict[str, str]) -> int:
    return len(guess_mapping(headers, names, parts))


def header_score(rows: list[list[Any]], names: dict[str, str]) -> int:
    """How well the best header among ``rows`` matches the vocabulary (fields recognised)."""
    best = 0
    for top in range(min(len(rows), HEADER_SCAN_ROWS)):
        if _filled(rows[top]) >= 2:
            best = max(best, _score(*flatten(rows, top, 1, []), names))
    return best


_LONG_NUMBER = re.compile(r"\d{4,}")


def _find_header(
    rows: list[list[Any]], merges: list[tuple[int, int, int, int]], names: dict[str, str]
) -> tuple[int, int, bool]:
    """(first row index, depth, recognised) of the header."""
    best: tuple[int, int, int] | None = None  # (score, -depth, -top)
    for top in range(min(len(rows), HEADER_SCAN_ROWS)):
        if _filled(rows[top]) < 2:
            continue
        for depth in (1, 2):
            if depth == 2 and top + 1 >= len(rows):
                continue
            score = _score(*flatten(rows, top, depth, merges), names)
            rank = (score, -depth, -top)
            if best is None or rank > best:
                best = rank
    if best is not None and best[0] >= 2:
        return -best[2], -best[1], True
    # Nothing recognised: the widest early row without long numbers (a header has no IDs or
    # dates), so that a person can map its columns by hand.
    fallback, widest = 0, 0
    for top in range(min(len(rows), HEADER_SCAN_ROWS)):
        cells = [_text(v) for v in rows[top] if not _blank(v)]
        if len(cells) > widest and not any(_LONG_NUMBER.search(c) for c in cells):
            fallback, widest = top, len(cells)
    if widest < 2:
        fallback = next((i for i, row in enumerate(rows) if _filled(row) > 0), 0)
    return fallback, 1, False


def _numbering_row(row: list[Any]) -> bool:
    """A row numbering the columns: "1 2 3 …", "(1) (2) …", "A B C …"."""
    cells = [_text(v).strip("()[] ") for v in row if not _blank(v)]
    if len(cells) < 3:
        return False
    if all(c.isdigit() for c in cells):
        numbers = [int(c) for c in cells]
        return numbers == sorted(numbers) and numbers[0] <= 2 and len(set(numbers)) == len(numbers)
    return all(len(c) == 1 and c.isalpha() for c in cells)


# --- the end of the table ----------------------------------------------------------------------

_TOTALS = re.compile(r"^(tong cong|tong so)\b|^(cong|tong)\s*(:|\d|$)")
_TOTALS_LOOSE = re.compile(r"^cong\b")  # "Cộng huyện Mai Sơn: 5", only on a short row
# A totals row with a figure under many columns ("Tổng cộng | 6 | 4 | 2 | …"): only the plain
# words, never a lone "Tòng" / "Tống" (a surname in a column of its own).
_TOTALS_WIDE = re.compile(r"^(tong cong|tong so)\b|^(cong|tong)\s*(:|\d)")
_SIGNATURE = re.compile(
    r"^(nguoi lap( bieu| danh sach)?|noi nhan|giam thi|pho giam thi|thu truong|truong phong|"
    r"truong trai|ky ten|ky, ghi ro|\(ky|xac nhan|can bo lap|tm\.? |kt\.? |q\.? giam thi)\b"
)
_DATE_LINE = re.compile(r"\bngay[\s\d.…_]*thang[\s\d.…_]*nam[\s\d.…_]*$")


def _first_text(row: list[Any]) -> str:
    for value in row:
        if not _blank(value):
            return validation.fold(_text(value)).strip(" .-")
    return ""


def _kind_of(row: list[Any]) -> str:
    """empty | signature (a signature block or the place-and-date line) | totals | person (three
    cells or more) | sparse."""
    if len(row) - row.count("") - row.count(None) > 6:
        # The common case, decided without folding each row: only a first cell starting with
        # T or C ("Tổng cộng", "Cộng") may be a wide totals row.
        first = next((value for value in row if not _blank(value)), "")
        if isinstance(first, str) and first.lstrip()[:1] in "TtCc":
            return "totals" if _TOTALS_WIDE.match(_first_text(row)) else "person"
        return "person"
    filled = _filled(row)
    if not filled:
        return "empty"
    first = _first_text(row)
    if _SIGNATURE.match(first) or (filled <= 3 and _DATE_LINE.search(first)):
        return "signature"
    if (filled <= 6 and _TOTALS.match(first)) or (filled <= 3 and _TOTALS_LOOSE.match(first)):
        return "totals"
    return "person" if filled >= 3 else "sparse"


def _table_end(rows: list[list[Any]], start: int) -> tuple[int, str, list[str]]:
    """(index after the table, why it ends there, the kind of each row from ``start`` to that
    index). The table ends at a signature block, or after the last row of a person when only
    totals, sparse or empty rows follow it; empty rows between people are skipped, never an end."""
    end, reason = len(rows), ""
    kinds: list[str] = []
    for index in range(start, len(rows)):
        kind = _kind_of(rows[index])
        if kind == "signature":
            end, reason = index, "signature"
            break
        kinds.append(kind)
    last_person = max((i for i, kind in enumerate(kinds) if kind == "person"), default=-1)
    trailing = [kind for kind in kinds[last_person + 1 :] if kind != "empty"]
    if trailing:
        end, reason = start + last_person + 1, trailing[0]
    elif last_person + 1 < len(kinds):
        reason = reason or "empty"
    return end, reason, kinds[: end - start]


# --- merged cells, formulas --------------------------------------------------------------------


def _range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    first, last = cell_name(r1 + 1, c1), cell_name(r2 + 1, c2)
    return first if first == last else f"{first}:{last}"


def _fill_merges(grid: Grid, header_top: int, data_start: int, end: int, headers: list[str]) -> int:
    """Fill merged cells among the people from their anchor; refuse those that would mix two
    named columns or join the header to the people. Returns how many ranges were filled."""
    filled = 0
    for r1, c1, r2, c2 in grid.merges:
        if r2 < data_start or r1 >= end:
            continue  # the title, the header (flattened already) or the footer
        name = _range_name(r1, c1, r2, c2)
        if r1 < data_start:
            raise FileRefused(
                _(
                    "Ô gộp %(cell)s nối dòng tên cột với dòng dữ liệu. Hãy bỏ gộp ô (Merge & "
                    "Center → Unmerge Cells) rồi tải lại."
                )
                % {"cell": name}
            )
        if any(c < len(headers) and headers[c] for c in range(c1 + 1, c2 + 1)):
            raise FileRefused(
                _(
                    "Bảng tính có ô gộp %(cell)s trải trên nhiều cột thông tin: mỗi người phải "
                    "nằm trên một dòng, mỗi thông tin một cột. Hãy bỏ gộp ô rồi tải lại."
                )
                % {"cell": name}
            )
        anchor = grid.rows[r1][c1] if c1 < len(grid.rows[r1]) else ""
        for row_index in range(r1 + 1, min(r2, end - 1) + 1):
            row = grid.rows[row_index]
            row.extend([""] * (c1 + 1 - len(row)))
            row[c1] = anchor
        filled += 1
    return filled


_NUMBER_LIKE = re.compile(r"[+-][\d\s().-]*")


def check_cell(value: Any, row: int, column: int) -> None:
    """Refuse text a spreadsheet would run as a formula: starting with ``=`` or ``@``, or ``+`` /
    ``-`` followed by anything but a number (so "+84 912…" and "-5" pass)."""
    if not isinstance(value, str) or not value or value[0] not in "=@+-":
        return
    start = value[0]
    if start in "=@" or not _NUMBER_LIKE.fullmatch(value):
        raise FileRefused(
            _(
                "Ô %(cell)s bắt đầu bằng “%(c)s”: bảng tính có thể hiểu là công thức. Tệp bị từ "
                "chối để an toàn; hãy xóa ký tự đó hoặc nhập nội dung dưới dạng văn bản."
            )
            % {"cell": cell_name(row, column), "c": start}
        )


def _check_formulas(grid: Grid, read: set[int]) -> None:
    for row_index, column in sorted(grid.formulas):
        if row_index in read:
            raise FileRefused(
                _(
                    "Ô %(cell)s chứa công thức. Hãy sao chép rồi “dán giá trị” (Paste Values) để "
                    "bỏ công thức, rồi tải lại."
                )
                % {"cell": cell_name(row_index + 1, column)}
            )


# --- the whole ---------------------------------------------------------------------------------


def find_table(grid: Grid, names: dict[str, str]) -> Sheet:
    """The header, the rows of people and the layout of ``grid``, or FileRefused."""
    rows = grid.rows
    if not any(_filled(row) for row in rows):
        raise FileRefused(_("Tệp không có dữ liệu."))
    top, depth, recognised = _find_header(rows, grid.merges, names)
    headers, parts = flatten(rows, top, depth, grid.merges)
    start = top + depth
    numbering = start if start < len(rows) and _numbering_row(rows[start]) else None
    if numbering is not None:
        start += 1
    end, reason, kinds = _table_end(rows, start)
    filled = _fill_merges(grid, top, start, end, headers)
    skipped = {start + i for i, kind in enumerate(kinds) if kind == "totals"}
    read = [start + i for i, kind in enumerate(kinds) if kind in ("person", "sparse")]
    _check_formulas(grid, set(range(top, top + depth)) | set(read))
    for index in range(top, top + depth):
        for column, value in enumerate(rows[index]):
            check_cell(value, index + 1, column)
    for index in read:
        for column, value in enumerate(rows[index]):
            if isinstance(value, str) and value and value[0] in "=@+-":
                check_cell(value, index + 1, column)
    if not read:
        raise FileRefused(_("Tệp không có dòng dữ liệu nào dưới dòng tên cột."))
    if len(read) > settings.IMPORT_MAX_ROWS:
        raise FileRefused(
            _("Tệp có %(n)s dòng, tối đa %(max)s dòng một lần nhập. Hãy chia thành nhiều tệp.")
            % {
                "n": f"{len(read):,}".replace(",", "."),
                "max": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", "."),
            }
        )
    footer_rows = sum(1 for row in rows[end:] if _filled(row))
    layout: dict[str, Any] = {
        "kind": grid.kind,
        "header_found": recognised,
        "header_rows": list(range(top + 1, top + depth + 1)),
        "title_rows": sum(1 for row in rows[:top] if _filled(row)),
        "numbering_row": numbering + 1 if numbering is not None else None,
        "first_row": read[0] + 1,
        "last_row": read[-1] + 1,
        "skipped_rows": [i + 1 for i in sorted(skipped)][:50],
        "footer_row": (end + 1) if footer_rows else None,
        "footer_rows": footer_rows,
        "footer": reason if footer_rows else "",
        "merged_filled": filled,
    }
    if grid.kind == "csv":
        layout["delimiter"] = {"\t": "tab"}.get(grid.delimiter, grid.delimiter)
        layout["encoding_detected"] = grid.encoding_detected
    return Sheet(
        headers=headers,
        rows=[rows[i] for i in read],
        numbers=[i + 1 for i in read],
        parts=parts,
        layout=layout,
        encoding=grid.encoding,
        encoding_detected=grid.encoding_detected,
    )


def read_file(
    name: str,
    data: bytes,
    *,
    names: dict[str, str],
    encoding: str = "",
    on_grid: Callable[[Grid], None] | None = None,
) -> Sheet:
    """The table of a CSV or XLSX file, or FileRefused with the reason."""
    from registry.imports.files import check_legacy_font, check_size, file_kind, read_csv, read_xlsx

    check_size(data)
    kind = file_kind(name, data)
    if kind == "xlsx":
        grid = read_xlsx(data)
        sample = " ".join(
            value for row in grid.rows[:2000] for value in row if isinstance(value, str)
        )
        check_legacy_font(sample)
    else:
        grid = read_csv(data, encoding=encoding, score=lambda head: header_score(head, names))
    if on_grid is not None:
        on_grid(grid)
    return find_table(grid, names)


_FOOTERS = {
    "signature": gettext_lazy("chữ ký, ngày tháng"),
    "totals": gettext_lazy("dòng tổng cộng"),
    "sparse": gettext_lazy("dòng ghi chú"),
    "empty": gettext_lazy("dòng trống"),
}


def describe_layout(batch: Any) -> list[str]:
    """How an import batch's file was read, in sentences for the page and the command line:
    the encoding (and whether a person chose it), where the table was found, what was skipped,
    the source whose remembered mapping applies."""
    from registry.imports.files import ENCODING_LABELS

    layout, lines = batch.layout or {}, []
    if batch.encoding:
        how = _("chọn tay") if batch.encoding_chosen else _("tự nhận biết")
        label = ENCODING_LABELS.get(batch.encoding, batch.encoding)
        lines.append(_("Bảng mã: %(label)s (%(how)s).") % {"label": label, "how": how})
    if layout.get("header_rows"):
        text = _("Dòng tên cột: %(rows)s; dữ liệu từ dòng %(first)s đến dòng %(last)s") % {
            "rows": "–".join(str(r) for r in layout["header_rows"]),
            "first": layout.get("first_row"),
            "last": layout.get("last_row"),
        }
        extras = []
        if layout.get("title_rows"):
            extras.append(_("bỏ %(n)s dòng tiêu đề phía trên") % {"n": layout["title_rows"]})
        if layout.get("numbering_row"):
            extras.append(_("bỏ dòng đánh số cột %(n)s") % {"n": layout["numbering_row"]})
        if layout.get("skipped_rows"):
            extras.append(
                _("bỏ dòng tổng cộng %(rows)s")
                % {"rows": ", ".join(str(r) for r in layout["skipped_rows"][:10])}
            )
        if layout.get("footer_row"):
            extras.append(
                _("không đọc chân bảng từ dòng %(row)s (%(kind)s, %(n)s dòng)")
                % {
                    "row": layout["footer_row"],
                    "kind": _FOOTERS.get(layout.get("footer", ""), ""),
                    "n": layout.get("footer_rows"),
                }
            )
        if layout.get("merged_filled"):
            extras.append(
                _("%(n)s vùng ô gộp được điền theo ô đầu") % {"n": layout["merged_filled"]}
            )
        lines.append(text + ("; " + "; ".join(extras) if extras else "") + ".")
    if batch.source_id:
        lines.append(_("Dùng cách ghép đã lưu của nguồn “%(name)s”.") % {"name": batch.source.name})
    return lines
