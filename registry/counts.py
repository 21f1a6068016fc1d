"""The figures that say "something is waiting for you" — the header's counts on every staff page,
the home page's cards, the inbox's tabs — kept a short while per user.

Every staff page draws the header: for a commune officer five counts over the commune's cases and
referrals, the same answers many times a minute (issue 20: a tenth of a page's server time). They
are kept in the cache for ``COUNTS_SECONDS`` per user, day and scope, and forgotten as soon as the
user sends anything that may change data (``SessionLimitsMiddleware``: any POST but a view marked
``reads_only``), so an officer sees the effect of their own action at once and another officer's
within ``COUNTS_SECONDS``. The cache holds figures and labels only, never personal data; if it
cannot be reached the figures are counted as before.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from registry import access
from registry.models import User

T = TypeVar("T")
NAMES = ("header", "home", "inbox")
log = logging.getLogger("registry.counts")


def _key(user: User, name: str) -> str:
    # The scope in the key: a membership granted or ended reads new figures at once.
    seats = sorted((s.role, s.agency_id, sorted(s.unit_ids)) for s in access.memberships(user))
    scope = hashlib.blake2s(repr(seats).encode(), digest_size=8).hexdigest()
    return f"counts:{name}:{user.pk}:{scope}:{timezone.localdate():%Y%m%d}"


def kept(user: User, name: str, count: Callable[[], T]) -> T:
    """``count()``'s answer for this user, from the cache when it is recent enough."""
    seconds = settings.COUNTS_SECONDS
    if seconds <= 0:
        return count()
    key = _key(user, name)
    try:
        value = cache.get(key)
    except Exception:  # the cache is an optimisation: a page never fails for it
        log.warning("counts cache unreachable", exc_info=True)
        return count()
    if value is None:
        value = count()
        try:
            cache.set(key, value, seconds)
        except Exception:
            log.warning("counts cache unreachable", exc_info=True)
    return value


def reads_only(view: Callable[..., T]) -> Callable[..., T]:
    """Marks a view that answers a POST without changing anything (the search box posts so that
    an identifier never sits in a URL): it keeps the user's figures."""
    view.reads_only = True  # type: ignore[attr-defined]
    return view


def forget(user: User) -> None:
    """The user changed something: their figures are counted afresh on the next page."""
    try:
        cache.delete_many([_key(user, name) for name in NAMES])
    except Exception:
        log.warning("counts cache unreachable", exc_info=True)
