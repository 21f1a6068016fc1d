"""Monthly budgets per sending route (``ChannelBudget``) and what each route spent.

``take`` adds a message's cost to the month's spend with one conditional UPDATE — it succeeds
only while the spend stays within the limit — so two workers can never both take the last đồng.
A send that the provider refuses gives its cost back (``refund``). When a route's budget is
spent, ``pause_campaign`` stops the campaign with ``paused_reason = "budget:<route>"``, which its
page explains; a manager resumes it once the budget is raised or a new month starts.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from outreach.models import BudgetSpend, Campaign, ChannelBudget


def month_start(day: dt.date | None = None) -> dt.date:
    day = day or timezone.localdate()
    return day.replace(day=1)


def _limit(provider: str) -> int | None:
    budget = ChannelBudget.objects.filter(provider=provider, is_active=True).first()
    return int(budget.monthly_limit) if budget else None


def limits() -> dict[str, int]:
    """Route → monthly limit of the active budgets (read once per dispatched batch)."""
    return {b.provider: int(b.monthly_limit) for b in ChannelBudget.objects.filter(is_active=True)}


def take(*, provider: str, amount: int, known_limits: dict[str, int] | None = None) -> bool:
    """Charge ``amount`` VND to the route's month; False (nothing charged) past its budget.
    ``known_limits`` (from ``limits()``) spares a query per message."""
    limit = known_limits.get(provider) if known_limits is not None else _limit(provider)
    if limit is None:
        return True
    month = month_start()
    if not BudgetSpend.objects.filter(provider=provider, month=month).exists():
        try:
            with transaction.atomic():
                BudgetSpend.objects.create(provider=provider, month=month, spent=0)
        except IntegrityError:
            pass  # another worker created it
    return bool(
        BudgetSpend.objects.filter(
            provider=provider, month=month, spent__lte=limit - amount
        ).update(spent=F("spent") + amount, updated_at=timezone.now())
    )


def refund(*, provider: str, amount: int) -> None:
    if amount and provider in limits():
        BudgetSpend.objects.filter(
            provider=provider, month=month_start(), spent__gte=amount
        ).update(spent=F("spent") - amount)


def spent(provider: str, month: dt.date | None = None) -> int:
    row = BudgetSpend.objects.filter(provider=provider, month=month_start(month)).first()
    return int(row.spent) if row else 0


def status(provider: str) -> dict[str, int | None]:
    limit = _limit(provider)
    used = spent(provider)
    return {
        "limit": limit,
        "spent": used,
        "left": None if limit is None else max(limit - used, 0),
    }


def pause_campaign(*, campaign_id: int, provider: str) -> bool:
    """RUNNING → PAUSED because the route's budget is spent (no person pressed pause)."""
    return bool(
        Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.RUNNING).update(
            status=Campaign.Status.PAUSED,
            paused_reason=f"budget:{provider}"[:40],
            updated_at=timezone.now(),
        )
    )
