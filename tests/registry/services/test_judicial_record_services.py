"""Judicial record certificate requests: due in 10 or 15 working days, fees and waivers from the
rule in force, issue or refuse once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry.errors import ApplicationError
from registry.models import JudicialRecordRequest
from registry.services.judicial_records import (
    judicial_record_issue,
    judicial_record_refuse,
    judicial_record_request_create,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return factories.UserFactory(username="tu-phap")


@pytest.fixture
def case(officer):
    return factories.make_case(officer)


class JudicialRecordRequestTests:
    @pytest.mark.parametrize(
        ("requested_on", "is_complex", "due_on"),
        [
            # 10 working days, skipping the days off 27/4, 30/4 and 1/5
            (dt.date(2026, 4, 20), False, dt.date(2026, 5, 7)),
            (dt.date(2026, 4, 20), True, dt.date(2026, 5, 14)),  # 15 working days
            (dt.date(2026, 11, 23), False, dt.date(2026, 12, 7)),
        ],
    )
    def test_the_due_date_counts_working_days(
        self, officer, case, requested_on, is_complex, due_on
    ) -> None:
        request = judicial_record_request_create(
            actor=officer,
            case=case,
            certificate_type="1",
            fee_category="standard",
            requested_on=requested_on,
            is_complex=is_complex,
        )
        assert request.due_on == due_on

    @pytest.mark.parametrize(
        ("category", "fee"), [("standard", 200_000), ("reduced", 100_000), ("waived", 0)]
    )
    def test_fees_and_waivers(self, officer, case, category, fee) -> None:
        reason = "" if category == "standard" else "Hộ nghèo, xã đặc biệt khó khăn"
        request = judicial_record_request_create(
            actor=officer,
            case=case,
            certificate_type="1",
            fee_category=category,
            waiver_reason=reason,
        )
        assert request.fee_amount == fee

    def test_a_waiver_needs_its_reason(self, officer, case) -> None:
        with pytest.raises(ValidationError) as caught:
            judicial_record_request_create(
                actor=officer, case=case, certificate_type="2", fee_category="waived"
            )
        assert "waiver_reason" in caught.value.error_dict
        assert not JudicialRecordRequest.objects.exists()

    def test_issue_or_refuse_once(self, officer, case) -> None:
        request = judicial_record_request_create(
            actor=officer, case=case, certificate_type="1", fee_category="standard"
        )
        issued = judicial_record_issue(actor=officer, request=request, on=request.requested_on)
        assert issued.status == "issued"
        with pytest.raises(ApplicationError):
            judicial_record_refuse(actor=officer, request=issued, reason="Trùng")
        other = judicial_record_request_create(
            actor=officer, case=case, certificate_type="1", fee_category="standard"
        )
        with pytest.raises(ValidationError):
            judicial_record_refuse(actor=officer, request=other, reason="")
        assert (
            judicial_record_refuse(actor=officer, request=other, reason="Thiếu giấy tờ").status
            == "refused"
        )
