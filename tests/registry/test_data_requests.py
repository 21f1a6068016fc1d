"""Data-subject requests: deadlines in working days across weekends and holidays, the overdue
list, the state machine, scope, and "everything we hold" as JSON and PDF."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from registry.errors import ApplicationError
from registry.models import (
    AccessEvent,
    Agency,
    Consent,
    DataSubjectRequest,
    DataSubjectRequestRule,
    Membership,
    PublicHoliday,
    Role,
)
from registry.services import consent_record, privacy
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def officer():
    return factories.commune_officer("ca-to-hieu")


@pytest.fixture
def person(officer):
    return factories.make_case(officer).person


class DeadlineTests:
    @pytest.mark.parametrize(
        ("received", "processor", "acknowledge", "complete"),
        [
            # Thursday: the weekend is skipped.
            (D(2026, 10, 1), False, D(2026, 10, 5), D(2026, 10, 22)),
            # Friday before Hùng Kings' day (observed Mon 27/4), 30/4 and 1/5.
            (D(2026, 4, 24), False, D(2026, 4, 29), D(2026, 5, 20)),
            (D(2026, 4, 24), True, D(2026, 4, 29), D(2026, 5, 27)),
            # Friday before the Tết week (16–20/02/2026).
            (D(2026, 2, 13), False, D(2026, 2, 24), D(2026, 3, 13)),
            # Received on a Sunday: counting starts on Monday.
            (D(2026, 3, 1), False, D(2026, 3, 3), D(2026, 3, 20)),
        ],
    )
    def test_working_days_skip_weekends_and_holidays(
        self, received, processor, acknowledge, complete
    ) -> None:
        _rule, ack, due = privacy.request_deadlines(
            kind="access", received_on=received, involves_processor=processor
        )
        assert (ack, due) == (acknowledge, complete)

    def test_a_new_holiday_moves_the_deadline(self) -> None:
        PublicHoliday.objects.create(date=D(2026, 10, 2), name="Ngày nghỉ thử")
        _rule, ack, _due = privacy.request_deadlines(
            kind="access", received_on=D(2026, 10, 1), involves_processor=False
        )
        assert ack == D(2026, 10, 6)

    def test_the_rule_is_data_with_a_validity(self) -> None:
        DataSubjectRequestRule.objects.filter(kind="deletion").update(valid_to=D(2026, 9, 30))
        DataSubjectRequestRule.objects.create(
            kind="deletion",
            valid_from=D(2026, 10, 1),
            acknowledge_working_days=2,
            complete_working_days=20,
            complete_with_processor_working_days=30,
            legal_basis="Sửa theo văn bản chính thức",
        )
        _r, _a, before = privacy.request_deadlines(
            kind="deletion", received_on=D(2026, 9, 30), involves_processor=False
        )
        rule, _a, after = privacy.request_deadlines(
            kind="deletion", received_on=D(2026, 10, 1), involves_processor=False
        )
        assert before == D(2026, 10, 21) and after == D(2026, 10, 29)
        assert rule.legal_basis == "Sửa theo văn bản chính thức"
        with pytest.raises(ValidationError):
            privacy.request_deadlines(
                kind="deletion", received_on=D(2025, 12, 31), involves_processor=False
            )


class LifecycleTests:
    def test_record_acknowledge_complete_and_the_overdue_list(self, officer, person) -> None:
        old = privacy.data_request_record(
            actor=officer,
            person=person,
            kind="correction",
            channel="letter",
            received_on=today() - dt.timedelta(days=60),
            details="Sửa địa chỉ",
        )
        fresh = privacy.data_request_record(
            actor=officer, person=person, kind="access", channel="in_person"
        )
        overdue = DataSubjectRequest.objects.filter(DataSubjectRequest.overdue_q(today()))
        assert list(overdue) == [old]
        privacy.data_request_acknowledge(actor=officer, request=fresh)
        with pytest.raises(ApplicationError):
            privacy.data_request_acknowledge(actor=officer, request=fresh)
        with pytest.raises(ValidationError):
            privacy.data_request_close(actor=officer, request=fresh, response=" ")
        done = privacy.data_request_close(actor=officer, request=fresh, response="Đã gửi bản sao")
        assert done.status == "completed" and done.closed_on == today()
        refused = privacy.data_request_close(
            actor=officer, request=old, response="Điều 19(1)(c): nhiệm vụ luật định", refused=True
        )
        assert refused.status == "refused"
        assert not DataSubjectRequest.objects.filter(DataSubjectRequest.overdue_q(today())).exists()
        assert AccessEvent.objects.filter(object_type="datasubjectrequest").count() >= 5

    def test_a_withdrawal_withdraws_the_consents_at_once(self, officer, person) -> None:
        for channel in ("sms", "zalo"):
            consent_record(
                actor=officer, person=person, purpose="outreach", channel=channel, evidence="Phiếu"
            )
        consent_record(actor=officer, person=person, purpose="publish_story", evidence="Phiếu")
        request = privacy.data_request_record(
            actor=officer,
            person=person,
            kind="withdrawal",
            channel="phone",
            consent_purposes=["outreach"],
        )
        statuses = dict(Consent.objects.filter(person=person).values_list("purpose", "status"))
        assert statuses == {"outreach": "withdrawn", "publish_story": "given"}
        assert not Consent.objects.filter(
            person=person, purpose="outreach", status="given"
        ).exists()
        assert request.status == "completed" and "2 sự đồng ý" in request.response

    def test_bad_input_names_the_field(self, officer, person) -> None:
        with pytest.raises(ValidationError) as caught:
            privacy.data_request_record(
                actor=officer,
                person=person,
                kind="everything",
                channel="pigeon",
                received_on=today() + dt.timedelta(days=1),
            )
        assert set(caught.value.message_dict) == {"kind", "channel", "received_on"}


class PageTests:
    def test_record_on_the_page_then_export_everything(self, client, officer, person) -> None:
        factories.sign_in(client, officer)
        case = person.cases.get()
        detail = client.get(f"/cases/{case.uuid}/").content.decode()
        assert f"/privacy/people/{person.uuid}/requests/new/" in detail
        response = client.post(
            f"/privacy/people/{person.uuid}/requests/new/",
            {"kind": "access", "channel": "in_person", "received_on": today().isoformat()},
        )
        assert response.status_code == 302
        item = DataSubjectRequest.objects.get()
        page = client.get(response["Location"]).content.decode()
        assert item.complete_due.strftime("%d/%m/%Y") in page and "data.json" in page
        exported = client.get(f"/privacy/people/{person.uuid}/data.json")
        data = json.loads(exported.content)
        assert data["subject"] == str(person.uuid)
        assert data["person"][0]["national_id"] == person.national_id
        assert data["cases"][0]["status"] == "expected"
        held = data["custody_records"][0]
        assert held["offence"] == "Tàng trữ trái phép chất ma túy"
        assert data["data_requests"][0]["kind"] == "access"
        assert "national_id_index" not in json.dumps(data)
        assert any(e["action"] for e in data["access_log"])
        assert "messages" in data  # what outreach holds (empty here)
        pdf = client.get(f"/privacy/people/{person.uuid}/data.pdf")
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
            ).stdout.decode()
            assert "Dữ liệu cá nhân chúng tôi đang lưu về bạn" in text
            assert "Tàng trữ trái phép chất ma túy" in text
        exports = AccessEvent.objects.filter(action="export", purpose__startswith="data subject")
        assert exports.count() == 2 and str(person.uuid) in exports.first().person_ids

    def test_scope_404_and_the_auditor_sees_no_names(self, client, officer, person) -> None:
        request = privacy.data_request_record(
            actor=officer,
            person=person,
            kind="deletion",
            channel="letter",
            received_on=today() - dt.timedelta(days=40),
        )
        stranger = factories.commune_officer("ca-muong-lan", "Mường Lạn")
        factories.sign_in(client, stranger)
        assert client.get(f"/privacy/requests/{request.uuid}/").status_code == 404
        assert client.get(f"/privacy/people/{person.uuid}/data.json").status_code == 404
        assert str(request.uuid) not in client.get("/privacy/requests/").content.decode()
        client.logout()
        auditor = factories.UserFactory(username="kiem-tra")
        Membership.objects.create(
            user=auditor, role=Role.AUDITOR, agency=Agency.objects.get(code="cong-an-tinh")
        )
        factories.sign_in(client, auditor)
        page = client.get("/privacy/requests/?overdue=1").content.decode()
        assert str(request.uuid) in page and "quá hạn" in page
        assert person.full_name not in page
        assert client.get(f"/privacy/people/{person.uuid}/data.json").status_code == 403
