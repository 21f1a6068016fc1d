"""Periodic registry work run by Celery beat (the management commands do the same by hand)."""

import contextlib

from celery import shared_task
from django.utils import timezone

from registry.services.notifications import referrals_escalate_overdue


@shared_task(name="registry.escalate_overdue_referrals", ignore_result=True)
def escalate_overdue_referrals() -> int:
    return referrals_escalate_overdue(on=timezone.localdate())


@shared_task(name="registry.import_check", ignore_result=True)
def import_check(
    batch_id: int,
    user_id: int,
    mapping: dict[str, int] | None = None,
    encoding: str | None = None,
) -> None:
    """The dry run of an uploaded file (progress in the cache, the result on the batch)."""
    from registry.models import ImportBatch, User
    from registry.services.imports import cache_progress, import_batch_check

    batch = ImportBatch.objects.get(pk=batch_id)
    import_batch_check(
        actor=User.objects.get(pk=user_id),
        batch=batch,
        mapping=mapping,
        encoding=encoding,
        progress=cache_progress(batch),
    )


@shared_task(name="registry.import_commit", ignore_result=True)
def import_commit(batch_id: int, user_id: int) -> None:
    """The all-or-nothing import; a refusal is recorded on the batch for the page to show."""
    from registry.errors import ApplicationError
    from registry.models import ImportBatch, User
    from registry.services.imports import cache_progress, import_batch_commit

    batch = ImportBatch.objects.get(pk=batch_id)
    with contextlib.suppress(ApplicationError):  # the reason is on the batch (``refusal``)
        import_batch_commit(
            actor=User.objects.get(pk=user_id),
            batch=batch,
            progress=cache_progress(batch),
            claimed=True,
        )


@shared_task(name="registry.apply_retention", ignore_result=True)
def apply_retention() -> dict[str, int]:
    """Archive expunged cases (outreach data deleted), then minimise people past the period."""
    from registry.services.retention import retention_run

    return retention_run()


@shared_task(name="registry.verify_audit_chain", ignore_result=True)
def verify_audit_chain() -> dict:
    """Recompute the access log's hash chain over the last days (result kept for /readyz)."""
    from django.conf import settings

    from registry.services.audit_chain import audit_chain_check_recent

    return audit_chain_check_recent(days=settings.AUDIT_CHAIN_VERIFY_DAYS).as_dict()


@shared_task(name="registry.supervision_daily", ignore_result=True)
def supervision_daily() -> dict[str, int]:
    """Circular 10/2024: verification tasks for people who did not report by their certificate's
    deadline (art. 9(2)); transfers unanswered after 5 working days reported to the provincial
    police (art. 15(2))."""
    from registry.services.supervision import reporting_failures_open, transfers_escalate_overdue

    today = timezone.localdate()
    return {
        "reporting_failures": reporting_failures_open(on=today),
        "transfers_escalated": transfers_escalate_overdue(on=today),
    }
