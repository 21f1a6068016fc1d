"""Normalisation and validation of identifiers, phone numbers, names and dates.

Each function returns the normalised value or raises ``ValidationError`` with a specific message
(Vietnamese first, English through the ``en`` catalogue) and a stable ``code``. The reference
tables they use (province codes, the 2018 mobile prefix table) are CSV data in
``fixtures/reference/``, not constants.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"
_SEPARATORS = re.compile(r"[\s.\-]")


def _read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def citizen_id_province_codes() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _read_csv("citizen_id_province_codes.csv")}


@cache
def legacy_mobile_prefixes() -> dict[str, str]:
    return {row["old_prefix"]: row["new_prefix"] for row in _read_csv("legacy_mobile_prefixes.csv")}


# --- text ----------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, unaccented, single-spaced form for search and matching (đ → d included)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.casefold().split())


def clean_name(raw: str) -> str:
    """A person's name as stored: NFC, single-spaced; refuses empty names and digits."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise ValidationError(_("Chưa nhập họ và tên."), code="name_required")
    if any(ch.isdigit() for ch in name):
        raise ValidationError(_("Họ và tên không được chứa chữ số."), code="name_digits")
    if len(name) > 150:
        raise ValidationError(_("Họ và tên quá dài (tối đa 150 ký tự)."), code="name_too_long")
    return name


# --- citizen ID (LAW.md §6) ----------------------------------------------------------------------


def normalize_national_id(raw: str) -> str:
    """Digits of a citizen ID with spaces, dots and hyphens removed; format checks only."""
    value = _SEPARATORS.sub("", str(raw or ""))
    if not value:
        raise ValidationError(_("Chưa nhập số định danh cá nhân."), code="national_id_required")
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("Số định danh cá nhân chỉ gồm chữ số."), code="national_id_not_digits"
        )
    if len(value) != 12:
        raise ValidationError(
            _("Số định danh cá nhân phải có đúng 12 chữ số (đã nhập %(count)d)."),
            code="national_id_length",
            params={"count": len(value)},
        )
    if value[:3] not in citizen_id_province_codes():
        raise ValidationError(
            _("Mã tỉnh %(code)s ở đầu số định danh không phải mã tỉnh nơi đăng ký khai sinh nào."),
            code="national_id_province",
            params={"code": value[:3]},
        )
    return value


