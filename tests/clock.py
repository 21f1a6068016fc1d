""" "Today" and "now" for tests, taken the way the app takes them.

The app records dates in Asia/Ho_Chi_Minh (``timezone.localdate()``); the machines running the tests
keep UTC. Between 17:00 and 24:00 UTC the two calendars differ by a day, so a test that typed the
machine's date (``date.today()``) failed seven hours a day. Tests call ``today()`` when they need
the date (never a module constant: a run may cross Vietnam's midnight), and ``local_instant`` to pin
the clock at a given local or UTC time with time-machine.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> dt.date:
    """The app's today: the date in Asia/Ho_Chi_Minh."""
    return timezone.localdate()


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def utc_instant(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def local_instant(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VIETNAM)
