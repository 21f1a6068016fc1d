"""The hours in which messages may go out (Decree 91/2020: 07:00–22:00, Asia/Ho_Chi_Minh).

``OUTREACH_SEND_WINDOW`` is "HH:MM-HH:MM" in local time; "00:00-24:00" allows every hour.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def _bounds() -> tuple[dt.time, dt.time | None]:
    start_text, end_text = settings.OUTREACH_SEND_WINDOW.split("-")
    start = dt.time.fromisoformat(start_text.strip())
    end_text = end_text.strip()
    return start, None if end_text == "24:00" else dt.time.fromisoformat(end_text)


def in_send_window(moment: dt.datetime | None = None) -> bool:
    local = timezone.localtime(moment or timezone.now())
    start, end = _bounds()
    return local.time() >= start and (end is None or local.time() < end)


def next_send_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` if it is inside the window, else the next opening of the window."""
    if in_send_window(moment):
        return moment
    local = timezone.localtime(moment)
    start, _ = _bounds()
    day = local.date() if local.time() < start else local.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, start))