def national_id_birth_facts(national_id: str) -> tuple[int, str]:
    """(year of birth, gender) encoded in a normalised citizen ID: digit 4 gives century and sex
    (1900s male 0 / female 1, 2000s 2 / 3 …), digits 5–6 the year within the century."""
    digit = int(national_id[3])
    year = 1900 + (digit // 2) * 100 + int(national_id[4:6])
    return year, ("male" if digit % 2 == 0 else "female")


def validate_national_id(
    raw: str, *, birth_year: int | None = None, gender: str | None = None
) -> str:
    """Normalise and check a citizen ID against the person's year of birth and gender."""
    value = normalize_national_id(raw)
    id_year, id_gender = national_id_birth_facts(value)
    if birth_year is not None and id_year != birth_year:
        raise ValidationError(
            _(
                "Số định danh cho biết năm sinh %(id_year)d (chữ số thứ 4 và 5–6) nhưng năm sinh "
                "đã nhập là %(year)d."
            ),
            code="national_id_birth_year",
            params={"id_year": id_year, "year": birth_year},
        )
    if gender in {"male", "female"} and id_gender != gender:
        raise ValidationError(
            _(
                "Chữ số thứ 4 của số định danh cho biết giới tính %(id_gender)s, không khớp với "
                "giới tính đã nhập."
            ),
            code="national_id_gender",
            params={"id_gender": _("nam") if id_gender == "male" else _("nữ")},
        )
    return value


# --- phone numbers (MESSAGING.md §5) -------------------------------------------------------------


def normalize_phone(raw: str) -> str:
    """A Vietnamese mobile number in E.164 (+84…). Legacy 11-digit numbers are converted by the
    2018 prefix table; landlines, foreign and unknown numbers are refused with the reason."""
    text = re.sub(r"[\s.\-()]", "", str(raw or ""))
    if not text:
        raise ValidationError(_("Chưa nhập số điện thoại."), code="phone_required")
    if text.startswith("00"):
        text = "+" + text[2:]
    if not re.fullmatch(r"\+?\d{8,15}", text):
        raise ValidationError(
            _("Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +)."), code="phone_format"
        )
    if text.startswith("+84"):
        national = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):  # 84 + 9 digits, or + a legacy 10
        national = "0" + text[2:]
    else:
        national = text  # domestic form, or another country's +code (refused below)
    if national.startswith("01") and len(national) == 11:
        new_prefix = legacy_mobile_prefixes().get(national[:4])
        if new_prefix is None:
            raise ValidationError(
                _("Đầu số cũ %(prefix)s không có trong bảng chuyển đổi số 11 chữ số (2018)."),
                code="phone_legacy_unknown",
                params={"prefix": national[:4]},
            )
        national = new_prefix + national[4:]
    try:
        number = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Không đọc được số điện thoại."), code="phone_unparsable") from None
    if number.country_code != 84:
        raise ValidationError(_("Chỉ nhận số di động Việt Nam (+84)."), code="phone_not_vietnamese")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Số điện thoại không tồn tại trong dải số của Việt Nam."), code="phone_invalid"
        )
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise ValidationError(
            _("Đây là số cố định, không phải số di động."), code="phone_not_mobile"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- dates ---------------------------------------------------------------------------------------


_TODAY: ContextVar[dt.date | None] = ContextVar("validation_today", default=None)


def today() -> dt.date:
    return _TODAY.get() or timezone.localdate()


@contextmanager
def one_day() -> Iterator[dt.date]:
    """Within the block ``today()`` is the day it started: a job checking many rows (an import)
    reads the clock once and judges every row against the same day."""
    token = _TODAY.set(timezone.localdate())
    try:
        yield _TODAY.get()  # type: ignore[misc]
    finally:
        _TODAY.reset(token)


def validate_birth(date_of_birth: dt.date | None, birth_year: int | None) -> int | None:
    """Check the date or year of birth; returns the year of birth (from the date if given)."""
    if date_of_birth is not None:
        if date_of_birth > today():
            raise ValidationError(_("Ngày sinh không được ở tương lai."), code="birth_future")
        if birth_year is not None and birth_year != date_of_birth.year:
            raise ValidationError(
                _("Năm sinh không khớp với ngày sinh."), code="birth_year_mismatch"
            )
        birth_year = date_of_birth.year
    if birth_year is not None and not 1900 <= birth_year <= today().year - 14:
        raise ValidationError(
            _("Năm sinh %(year)d không hợp lý (người chấp hành án phải từ 14 tuổi)."),
            code="birth_year_range",
            params={"year": birth_year},
        )
    return birth_year


def validate_release_date(
    release_date: dt.date, *, birth_year: int | None, date_of_birth: dt.date | None = None
) -> None:
    """A release date is after birth and no further ahead than a prison notice can be."""
    window = settings.RELEASE_NOTICE_WINDOW_DAYS
    if release_date > today() + dt.timedelta(days=window):
        raise ValidationError(
            _(
                "Ngày chấp hành xong án %(date)s quá xa: thông báo của trại giam chỉ gửi trước tối "
                "đa %(days)d ngày."
            ),
            code="release_too_far",
            params={"date": release_date.strftime("%d/%m/%Y"), "days": window},
        )
    born = date_of_birth or (dt.date(birth_year, 1, 1) if birth_year else None)
    if born is not None and release_date <= born:
        raise ValidationError(
            _("Ngày chấp hành xong án phải sau ngày sinh."), code="release_before_birth"
        )


def validate_not_future(value: dt.date | None, *, code: str, message: str) -> None:
    if value is not None and value > today():
        raise ValidationError(message, code=code)
