"""Working-day arithmetic for legal deadlines: weekends and the PublicHoliday rows are days off."""

from __future__ import annotations

import calendar
import datetime as dt

from registry.models import PublicHoliday


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    return set(
        PublicHoliday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True)
    )


def is_working_day(day: dt.date, holidays: set[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date by which something is due ``days`` working days after ``start``.

    The day of the event does not count (Civil Code art. 147: a period counts from the next day);
    a deadline of 0 working days is ``start`` itself.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    # Holidays are at most ~2 weeks a year; weekends add 2 days in 7. This window always suffices.
    holidays = holidays_between(start, start + dt.timedelta(days=days * 2 + 30))
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the end of a shorter month (31/01 + 1 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
