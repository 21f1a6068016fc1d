"""The access log is append-only in the database itself; writes leave access and change rows."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from registry import services
from registry.audit import audit_record
from registry.models import AccessEvent, ChangeLog
from tests import factories

pytestmark = pytest.mark.django_db


class AppendOnlyTests:
    def test_the_database_refuses_update(self) -> None:
        event = audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE registry_accessevent SET username = 'y' WHERE id = %s", [event.pk]
            )
        assert AccessEvent.objects.get(pk=event.pk).username == "x"

    def test_the_database_refuses_delete(self) -> None:
        event = audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AccessEvent.objects.filter(pk=event.pk).delete()
        assert AccessEvent.objects.filter(pk=event.pk).exists()

    def test_the_database_refuses_truncate(self) -> None:
        audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush this test's deferred checks
            cursor.execute("TRUNCATE registry_accessevent")


class WriteAuditTests:
    def test_every_service_write_leaves_an_access_event(self) -> None:
        alice = factories.UserFactory(username="alice")
        factories.make_case(alice)
        actions = list(AccessEvent.objects.filter(actor=alice).values_list("action", "object_type"))
        assert ("create", "person") in actions and ("create", "custodyrecord") in actions
        assert ("create", "case") in actions

    def test_a_case_status_change_is_in_the_change_log_with_its_reason(self) -> None:
        alice = factories.UserFactory(username="alice")
        case = factories.make_case(alice)
        services.case_close(actor=alice, case=case, reason="moved_away")
        entry = ChangeLog.objects.get(object_uuid=case.uuid, field="status")
        assert (entry.old_value, entry.new_value) == ("expected", "closed")
        assert entry.reason == "Chuyển nơi cư trú"

    def test_if_the_audit_row_cannot_be_written_the_read_fails(self, client, monkeypatch) -> None:
        alice = factories.UserFactory(username="alice", is_superuser=True)
        case = factories.make_case(alice)
        factories.sign_in(client, alice)

        def broken(*args, **kwargs):
            raise DatabaseError("audit table unavailable")

        monkeypatch.setattr(AccessEvent.objects, "create", broken)
        with pytest.raises(DatabaseError):
            client.get(f"/registry/people/{case.person.uuid}/")
