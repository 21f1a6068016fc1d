"""Checking each row of people with the registry's own validation (the form's checks), after
reading the prisons' words: genders, release kinds and penalties by the vocabulary's terms, a
sentence written as words ("2 năm 6 tháng", "18 tháng tù", "Chung thân, giảm xuống 30 năm") to
months, dates as digits or words. Every problem is reported by column with a message that names
no value of the row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry import validation
from registry.errors import ApplicationError
from registry.imports.columns import BY_KEY, Vocabulary, fold_term
from registry.models import AdministrativeUnit, CustodyRecord, ImportTerm
from registry.selectors import UnitMatcher
from registry.services.people import _clean_custody, _clean_person  # the form's own checks

T = ImportTerm.Kind
P = CustodyRecord.PenaltyKind


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


def text(value: Any) -> str:
    """A cell as text: NFC, single-spaced, whole numbers without ".0"."""
    if value.__class__ is str:
        result = value
    elif value is None:
        return ""
    elif isinstance(value, float) and value.is_integer():
        result = str(int(value))
    else:
        result = str(value)
    if not result.isascii():
        result = unicodedata.normalize("NFC", result)
    return " ".join(result.split())


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_UNKNOWN_DAY = re.compile(r"(?:0{1,2}|x{1,2})\s*[/.-]\s*(?:0{1,2}|x{1,2})\s*[/.-]\s*(\d{4})")


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # An Excel date in a cell formatted as a number (days since 30/12/1899): 1954–2119.
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    raw = text(value)
    match = _DMY.fullmatch(raw) or _YMD.fullmatch(raw) or _WORDS.fullmatch(fold_term(raw))
    if match is not None:
        parts = [int(p) for p in match.groups()]
        day, month, year = reversed(parts) if match.re is _YMD else parts
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValidationError(_("Ngày không đúng dạng ngày/tháng/năm (ví dụ 20/12/2026)."))


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def parse_int(value: Any) -> int | None:
    raw = text(value)
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError(_("Phải là một số nguyên."))
    return int(raw)


def _national_id(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):012d}"  # a number in Excel lost its leading zeros
    return text(value)


def _phone(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits
    return text(value)


_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)?")


def parse_sentence(value: Any, vocabulary: Vocabulary) -> tuple[int | None, str | None]:
    """(months, penalty the text names) of a sentence: "36" → (36, None); "2 năm 6 tháng" →
    (30, None); "Chung thân" → (None, life); "Tử hình, ân giảm xuống chung thân" → (None,
    death_commuted); "Chung thân, giảm xuống 30 năm" → (360, life): a commuted term is kept as
    recorded. Days round the term up to the next month so that the expungement band stays."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and value >= 0:
            return int(value), None
        raise ValidationError(_("Thời hạn tù phải là số tháng nguyên hoặc ghi bằng chữ."))
    raw = validation.fold(text(value))
    if not raw:
        return None, None
    if raw.isdigit():
        return int(raw), None
    found = vocabulary.find_terms(T.MAIN_PENALTY, fold_term(raw))
    penalty = found[0][2] if found else None
    units = vocabulary.terms.get(T.SENTENCE_UNIT, {})
    months, days, counted = 0.0, 0.0, False
    for number, unit in _AMOUNT.findall(raw):
        if unit not in units:
            continue
        amount = float(number.replace(",", "."))
        if units[unit] == "day":
            days += amount
        else:
            months += amount * int(units[unit])
        counted = True
    if not counted:
        if penalty is not None and penalty != P.PRISON:
            return None, penalty
        raise ValidationError(
            _(
                "Không đọc được thời hạn tù: ghi số tháng (36) hoặc bằng chữ (“2 năm 6 tháng”, "
                "“18 tháng”, “Chung thân”)."
            )
        )
    return math.ceil(months + days / 30 - 1e-9), penalty


