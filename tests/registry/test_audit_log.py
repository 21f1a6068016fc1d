"""The access log is append-only in the database itself; writes leave access and change rows."""

from __future__ import annotations

import re

import pytest
from django.db import DatabaseError, connection, transaction

from registry import dbroles, services
from registry.audit import audit_record
from registry.models import AccessEvent, Agency, ChangeLog, Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


class AppendOnlyTests:
    """The triggers hold even for the owner role (the runtime role has no such privilege at all:
    tests/registry/test_database_roles.py)."""

    def test_the_database_refuses_update(self) -> None:
        event = audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with (
            pytest.raises(DatabaseError, match="append-only"),
            dbroles.as_owner(),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE registry_accessevent SET username = 'y' WHERE id = %s", [event.pk]
            )
        assert AccessEvent.objects.get(pk=event.pk).username == "x"

    def test_the_database_refuses_delete(self) -> None:
        event = audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with (
            pytest.raises(DatabaseError, match="append-only"),
            dbroles.as_owner(),
            transaction.atomic(),
        ):
            AccessEvent.objects.filter(pk=event.pk).delete()
        assert AccessEvent.objects.filter(pk=event.pk).exists()

    def test_the_database_refuses_truncate(self) -> None:
        audit_record(actor=None, action=AccessEvent.Action.FAILED_LOGIN, username="x")
        with (
            pytest.raises(DatabaseError, match="append-only"),
            dbroles.as_owner(),
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
            client.get(f"/cases/{case.uuid}/")


class AuditPagesTests:
    def test_the_auditor_filters_the_log_and_sees_no_personal_data(self, client) -> None:
        alice = factories.UserFactory(username="alice")
        case = factories.make_case(alice)
        auditor = factories.UserFactory(username="kiem-tra")
        Membership.objects.create(
            user=auditor, role=Role.AUDITOR, agency=Agency.objects.get(code="cong-an-tinh")
        )
        factories.sign_in(client, auditor)
        page = client.get("/audit/", {"username": "alice", "action": "create"})
        assert page.status_code == 200
        html = page.content.decode()
        assert (
            html.count("data-event=")
            == AccessEvent.objects.filter(username="alice", action="create").count()
            > 0
        )
        assert case.person.full_name not in html and case.person.national_id not in html
        assert client.get("/cases/").status_code == 403
        assert client.get(f"/cases/{case.uuid}/").status_code == 404
        text = re.sub(r"<[^>]+>", " ", html)  # what the auditor reads
        for english in ("custodyrecord", "commune_police", " create ", " person "):
            assert english not in text  # roles, actions and kinds of record in Vietnamese
        export = client.get("/audit/export.csv", {"username": "alice"})
        body = b"".join(export.streaming_content).decode()
        assert export.status_code == 200 and body.startswith("\ufeffLúc,Tên đăng nhập")
        assert body.count("\n") - 1 == AccessEvent.objects.filter(username="alice").count()
        assert AccessEvent.objects.filter(username="kiem-tra", action="export").count() == 1

    def test_provincial_police_see_who_viewed_a_person(self, client) -> None:
        alice = factories.UserFactory(username="alice", is_superuser=True)
        case = factories.make_case(alice)
        factories.sign_in(client, alice)
        client.get(f"/cases/{case.uuid}/")
        chief = factories.UserFactory(username="ca-tinh")
        Membership.objects.create(
            user=chief, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
        )
        factories.sign_in(client, chief)
        html = client.get(f"/cases/{case.uuid}/viewers/").content.decode()
        assert "alice" in html and "Xem" in html
        commune_officer = factories.UserFactory(username="ca-xa")
        Membership.objects.create(
            user=commune_officer,
            role=Role.COMMUNE_POLICE,
            agency=Agency.objects.get(level="commune", kind="police", jurisdiction=case.commune),
        ).units.add(case.commune)
        factories.sign_in(client, commune_officer)
        assert client.get(f"/cases/{case.uuid}/viewers/").status_code == 403
