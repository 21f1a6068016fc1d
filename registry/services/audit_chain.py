"""Checking the access log's hash chain (``registry.audit``): every chained row's digest is
recomputed from the previous row of its chain and its own fields, and every chain must count
1, 2, 3 … without gaps. The last result is kept in the cache for ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Min, Q
from django.utils import timezone

from registry import audit
from registry.models import AccessEvent

STATUS_KEY = "audit-chain:last-check"
FIELDS = ("id", "digest", *audit.CHAINED_FIELDS)


@dataclass
class ChainCheck:
    rows: int = 0
    chains: int = 0
    broken: list[dict[str, Any]] = field(default_factory=list)
    checked_at: str = ""
    first_id: int | None = None
    last_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.broken

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "broken": self.broken[:50]}


def audit_chain_verify(
    *, since: dt.datetime | None = None, from_id: int | None = None, to_id: int | None = None
) -> ChainCheck:
    """Check the rows in the range (all when no bound is given). A broken row is reported with
    its id and why: ``digest`` (changed), ``gap`` (a row before it is missing), ``unchained``
    (its link was removed after chaining began)."""
    rows = AccessEvent.objects.all()
    if since is not None:
        rows = rows.filter(at__gte=since)
    if from_id is not None:
        rows = rows.filter(id__gte=from_id)
    if to_id is not None:
        rows = rows.filter(id__lte=to_id)
    result = ChainCheck(checked_at=timezone.now().isoformat())
    chained_from = AccessEvent.objects.filter(seq__isnull=False).aggregate(m=Min("id"))["m"]
    if chained_from is not None:
        for row_id in (
            rows.filter(id__gt=chained_from)
            .filter(Q(seq__isnull=True) | Q(digest=""))
            .values_list("id", flat=True)[:1000]
        ):
            result.broken.append({"id": row_id, "why": "unchained"})
    key = audit.chain_key()
    chain, expected_seq, previous = None, 0, ""
    ordered = rows.filter(seq__isnull=False).order_by("chain", "seq").values(*FIELDS)
    for row in ordered.iterator(chunk_size=2000):
        result.rows += 1
        result.first_id = min(result.first_id or row["id"], row["id"])
        result.last_id = max(result.last_id or row["id"], row["id"])
        if row["chain"] != chain:
            result.chains += 1
            chain = row["chain"]
            expected_seq, previous = row["seq"], ""
            if row["seq"] > 1:
                before = (
                    AccessEvent.objects.filter(chain=chain, seq=row["seq"] - 1)
                    .values_list("digest", flat=True)
                    .first()
                )
                if before is None:
                    result.broken.append({"id": row["id"], "why": "gap"})
                previous = before or ""
        if row["seq"] != expected_seq:
            result.broken.append({"id": row["id"], "why": "gap"})
        if audit.link_digest(row, previous, key) != row["digest"]:
            result.broken.append({"id": row["id"], "why": "digest"})
        expected_seq, previous = row["seq"] + 1, row["digest"]
    return result


def audit_chain_check_recent(*, days: int) -> ChainCheck:
    """The daily run: the last ``days`` days, its result kept for /readyz and /metrics."""
    result = audit_chain_verify(since=timezone.now() - dt.timedelta(days=days))
    cache.set(STATUS_KEY, result.as_dict(), timeout=None)
    return result


def audit_chain_last_check() -> dict[str, Any] | None:
    try:
        return cache.get(STATUS_KEY)
    except Exception:  # noqa: BLE001 - the cache is Redis: its own check reports it
        return None
