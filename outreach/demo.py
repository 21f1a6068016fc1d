"""Demo and benchmark data for outreach: outreach consents for seeded people, in bulk.

``seed_demo`` people carry no outreach consent; the embedded site, the fault tests and
``bench-outreach`` give one to the people they message (evidence marked as demo data)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils import timezone

from registry.models import Consent, Person, User


def grant_outreach_consents(
    people: QuerySet[Person],
    *,
    actor: User,
    channel: str = "",
    batch: int = 5000,
    purpose: str = Consent.Purpose.OUTREACH,
) -> int:
    """One given consent (outreach on all channels unless ``channel``) for each of ``people``."""
    today = timezone.localdate()
    rows: list[Consent] = []
    written = 0
    for person_id in people.values_list("id", flat=True).iterator(chunk_size=batch):
        rows.append(
            Consent(
                uuid=uuid.uuid4(),
                person_id=person_id,
                purpose=purpose,
                channel=channel,
                evidence="Phiếu đồng ý nhận tin (dữ liệu mẫu)",
                recorded_by=actor,
                given_on=today,
            )
        )
        if len(rows) >= batch:
            Consent.objects.bulk_create(rows)
            written += len(rows)
            rows = []
    Consent.objects.bulk_create(rows)
    return written + len(rows)
