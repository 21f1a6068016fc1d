"""In-app notifications and the escalation of overdue referrals to the provincial police."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Notification, Referral, Role, User


def notify(*, users: list[User], text: str, url: str = "") -> int:
    Notification.objects.bulk_create(
        Notification(user=user, text=text[:300], url=url) for user in users
    )
    return len(users)


def referral_url(referral: Referral) -> str:
    return f"/referrals/{referral.uuid}/"


@transaction.atomic
def referrals_escalate_overdue(*, on: dt.date) -> int:
    """Tell the provincial police about every referral still unanswered after its deadline, once.
    Returns how many referrals were escalated (for the scheduler's log)."""
    overdue = list(
        Referral.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(Referral.overdue_q(on), escalated_at__isnull=True)
        .select_related("agency", "need__need_type")
    )
    if not overdue:
        return 0
    chiefs = list(
        User.objects.filter(
            memberships__role=Role.PROVINCIAL_POLICE, memberships__is_active=True, is_active=True
        ).distinct()
    )
    now = timezone.now()
    for referral in overdue:
        notify(
            users=chiefs,
            text=_("Quá hạn trả lời: %(need)s gửi %(agency)s, hạn %(due)s.")
            % {
                "need": referral.need.need_type.name,
                "agency": referral.agency.name,
                "due": referral.response_due.strftime("%d/%m/%Y"),
            },
            url=referral_url(referral),
        )
    Referral.objects.filter(pk__in=[r.pk for r in overdue]).update(escalated_at=now)
    return len(overdue)


def members_of(agency_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__agency_id=agency_id, memberships__is_active=True, is_active=True
        ).distinct()
    )
