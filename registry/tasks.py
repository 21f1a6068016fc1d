"""Periodic registry work run by Celery beat (the management commands do the same by hand)."""

from celery import shared_task
from django.utils import timezone

from registry.services.notifications import referrals_escalate_overdue


@shared_task(name="registry.escalate_overdue_referrals", ignore_result=True)
def escalate_overdue_referrals() -> int:
    return referrals_escalate_overdue(on=timezone.localdate())
