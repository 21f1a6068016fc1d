"""The workspace's header: the few places each role goes to every day, with the counts that say
"something is waiting for you" (work due today, new referrals, overdue, unread notifications).

``workspace`` is a context processor; everything it gives is lazy, so a page that does not draw
the header (the public site, a download) costs nothing. Counts go through the access policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.counts import kept as counts_kept
from registry.models import Case, Notification, Referral, User

Count = Callable[[User, dt.date], int]


def _work_due(user: User, today: dt.date) -> int:
    """Arrivals whose address check is due today or late, and referrals waiting for the police."""
    cases = access.case_list_for_user(user).filter(
        status__in=[Case.Status.EXPECTED, Case.Status.AWAITING_ARRIVAL],
        address_check_due__lte=today,
    )
    return cases.count() + _new_referrals(user, today)


def _new_referrals(user: User, today: dt.date) -> int:
    agencies = access.agencies_for(user, "referral.act") or access.agencies_for(
        user, "referral.create"
    )
    if not agencies:
        return 0
    return Referral.objects.filter(agency_id__in=agencies, status=Referral.Status.REQUESTED).count()


def _overdue(user: User, today: dt.date) -> int:
    return access.referral_list_for_user(user).filter(Referral.overdue_q(today)).count()


def _unread(user: User, today: dt.date) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Place:
    label: Any
    url_name: str
    # The user sees the place when they hold any of these capabilities (empty: everyone).
    capabilities: tuple[str, ...] = ()
    count: Count | None = None
    alert: bool = False  # a count here is a problem (drawn red), not just work
    # URL prefixes that belong to this place (for "you are here").
    prefixes: tuple[str, ...] = ()
    # Commune roles only (the agencies have no worklist of supervision).
    commune_only: bool = False


PLACES = (
    Place(_("Trang chính"), "home"),
    Place(
        _("Việc hôm nay"),
        "worklist",
        ("case.create",),
        _work_due,
        prefixes=("/worklist/",),
        commune_only=True,
    ),
    Place(_("Hồ sơ"), "case-list", ("case.view",), prefixes=("/cases/",)),
    Place(_("Đề nghị mới"), "inbox", ("referral.act",), _new_referrals, prefixes=("/inbox/",)),
    Place(_("Quá hạn"), "overdue", ("case.grant",), _overdue, alert=True, prefixes=("/overdue/",)),
    Place(_("Vay vốn"), "loans", ("loan.manage",), prefixes=("/loans/",)),
    Place(_("Khóa học"), "courses", ("training.manage",), prefixes=("/courses/",)),
    Place(_("Nội dung"), "outreach-home", ("content.edit", "campaign.manage")),
    Place(_("Nhật ký truy cập"), "audit-events", ("audit.view",), prefixes=("/audit/",)),
    Place(_("Báo cáo"), "reports", ("report.view",), prefixes=("/reports/",)),
    Place(
        _("Thông báo"),
        "notifications",
        (),
        _unread,
        prefixes=("/notifications/",),
    ),
)


def _supervision(user: User, today: dt.date) -> int:
    from registry.views.supervision import supervision_count  # the view module builds on this one

    return supervision_count(user, today)


# The police's legal workflow (Circular 10/2024): transfers to answer, people who did not report.
PLACES += (
    Place(
        _("Giám sát"),
        "supervision-work",
        ("case.transition", "case.assign_helper"),
        _supervision,
        prefixes=("/supervision/", "/transfers/"),
        commune_only=True,
    ),
)


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    count: int | None
    alert: bool
    current: bool


def places_for(user: User) -> list[Place]:
    commune = bool(access.units_for(user, "case.view"))
    return [
        p
        for p in PLACES
        if (not p.capabilities or any(access.has(user, c) for c in p.capabilities))
        and (commune or not p.commune_only)
    ]


def navigation(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not getattr(user, "is_authenticated", False) or not user.is_verified():
        return []
    today = timezone.localdate()
    places = places_for(user)
    counts = counts_kept(
        user,
        "header",
        lambda: {p.url_name: p.count(user, today) for p in places if p.count is not None},
    )
    items = []
    for place in places:
        url = reverse(place.url_name)
        current = request.path == url or any(request.path.startswith(p) for p in place.prefixes)
        items.append(NavItem(place.label, url, counts.get(place.url_name), place.alert, current))
    return items


def workspace(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``nav`` (the header's places with counts), ``can_search`` and the
    user's roles in Vietnamese, each computed only if the page uses it."""
    user = request.user
    return {
        "nav": SimpleLazyObject(lambda: navigation(request)),
        "can_search": SimpleLazyObject(lambda: access.has(user, "person.view")),
        "role_names": SimpleLazyObject(lambda: access.role_names(user)),
    }
