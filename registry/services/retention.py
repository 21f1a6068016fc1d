"""Retention (PDP Law 91/2025: data kept only while its purpose lasts; LAW.md §5 reads it as ending
at the closure of the case, Circular 10/2024 art. 13(2), 14).

Two steps, run daily by beat (``registry.apply_retention``) or by ``manage.py apply_retention``:

1. **Archive** every case closed by expungement: the case is stamped ``archived_at`` and every app
   that registered a retention hook deletes what it holds about the person for outreach
   (messages, Zalo links …) — the registry never imports those apps.
2. **Minimise** a person once all their cases are archived and ``RETENTION_MINIMISE_AFTER_DAYS``
   (a setting: the period is not fixed by a confirmed text) have passed since the last archiving:
   identifying and sensitive fields are erased (ID, date of birth, phones, address, ethnicity,
   family contact, the judgment's details, notes, evidence), the name is reduced to initials;
   what the province's statistics need stays (gender, birth year, dates, statuses, communes).

Each step writes one access-log row per batch with the people it touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from registry.audit import audit_bulk
from registry.fields import EncryptedField
from registry.models import (
    Case,
    CaseMilestone,
    CaseNote,
    Consent,
    CustodyRecord,
    DataSubjectRequest,
    Need,
    Person,
    Referral,
)
from registry.models.access import AccessEvent

SYSTEM = "he-thong-luu-tru"  # the access log's username for the retention job
BATCH = 500
RetentionHook = Callable[[list[int]], int]  # person ids → rows deleted
_HOOKS: list[RetentionHook] = []
_CLEANUPS: list[Callable[[], int]] = []  # data with a lifetime of its own (one-time codes …)


def register_retention_hook(hook: RetentionHook) -> RetentionHook:
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def register_retention_cleanup(cleanup: Callable[[], int]) -> Callable[[], int]:
    if cleanup not in _CLEANUPS:
        _CLEANUPS.append(cleanup)
    return cleanup


def _encrypted(model, keep: set[str] = frozenset()) -> dict[str, None]:  # type: ignore[no-untyped-def]
    return {
        f.attname: None
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedField) and f.name not in keep
    }


def _initials(name: str) -> str:
    return " ".join(part[0] + "." for part in name.split() if part)


@transaction.atomic
def retention_archive(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Step 1: archive the cases closed by expungement; the hooks delete outreach data."""
    now = now or timezone.now()
    archived = deleted = 0
    while True:
        batch = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(status=Case.Status.CLOSED, close_reason=Case.CloseReason.EXPUNGED)
            .filter(archived_at__isnull=True)
            .values_list("id", "uuid", "person_id", "person__uuid")[:BATCH]
        )
        if not batch:
            break
        Case.objects.filter(id__in=[row[0] for row in batch]).update(archived_at=now)
        person_ids = sorted({row[2] for row in batch})
        for hook in _HOOKS:
            deleted += hook(person_ids)
        audit_bulk(
            actor=None,
            username=SYSTEM,
            action=AccessEvent.Action.UPDATE,
            model=Case,
            object_ids=[str(row[1]) for row in batch],
            person_ids=[str(row[3]) for row in batch],
            purpose="retention: archive closed case, delete outreach data",
        )
        archived += len(batch)
    return {"cases_archived": archived, "outreach_rows_deleted": deleted}


@transaction.atomic
def retention_minimise(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Step 2: minimise the people whose cases are all archived since the configured period."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.RETENTION_MINIMISE_AFTER_DAYS)
    candidates = (
        Person.objects.filter(minimised_at__isnull=True, cases__isnull=False)
        .exclude(cases__archived_at__isnull=True)  # every case archived
        .annotate(last_archived=Max("cases__archived_at"))
        .filter(last_archived__lte=cutoff)
        .exclude(data_requests__status__in=DataSubjectRequest.OPEN)  # answer requests first
        .values_list("id", "uuid")
    )
    minimised = 0
    while True:
        batch = list(candidates[:BATCH])
        if not batch:
            break
        ids = [row[0] for row in batch]
        for person in Person.objects.filter(id__in=ids).only("id", "full_name"):
            Person.objects.filter(id=person.id).update(
                full_name=_initials(person.full_name),
                folded_name="",
                national_id_index=None,
                phone_index=None,
                minimised_at=now,
                **_encrypted(Person),
            )
        CustodyRecord.objects.filter(person_id__in=ids).update(
            **_encrypted(CustodyRecord, keep={"main_penalty", "sentence_months"})
        )
        cases = Case.objects.filter(person_id__in=ids)
        cases.update(helper=None)
        CaseNote.objects.filter(case__in=cases).update(text=None)
        CaseMilestone.objects.filter(case__in=cases).update(note=None)
        Need.objects.filter(case__in=cases).update(note=None)
        Referral.objects.filter(need__case__in=cases).update(note=None)
        Consent.objects.filter(person_id__in=ids).update(evidence=None)
        audit_bulk(
            actor=None,
            username=SYSTEM,
            action=AccessEvent.Action.UPDATE,
            model=Person,
            object_ids=[str(row[1]) for row in batch],
            person_ids=[str(row[1]) for row in batch],
            purpose="retention: minimise personal data",
        )
        minimised += len(batch)
    return {"people_minimised": minimised}


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    expired = sum(cleanup() for cleanup in _CLEANUPS)
    return {
        **retention_archive(now=now),
        **retention_minimise(now=now),
        "expired_rows_deleted": expired,
    }
