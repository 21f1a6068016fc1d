"""Message text: placeholders, the SMS rendering without diacritics, GSM-7 and segment counts, the
offer label and opt-out suffix, and the discretion check (MESSAGING.md sections 4 and 6).

Pure functions: no database, no settings beyond what the caller passes in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# ((name)) placeholders; the values come from the registry when the outbox is written.
PLACEHOLDER = re.compile(r"\(\(\s*([a-z_]+)\s*\)\)")
PLACEHOLDERS: dict[str, str] = {
    "ten": "Tên gọi (Hùng)",
    "ho_ten": "Họ và tên",
    "xa": "Xã, phường nơi cư trú",
    "hotline": "Số đường dây nóng",
}

# GSM 03.38 basic set and its extension (extended characters cost two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")

# Punctuation that phones and operators mangle, mapped to plain GSM-7 characters.
PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00b7": ".",
    "\u2022": "-", "\t": " ",
}  # fmt: skip


def strip_diacritics(text: str) -> str:
    """Vietnamese without diacritics: NFD, drop the combining marks, then đ→d and Đ→D (which have
    no decomposition), then normalise punctuation and spaces. Other letters pass through."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.replace("đ", "d").replace("Đ", "D")
    bare = "".join(PUNCTUATION.get(c, c) for c in bare)
    bare = unicodedata.normalize("NFC", bare)
    return re.sub(r"[ ]{2,}", " ", bare).strip()


def has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return "đ" in decomposed.lower() or any(unicodedata.combining(c) for c in decomposed)


def fold(text: str) -> str:
    """Case-folded, unaccented: for matching words whatever the typing."""
    return strip_diacritics(text).casefold()


def non_gsm_characters(text: str) -> list[str]:
    return sorted({c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENDED})


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # in septets for GSM-7 (extended count 2), in UTF-16 units for UCS-2
    segments: int


def sms_count(text: str) -> SmsCount:
    """Segments as the network bills them: GSM-7 160 / 153 per part, UCS-2 70 / 67 per part."""
    if not non_gsm_characters(text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    if units == 0:
        return SmsCount(encoding, 0, 0)
    segments = 1 if units <= single else -(-units // part)
    return SmsCount(encoding, units, segments)


def placeholders_in(text: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def unknown_placeholders(text: str) -> list[str]:
    return sorted(placeholders_in(text) - PLACEHOLDERS.keys())


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace every ((name)); an unknown name raises KeyError (checked before queueing)."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def given_name(full_name: str) -> str:
    """The name Vietnamese people are addressed by: the last word of the full name."""
    parts = full_name.split()
    return parts[-1] if parts else ""


def sms_text(text: str, *, is_offer: bool, opt_out_text: str) -> str:
    """The SMS as it will be sent: unaccented, with [QC] first and the opt-out line last for offers
    (Decree 91/2020 art. 15–16)."""
    bare = strip_diacritics(text)
    if is_offer:
        bare = f"[QC] {bare} {strip_diacritics(opt_out_text)}"
    return bare


def zalo_text(text: str, *, is_offer: bool, opt_out_text: str) -> str:
    if is_offer:
        return f"[QC] {text.strip()}\n{opt_out_text}"
    return text.strip()


# Words that would tell a recipient's family, or anyone reading over a shoulder, that the
# recipient was in prison. Matched on folded text: phrases of two or more words are safe to match
# without diacritics; single syllables only with their diacritics ("tù" but not "tu", which is
# also "tự", "tu sửa" …).
DISCRETION_PHRASES = (
    "ra tù", "ra trại", "mãn hạn", "mãn hạn tù", "trại giam", "trại tạm giam", "nhà tù",
    "phạm nhân", "tù nhân", "tội phạm", "phạm tội", "tái phạm", "tiền án", "tiền sự", "án tích",
    "xóa án tích", "bản án", "chấp hành án", "chấp hành xong án", "án phạt tù", "hình phạt tù",
    "cải tạo", "đặc xá", "tha tù", "giam giữ", "hình sự", "bị kết án", "kết án", "phóng thích",
    "người chấp hành xong", "hoàn lương", "lầm lỗi",
)  # fmt: skip
DISCRETION_WORDS = ("tù", "án", "tội", "giam", "prison", "jail", "convict", "sentence", "crime")


# Phrases whose unaccented form is mostly innocent ("ban an toan" is "bạn an toàn"): matched only
# with their diacritics.
AMBIGUOUS_UNACCENTED = frozenset({"bản án", "kết án"})

_NOT_ASCII_WORD = re.compile(r"[^0-9a-z]+")
_NOT_WORD = re.compile(r"[^\w]+")


def _words(text: str, pattern: re.Pattern[str]) -> str:
    return " " + pattern.sub(" ", text) + " "


def _accented(text: str) -> str:
    return _words(unicodedata.normalize("NFC", text).casefold(), _NOT_WORD)


_PHRASES = [(p, _accented(p), _words(fold(p), _NOT_ASCII_WORD)) for p in DISCRETION_PHRASES]


def discretion_flags(*texts: str) -> list[str]:
    """The words in these texts that reveal a past conviction, as written in the check's list."""
    found: set[str] = set()
    for text in texts:
        accented = _accented(text)
        # Text written with diacritics is matched with them ("tiền ăn" is not "tiền án"); text
        # without any (an SMS) is matched unaccented, where the reader cannot tell either.
        folded = "" if has_diacritics(text) else _words(fold(text), _NOT_ASCII_WORD)
        for phrase, with_marks, without in _PHRASES:
            if with_marks in accented or (
                folded and phrase not in AMBIGUOUS_UNACCENTED and without in folded
            ):
                found.add(phrase)
        found.update(w for w in DISCRETION_WORDS if f" {w} " in accented)
    return sorted(found)