# Messages of the form's checks that would print a value of the row (a year, a date, a code):
# the import log says the same without it.
_VALUE_FREE = {
    "national_id_length": gettext_lazy("Số định danh cá nhân phải có đúng 12 chữ số."),
    "national_id_province": gettext_lazy("Mã tỉnh ở đầu số định danh không phải mã tỉnh nào."),
    "national_id_birth_year": gettext_lazy(
        "Năm sinh trong số định danh (chữ số thứ 4–6) không khớp với năm sinh."
    ),
    "national_id_gender": gettext_lazy("Chữ số thứ 4 của số định danh không khớp với giới tính."),
    "phone_legacy_unknown": gettext_lazy(
        "Đầu số cũ không có trong bảng chuyển đổi số 11 chữ số (2018)."
    ),
    "birth_year_range": gettext_lazy("Năm sinh không hợp lý (người chấp hành án phải từ 14 tuổi)."),
    "release_too_far": gettext_lazy(
        "Ngày chấp hành xong án quá xa: thông báo của trại giam chỉ gửi trước ít ngày."
    ),
}


def _messages(error: ValidationError) -> list[str]:
    out = []
    for item in error.error_list:
        if item.code in _VALUE_FREE:
            out.append(str(_VALUE_FREE[item.code]))
        elif item.params:
            out.append(str(item.message) % {key: "…" for key in item.params})
        else:
            out.append(str(item.message))
    return out


def _unit_message(error: ApplicationError) -> str:
    code = (error.extra or {}).get("code")
    if code == "unit_ambiguous":
        return _("Có nhiều xã cùng tên trước 01/07/2025: cần ghi rõ huyện (cột huyện).")
    if code == "unit_not_found":
        return _("Không tìm thấy xã, phường này trong danh mục đơn vị hành chính tỉnh Sơn La.")
    return _("Không xác định được xã, phường.")


