"""Finding 5: the app's own database role could silence the audit. Now the runtime role — the one
Django's default connection logs in as — cannot alter, disable triggers on, set
``session_replication_role`` for, update, delete or truncate the access log and the change log;
and a row the owner changes behind the triggers breaks the hash chain."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from registry import dbroles, services, tasks
from registry.audit import audit_record
from registry.models import AccessEvent, ChangeLog
from registry.services.audit_chain import audit_chain_verify
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = [
    "ALTER TABLE {t} DISABLE TRIGGER USER",
    "ALTER TABLE {t} ADD COLUMN silenced boolean",
    "SET session_replication_role = replica",
    "UPDATE {t} SET id = id",
    "DELETE FROM {t}",
    "TRUNCATE {t}",
]


def runtime_connection() -> psycopg.Connection:
    """A connection that logs in as the runtime role itself, as the web and workers do."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=settings.DATABASE_RUNTIME_USER,
        password=settings.DATABASE_RUNTIME_PASSWORD or None,
        autocommit=True,
    )


@pytest.fixture
def committed(committed_db):
    alice = factories.UserFactory(username="alice")
    case = factories.make_case(alice)
    services.case_close(actor=alice, case=case, reason="moved_away")  # a change-log row
    return alice


@pytest.mark.parametrize("table", dbroles.AUDIT_TABLES)
def test_the_runtime_role_cannot_silence_or_rewrite_the_audit_tables(committed, table) -> None:
    assert ChangeLog.objects.exists() and AccessEvent.objects.exists()
    with runtime_connection() as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == settings.DATABASE_RUNTIME_USER
        for statement in REFUSED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement.format(t=table))
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0  # noqa: S608


def test_the_runtime_role_reads_and_writes_the_rest_and_appends_to_the_log(committed) -> None:
    with runtime_connection() as conn:
        conn.execute("UPDATE registry_case SET updated_at = updated_at")
        conn.execute(
            "INSERT INTO registry_accessevent (at, username, role, action, object_type, "
            "object_ids, person_ids, purpose, request_id, client_request_id, chain, digest) "
            "VALUES (now(), 'x', '', 'view', '', '[]', '[]', '', '', '', '', '')"
        )


def as_the_owner_behind_the_triggers(sql: str, row_id: int) -> None:
    """Change the log as only the owner (a superuser here) can: with its triggers off."""
    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, [row_id])
        cursor.execute("SET session_replication_role = origin")


def test_verify_audit_chain_detects_a_row_the_owner_changed(committed) -> None:
    for _ in range(3):
        audit_record(actor=committed, action=AccessEvent.Action.VIEW, purpose="read")
    assert audit_chain_verify().ok
    victim = AccessEvent.objects.filter(actor=committed, seq__isnull=False).order_by("id")[1]
    as_the_owner_behind_the_triggers(
        "UPDATE registry_accessevent SET purpose = 'nothing to see' WHERE id = %s", victim.pk
    )
    result = audit_chain_verify()
    assert {"id": victim.pk, "why": "digest"} in result.broken


def test_verify_audit_chain_detects_a_row_the_owner_deleted(committed) -> None:
    for _ in range(3):
        audit_record(actor=committed, action=AccessEvent.Action.VIEW, purpose="read")
    victim = AccessEvent.objects.filter(actor=committed, seq__isnull=False).order_by("id")[1]
    as_the_owner_behind_the_triggers("DELETE FROM registry_accessevent WHERE id = %s", victim.pk)
    assert any(b["why"] == "gap" for b in audit_chain_verify().broken)


def test_the_command_beat_task_readyz_and_metric_report_the_owners_change(committed, client):
    """The operator's side of the same check: ``manage.py verify_audit_chain`` exits non-zero,
    the daily beat task finds the row, and /readyz and the metric say the chain is broken."""
    assert "verify-audit-chain" in settings.CELERY_BEAT_SCHEDULE
    for _ in range(3):
        audit_record(actor=committed, action=AccessEvent.Action.VIEW, purpose="read")
    cache.clear()
    call_command("verify_audit_chain")  # intact: no error
    assert client.get("/readyz").json()["checks"]["audit_chain"]["ok"] is True
    victim = AccessEvent.objects.filter(actor=committed, seq__isnull=False).order_by("id")[1]
    as_the_owner_behind_the_triggers(
        "UPDATE registry_accessevent SET purpose = 'nothing to see' WHERE id = %s", victim.pk
    )
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    cache.clear()
    assert {"id": victim.pk, "why": "digest"} in tasks.verify_audit_chain()["broken"]
    chain = client.get("/readyz").json()["checks"]["audit_chain"]
    assert chain["ok"] is False and chain["broken_rows"] >= 1
    with override_settings(METRICS_TOKEN="scrape"):
        text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape").content.decode()
    broken = [ln for ln in text.splitlines() if ln.startswith("audit_chain_broken_rows ")]
    assert broken and float(broken[0].split()[-1]) >= 1
