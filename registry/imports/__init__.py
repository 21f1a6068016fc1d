"""Reading prison release notices from CSV and XLSX files as prisons send them. Reads only;
``registry.services.imports`` writes.

- ``files``: the file checks and reading a sheet into a grid (encodings, XLSX safety, formulas);
- ``table``: finding the table in the grid (title block, one- or two-row header, footer, merged
  cells);
- ``columns``: the columns, the vocabulary of column names and cell words (data an administrator
  extends), guessing the mapping and explaining what is missing;
- ``rows``: checking each row with the registry's own validation;
- ``template``: the template offered for download.

A file is refused as a whole (``FileRefused``, a Vietnamese message naming the cell where there
is one, nothing written) when it cannot be read safely: too large, not a text encoding a
Vietnamese office produces, typed in a pre-Unicode font encoding, not a real XLSX, a zip bomb, a
macro, a formula or a cell a spreadsheet would run as one (starting with ``=``, ``@``, or
``+``/``-`` followed by anything but a number), a merged cell across several columns. Every other
problem belongs to a row and is reported with the row number and the column name — never with
the value.
"""

from registry.imports.columns import (
    BY_KEY,
    COLUMNS,
    TEMPLATE_COLUMNS,
    Column,
    Vocabulary,
    fold_header,
    guess_mapping,
    mapping_problems,
)
from registry.imports.files import (
    ENCODING_LABELS,
    EncodingFailed,
    FileRefused,
    Grid,
    check_size,
    file_kind,
)
from registry.imports.rows import CheckedRow, RowChecker, parse_sentence
from registry.imports.table import Sheet, describe_layout, read_file
from registry.imports.template import TEMPLATE_NOTE, template_csv, template_xlsx

__all__ = [
    "BY_KEY",
    "COLUMNS",
    "ENCODING_LABELS",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_NOTE",
    "CheckedRow",
    "Column",
    "EncodingFailed",
    "FileRefused",
    "Grid",
    "RowChecker",
    "Sheet",
    "Vocabulary",
    "check_size",
    "describe_layout",
    "file_kind",
    "fold_header",
    "guess_mapping",
    "mapping_problems",
    "parse_sentence",
    "read_file",
    "template_csv",
    "template_xlsx",
]
