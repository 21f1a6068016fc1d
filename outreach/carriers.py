"""Vietnamese mobile carriers by number prefix (MESSAGING.md sections 5 and 10).

Portability makes the prefix a hint, not a fact: a gateway's delivery report (eSMS ``telcoid``)
overrides it on the message. The table is data: ``OUTREACH_CARRIER_PREFIXES`` (JSON, carrier →
list of national prefixes) replaces it without a release.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Carrier → the 3-digit national prefixes (0 + 2 digits) in use since the 2018 change.
DEFAULT_PREFIXES: dict[str, list[str]] = {
    "viettel": ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098"],
    "mobifone": ["070", "076", "077", "078", "079", "089", "090", "093"],
    "vinaphone": ["081", "082", "083", "084", "085", "088", "091", "094"],
    "vietnamobile": ["052", "056", "058", "092"],
    "gmobile": ["059", "099"],
    "itel": ["087"],
    "reddi": ["055"],
}

LABELS = {
    "viettel": _("Viettel"),
    "mobifone": _("MobiFone"),
    "vinaphone": _("VinaPhone"),
    "vietnamobile": _("Vietnamobile"),
    "gmobile": _("Gmobile"),
    "itel": _("Itel"),
    "reddi": _("Reddi"),
    "": _("Không rõ nhà mạng"),
    "other": _("Số nước ngoài / khác"),
}


@lru_cache(maxsize=4)
def _by_prefix(table: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    return {prefix: carrier for carrier, prefixes in table for prefix in prefixes}


def prefix_table() -> dict[str, str]:
    table = getattr(settings, "OUTREACH_CARRIER_PREFIXES", None) or DEFAULT_PREFIXES
    return _by_prefix(tuple((c, tuple(p)) for c, p in sorted(table.items())))


def carrier_of(e164: str | None) -> str:
    """The carrier of a Vietnamese mobile in E.164 (``+84…``), "other" for a foreign number,
    "" when unknown."""
    if not e164:
        return ""
    if not e164.startswith("+84"):
        return "other" if e164.startswith("+") else ""
    return prefix_table().get("0" + e164[3:5], "")


def is_vietnamese_mobile(e164: str | None) -> bool:
    return carrier_of(e164) not in ("", "other")


def label(carrier: str) -> str:
    return str(LABELS.get(carrier, carrier))
