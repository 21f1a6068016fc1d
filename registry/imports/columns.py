"""The columns of a release notice and the words files use for them and in them.

The template's own headers are in the code (``COLUMNS``); every other name of a column
(``ImportColumnAlias``) and every word prisons write in a cell (``ImportTerm``) is data, loaded
from ``fixtures/reference/import_vocabulary.json`` and extended by administrators in the admin or
from the import page ("remember this mapping for this source"). ``Vocabulary`` reads them once per
file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from registry import validation
from registry.models import ImportColumnAlias, ImportField, ImportSource, ImportTerm

HEADER_SCAN_ROWS = 30  # the header row (or two) is looked for in the first rows of a file


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the header of the template (Vietnamese, whatever the page's language)
    required: bool = False
    example: str = ""
    in_template: bool = True


def _vietnamese(key: str) -> str:
    with translation.override("vi"):
        return str(ImportField(key).label)


_REQUIRED = {"full_name", "gender", "commune", "release_date"}
_EXAMPLES = {
    "full_name": "Lò Văn Pàng",
    "gender": "Nam",
    "date_of_birth": "14/03/1985",
    "national_id": "014085012345",
    "phone": "0912345678",
    "ethnicity": "Thái",
    "address": "Bản Hìn",
    "commune": "Phường Tô Hiệu",
    "release_date": "20/12/2026",
    "release_kind": "Chấp hành xong án phạt tù",
    "main_penalty": "Tù có thời hạn",
    "sentence_months": "2 năm 6 tháng",
    "offence": "Tàng trữ trái phép chất ma túy",
    "penal_code_articles": "249",
    "court": "Tòa án nhân dân tỉnh Sơn La",
    "judgment_number": "123/2022/HS-ST",
    "judgment_date": "10/05/2022",
    "prison": "Trại giam Yên Hạ",
    "certificate_number": "456/GCN",
    "certificate_date": "20/12/2026",
}
_BY_GENDER = {"birth_male", "birth_female"}
COLUMNS: tuple[Column, ...] = tuple(
    Column(key, _vietnamese(key), key in _REQUIRED, _EXAMPLES.get(key, ""), key not in _BY_GENDER)
    for key in ImportField.values
)
TEMPLATE_COLUMNS = tuple(column for column in COLUMNS if column.in_template)
BY_KEY = {column.key: column for column in COLUMNS}


def fold_header(text: object) -> str:
    """A header as matched: no diacritics, case or punctuation; "/" kept as the separator of a
    two-row header ("Nơi cư trú / Xã" → "noi cu tru / xa")."""
    folded = re.sub(r"[^a-z0-9/]+", " ", validation.fold(str(text or "")))
    return re.sub(r"\s*/\s*", " / ", folded).strip(" /")


def fold_term(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", validation.fold(str(text or ""))).strip()


@dataclass
class Vocabulary:
    """The column names and cell terms in force, read once for a file."""

    names: dict[str, str] = field(default_factory=dict)  # folded header → field key
    by_source: dict[int, dict[str, str]] = field(default_factory=dict)
    sources: dict[int, ImportSource] = field(default_factory=dict)
    terms: dict[str, dict[str, str]] = field(default_factory=dict)  # kind → folded text → value

    @classmethod
    def load(cls) -> Vocabulary:
        vocabulary = cls()
        for column in COLUMNS:
            vocabulary.names[fold_header(column.header)] = column.key
        sources = {s.pk: s for s in ImportSource.objects.filter(is_active=True)}
        vocabulary.sources = sources
        aliases = ImportColumnAlias.objects.values_list("alias", "field", "source_id")
        for alias, key, source_id in aliases.order_by("pk"):
            if source_id is None:
                vocabulary.names.setdefault(fold_header(alias), key)
            elif source_id in sources:
                vocabulary.by_source.setdefault(source_id, {})[fold_header(alias)] = key
        for kind, text, value in ImportTerm.objects.values_list("kind", "text", "value"):
            vocabulary.terms.setdefault(kind, {})[fold_term(text)] = value.strip()
        return vocabulary

    def names_for(self, source_id: int | None) -> dict[str, str]:
        """The names recognised in a file of ``source_id``: its own before everyone's."""
        if source_id is None or source_id not in self.by_source:
            return self.names
        return {**self.names, **self.by_source[source_id]}

    def every_name(self) -> dict[str, str]:
        """Every name any source uses: to find the header row before the source is known."""
        names = dict(self.names)
        for own in self.by_source.values():
            for name, key in own.items():
                names.setdefault(name, key)
        return names

    def source_of(self, headers: list[str]) -> ImportSource | None:
        """The remembered source whose own column names the file uses most (at least two)."""
        folded = {fold_header(h) for h in headers if h}
        best, best_count = None, 1
        for source_id, own in self.by_source.items():
            count = len(folded & set(own))
            if count > best_count:
                best, best_count = self.sources[source_id], count
        return best

    def term(self, kind: str, text: object) -> str | None:
        """The value of the term a cell says: the whole cell, else the earliest (then longest)
        term it contains as whole words."""
        folded = fold_term(text)
        known = self.terms.get(kind, {})
        if folded in known:
            return known[folded]
        found = self.find_terms(kind, folded)
        return found[0][2] if found else None

    def find_terms(self, kind: str, folded: str) -> list[tuple[int, int, str]]:
        """(position, -length, value) of every term of ``kind`` in ``folded``, earliest first."""
        padded = f" {folded} "
        found = []
        for text, value in self.terms.get(kind, {}).items():
            if not text:
                continue
            at = padded.find(f" {text} ")
            if at >= 0:
                found.append((at, -len(text), value))
        return sorted(found)


