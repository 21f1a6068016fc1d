"""Data-subject requests and retention where they touch outreach: a withdrawal recorded as a
request stops the next message; the retention job archives expunged cases, deletes their
outreach data and, after the configured period, minimises the person — each step audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from outreach.models import Channel, DeliveryReceipt, Message, OptOut, PhoneCode
from outreach.services import dispatch, optouts
from registry import services
from registry.models import AccessEvent, Case, CaseNote, Consent, Person
from registry.services import privacy
from registry.services.retention import retention_run
from registry.subject_data import subject_data, to_json
from tests import factories
from tests.outreach.conftest import (
    approved_content,
    launch_and_write,
    person_with_consent,
    running_campaign,
)

pytestmark = pytest.mark.django_db


def test_a_withdrawal_request_stops_the_next_message(fake, officer, editor, approver, manager):
    person = person_with_consent(officer, "0912345678", channel="sms")
    campaign = running_campaign(
        manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
    )
    launch_and_write(manager, campaign)
    privacy.data_request_record(actor=officer, person=person, kind="withdrawal", channel="phone")
    dispatch.dispatch(budget_seconds=5)
    message = Message.objects.get(campaign=campaign)
    assert (message.status, message.skip_reason) == ("skipped", Message.SkipReason.NO_CONSENT)
    assert fake.received() == []


def test_retention_archives_deletes_outreach_data_then_minimises(
    fake, officer, editor, approver, manager
):
    person = person_with_consent(officer, "0912345678", channel="sms")
    kept = person_with_consent(officer, "0987654321", channel="sms", name="Cầm Thị Hoa")
    campaign = running_campaign(
        manager, approver, approved_content(editor, approver), channels=[Channel.SMS]
    )
    launch_and_write(manager, campaign)
    dispatch.dispatch(budget_seconds=5)
    assert Message.objects.filter(person=person, status="sent").exists()
    optouts.opt_out_record(actor=officer, person=person, channel=OptOut.ALL_CHANNELS)
    case = Case.objects.get(person=person)
    case = services.case_record_presentation(actor=officer, case=case)
    services.case_note_add(
        actor=officer,
        case=case,
        kind="visit",
        happened_on=timezone.localdate(),
        text="Thăm gia đình",
    )
    factories.close_expunged(officer, case)
    data = to_json(person, subject_data(person))
    assert len(data["messages"]) == 1 and data["messages"][0]["body"]  # held until retention

    counts = retention_run()
    assert counts["cases_archived"] == 1 and counts["people_minimised"] == 0
    assert not Message.objects.filter(person=person).exists()
    assert not DeliveryReceipt.objects.filter(message__person=person).exists()
    assert Message.objects.filter(person=kept).exists()  # nobody else's
    opt_out = OptOut.objects.get(channel=OptOut.ALL_CHANNELS)
    assert opt_out.person_id is None and opt_out.revoked_at is None  # the number stays protected
    case.refresh_from_db()
    assert case.archived_at is not None
    assert retention_run()["cases_archived"] == 0  # once

    later = timezone.now() + dt.timedelta(days=400)
    with override_settings(RETENTION_MINIMISE_AFTER_DAYS=365):
        assert retention_run(now=later)["people_minimised"] == 1
    minimised = Person.objects.get(pk=person.pk)
    assert minimised.full_name == "L. V. P." and minimised.minimised_at is not None
    assert (minimised.national_id, minimised.phone, minimised.date_of_birth) == (None, None, None)
    assert minimised.national_id_index is None and minimised.phone_index is None
    assert (minimised.gender, minimised.birth_year) == (person.gender, person.birth_year)
    record = minimised.custody_records.get()
    assert record.offence is None and record.release_date is not None
    assert CaseNote.objects.get(case=case).text is None
    assert Consent.objects.filter(person=person).first().evidence is None
    assert Person.objects.get(pk=kept.pk).national_id == kept.national_id
    purposes = set(
        AccessEvent.objects.filter(username="he-thong-luu-tru").values_list("purpose", flat=True)
    )
    assert purposes == {
        "retention: archive closed case, delete outreach data",
        "retention: minimise personal data",
    }


def test_people_with_an_open_request_are_not_minimised(officer):
    person = person_with_consent(officer, "0912345678", channel="sms")
    case = services.case_record_presentation(actor=officer, case=Case.objects.get(person=person))
    factories.close_expunged(officer, case)
    privacy.data_request_record(actor=officer, person=person, kind="access", channel="letter")
    retention_run()
    later = timezone.now() + dt.timedelta(days=400)
    assert retention_run(now=later)["people_minimised"] == 0


def test_expired_one_time_codes_are_deleted(db):
    old = timezone.now() - dt.timedelta(days=2)
    PhoneCode.objects.create(phone_index="a", code_hash="x", expires_at=old)
    PhoneCode.objects.create(
        phone_index="b", code_hash="y", expires_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert retention_run()["expired_rows_deleted"] == 1
    assert list(PhoneCode.objects.values_list("phone_index", flat=True)) == ["b"]