class RowChecker:
    """Checks rows one by one with everything they need read once: units, the vocabulary."""

    def __init__(
        self,
        mapping: dict[str, int],
        *,
        allowed_units: set[int] | None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.mapping = mapping
        self.units = UnitMatcher()
        self.allowed_units = allowed_units  # None: any commune (provincial import)
        self.vocabulary = vocabulary or Vocabulary.load()
        self.today = validation.today()
        self.terms = self.vocabulary.terms
        self._communes: dict[tuple[str, str], AdministrativeUnit | str] = {}
        self._terms: dict[tuple[str, str], str] = {}  # a file repeats its words: read them once
        self._sentences: dict[Any, tuple[int | None, str | None]] = {}

    def _get(self, row: list[Any], key: str) -> Any:
        index = self.mapping.get(key)
        return row[index] if index is not None and index < len(row) else None

    def _term(self, kind: str, value: Any, default: str | None) -> str:
        raw = text(value)
        if not raw:
            return default or ""
        key = (kind, raw)
        if key not in self._terms:
            found = self.vocabulary.term(kind, raw)
            self._terms[key] = found if found is not None else fold_term(raw)
        return self._terms[key]

    def _sentence(self, value: Any) -> tuple[int | None, str | None]:
        key = value if isinstance(value, str | int | float) else repr(value)
        if key not in self._sentences:
            self._sentences[key] = parse_sentence(value, self.vocabulary)
        return self._sentences[key]

    def _commune(self, commune: str, district: str) -> AdministrativeUnit | str:
        """The unit responsible today, or the message (remembered: a file repeats its communes)."""
        key = (commune, district)
        if key not in self._communes:
            try:
                self._communes[key] = self.units.responsible_today(
                    commune=commune, district=district or None
                )
            except ApplicationError as error:
                self._communes[key] = _unit_message(error)
        return self._communes[key]

    def check(self, number: int, row: list[Any]) -> CheckedRow:
        result = CheckedRow(number)

        def header(key: str) -> str:
            return BY_KEY[key].header if key in BY_KEY else key

        def parse(key: str, convert):  # type: ignore[no-untyped-def]
            try:
                return convert(self._get(row, key))
            except ValidationError as error:
                result.errors.extend((header(key), m) for m in _messages(error))
                return None

        birth_year = parse("birth_year", parse_int)
        birth_cell = self._get(row, "date_of_birth")
        gender_cell = self._get(row, "gender")
        male, female = text(self._get(row, "birth_male")), text(self._get(row, "birth_female"))
        if male and female:
            result.errors.append(
                (header("birth_female"), _("Năm sinh ghi ở cả cột Nam và cột Nữ."))
            )
        elif (male or female) and _blank(birth_cell) and birth_year is None:
            # "Năm sinh" over "Nam" / "Nữ": the column holding the year gives the gender.
            birth_cell = male or female
            if not text(gender_cell):
                gender_cell = "Nam" if male else "Nữ"
        birth_match = _UNKNOWN_DAY.fullmatch(text(birth_cell).lower())
        if birth_match or re.fullmatch(r"\d{4}", text(birth_cell)):
            # "1985" or "00/00/1985" in the date column: only the year is known.
            date_of_birth, birth_year = None, birth_year or int(text(birth_cell)[-4:])
        else:
            try:
                date_of_birth = parse_date(birth_cell)
            except ValidationError as error:
                key = "date_of_birth" if "date_of_birth" in self.mapping else "birth_male"
                key = key if male or key == "date_of_birth" else "birth_female"
                result.errors.extend((header(key), m) for m in _messages(error))
                date_of_birth = None
        person = {
            "full_name": text(self._get(row, "full_name")),
            "gender": self._term(T.GENDER, gender_cell, None),
            "date_of_birth": date_of_birth,
            "birth_year": birth_year,
            "national_id": _national_id(self._get(row, "national_id")) or None,
            "phone": _phone(self._get(row, "phone")) or None,
            "address": text(self._get(row, "address")) or None,
            "ethnicity": text(self._get(row, "ethnicity")) or None,
        }
        try:
            result.person = _clean_person(person)
        except ValidationError as error:
            for name, errors in error.error_dict.items():
                for message in _messages(ValidationError(errors)):
                    result.errors.append((header(name), message))
        commune_text = text(self._get(row, "commune"))
        if not commune_text:
            result.errors.append((header("commune"), _("Chưa ghi xã, phường về cư trú.")))
        else:
            unit = self._commune(commune_text, text(self._get(row, "district")))
            if isinstance(unit, str):
                result.errors.append((header("commune"), unit))
            else:
                result.commune = unit
                if self.allowed_units is not None and unit.pk not in self.allowed_units:
                    result.errors.append(
                        (header("commune"), _("Bạn không phụ trách xã, phường này."))
                    )
        sentence = parse("sentence_months", self._sentence)
        months, named_penalty = sentence if sentence else (None, None)
        penalty = self._term(T.MAIN_PENALTY, self._get(row, "main_penalty"), None)
        if not penalty or (penalty == P.PRISON and named_penalty not in (None, P.PRISON)):
            penalty = named_penalty or P.PRISON
        custody = {
            "release_date": parse("release_date", parse_date),
            "release_kind": self._term(
                T.RELEASE_KIND,
                self._get(row, "release_kind"),
                CustodyRecord.ReleaseKind.COMPLETED,
            ),
            "main_penalty": penalty,
            "sentence_months": months,
            "offence": text(self._get(row, "offence")) or None,
            "penal_code_articles": text(self._get(row, "penal_code_articles")) or None,
            "court": text(self._get(row, "court")) or None,
            "judgment_number": text(self._get(row, "judgment_number")) or None,
            "judgment_date": parse("judgment_date", parse_date),
            "prison": text(self._get(row, "prison")) or None,
            "certificate_number": text(self._get(row, "certificate_number")) or None,
            "certificate_date": parse("certificate_date", parse_date),
        }
        result.notice_received_on = parse("notice_received_on", parse_date) or self.today
        result.reporting_deadline = parse("reporting_deadline", parse_date)
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
                reported = {label for label, _m in result.errors}
                for name, errors in error.error_dict.items():
                    if header(name) in reported:
                        continue  # the column's own reading failed: one message is enough
                    for message in _messages(ValidationError(errors)):
                        result.errors.append((header(name), message))
        result.custody = custody
        return result


@dataclass(frozen=True)
class _Subject:
    """What the custody checks read of the person, before the person exists."""

    birth_year: int | None
    date_of_birth: dt.date | None