def header_candidates(header: str, parts: tuple[str, str] | None = None) -> list[str]:
    """The folded names a header may be known by, in order of trust: the whole "parent /
    child", the child, the parent (two-row headers); then each without a trailing footnote
    number ("Họ và tên (1)"). Empty where a name does not apply."""
    names = [fold_header(header), "", ""]
    if parts is not None and parts[0] and parts[1]:
        names[1:] = [fold_header(parts[1]), fold_header(parts[0])]
    trimmed = [re.sub(r"( \d+)+$", "", name) for name in names]
    return names + [t if t != n else "" for t, n in zip(trimmed, names, strict=True)]


def guess_mapping(
    headers: list[str],
    names: dict[str, str] | None = None,
    parts: list[tuple[str, str]] | None = None,
) -> dict[str, int]:
    """Field key → column index, matching headers by the vocabulary's names; whole names are
    matched in every column before children, parents or trimmed names are tried."""
    if names is None:
        names = {fold_header(column.header): column.key for column in COLUMNS}
    candidates = [
        header_candidates(header, parts[index] if parts and index < len(parts) else None)
        for index, header in enumerate(headers)
    ]
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for tier in range(6):
        for index, names_of_column in enumerate(candidates):
            name = names_of_column[tier]
            if not name or index in taken:
                continue
            key = names.get(name)
            if key is not None and key not in mapping:
                mapping[key] = index
                taken.add(index)
    return mapping


def _column_list(headers: list[str]) -> str:
    shown = [f"“{h[:40]}”" for h in headers if h][:30]
    return "; ".join(shown) if shown else _("(không có tên cột nào)")


def mapping_problems(
    mapping: dict[str, int], headers: list[str], layout: dict | None = None
) -> list[str]:
    """The file-level reasons the rows cannot be checked yet, each naming what is missing and,
    once, the headers that were seen (column names, never a row's values)."""
    layout = layout or {}
    by_gender = "birth_male" in mapping and "birth_female" in mapping  # gives the gender too
    problems = [
        _("Không tìm thấy cột bắt buộc cho “%(c)s”.") % {"c": column.header}
        for column in COLUMNS
        if column.required
        and column.key not in mapping
        and not (column.key == "gender" and by_gender)
    ]
    if not by_gender and not {"national_id", "date_of_birth", "birth_year"} & set(mapping):
        problems.append(
            _("Không tìm thấy cột số định danh, ngày sinh hoặc năm sinh (cần ít nhất một cột).")
        )
    if "sentence_months" not in mapping and "main_penalty" not in mapping:
        problems.append(
            _(
                "Không tìm thấy cột thời hạn tù (ví dụ “Thời hạn tù”, “Mức án”): cần để tính "
                "ngày xóa án tích."
            )
        )
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in BY_KEY or not 0 <= index < len(headers):
            problems.append(_("Ghép cột không hợp lệ."))
        elif index in used:
            problems.append(_("Cột “%(h)s” được chọn cho hai thông tin.") % {"h": headers[index]})
        used[index] = key
    if problems:
        rows = layout.get("header_rows") or [1]
        if layout.get("header_found", True):
            where = "–".join(str(r) for r in rows)
            problems.append(
                _("Các cột đã thấy ở dòng tên cột (dòng %(rows)s): %(columns)s.")
                % {"rows": where, "columns": _column_list(headers)}
            )
        else:
            problems.append(
                _(
                    "Không nhận ra dòng tên cột nào trong %(n)s dòng đầu của tệp (không có tên cột "
                    "quen thuộc như “Họ và tên”, “Ngày chấp hành xong án”). Dòng %(row)s được "
                    "coi là dòng tên cột: hãy ghép từng cột bên dưới."
                )
                % {"n": HEADER_SCAN_ROWS, "row": rows[0]}
            )
    return problems
