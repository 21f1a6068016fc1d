"""The date a conviction can be expunged (Penal Code 2015 art. 69–73, 107), computed from the
custody record and the waiting periods stored as ``ExpungementPeriod`` rows.

The result is a date plus a Vietnamese explanation of how it was reached, shown to the roles that
may see conviction details. No date is given while civil obligations are unpaid (art. 70(2)).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from registry.models import CustodyRecord, ExpungementPeriod
from registry.workdays import add_months

# Chapters XIII (national security, art. 108–122) and XXVI (war crimes, art. 421–425) are
# expunged only by a court decision (art. 71).
COURT_ORDERED_ARTICLES = frozenset(range(108, 123)) | frozenset(range(421, 426))
NON_CUSTODIAL = {
    CustodyRecord.PenaltyKind.WARNING,
    CustodyRecord.PenaltyKind.FINE,
    CustodyRecord.PenaltyKind.NON_CUSTODIAL,
    CustodyRecord.PenaltyKind.SUSPENDED,
}


@dataclass(frozen=True)
class Expungement:
    eligible_on: dt.date | None
    explanation: str


def _articles(text: str | None) -> set[int]:
    return {int(n) for n in re.findall(r"\d{2,3}", text or "")}


def _age_at(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _pick_period(
    periods: Iterable[ExpungementPeriod], article: str, custodial: bool, months: int | None
) -> ExpungementPeriod:
    rows = [p for p in periods if p.article == article and p.custodial == custodial]
    if custodial:
        rows = [
            p for p in rows if p.max_prison_months is None or (months or 0) <= p.max_prison_months
        ]
        rows.sort(key=lambda p: (p.max_prison_months is None, p.max_prison_months or 0))
    if not rows:
        raise LookupError(f"no expungement period for article {article}")
    return rows[0]


def compute_expungement(
    *,
    release_date: dt.date,
    main_penalty: str,
    sentence_months: int | None,
    additional_penalty_months: int | None,
    obligations_fulfilled: bool | None,
    penal_code_articles: str | None,
    offence_date: dt.date | None,
    date_of_birth: dt.date | None,
    periods: Iterable[ExpungementPeriod],
) -> Expungement:
    periods = list(periods)
    fmt = "%d/%m/%Y"
    if offence_date and date_of_birth and _age_at(date_of_birth, offence_date) < 16:
        return Expungement(
            release_date,
            "Phạm tội khi chưa đủ 16 tuổi: không bị coi là có án tích (Điều 107(1) BLHS).",
        )
    if obligations_fulfilled is False:
        return Expungement(
            None,
            "Chưa hoàn thành nghĩa vụ dân sự, án phí hoặc quyết định khác của bản án: chưa đủ "
            "điều kiện xóa án tích (Điều 70(2) BLHS).",
        )
    juvenile = bool(offence_date and date_of_birth and _age_at(date_of_birth, offence_date) < 18)
    court = bool(_articles(penal_code_articles) & COURT_ORDERED_ARTICLES)
    article = "107" if juvenile else ("71" if court else "70")
    custodial = main_penalty not in NON_CUSTODIAL
    unbounded = main_penalty in {
        CustodyRecord.PenaltyKind.LIFE,
        CustodyRecord.PenaltyKind.DEATH_COMMUTED,
    }
    months = 10**6 if unbounded else sentence_months  # life terms fall beyond every bounded band
    period = _pick_period(periods, article, custodial, months)
    wait = period.wait_months
    notes = [f"Điều {article}(2) khung {period.band} ({period.description}): chờ {wait} tháng"]
    if additional_penalty_months and additional_penalty_months > wait and article == "70":
        wait = additional_penalty_months
        notes.append(
            f"hình phạt bổ sung {additional_penalty_months} tháng dài hơn "
            "nên tính theo hình phạt bổ sung"
        )
    eligible = add_months(release_date, wait)
    notes.append(f"từ ngày chấp hành xong {release_date:{fmt}} → {eligible:{fmt}}")
    if article == "71":
        notes.append("Tòa án quyết định xóa án tích khi có đơn đề nghị (Điều 71)")
    return Expungement(eligible, "; ".join(notes) + ".")
