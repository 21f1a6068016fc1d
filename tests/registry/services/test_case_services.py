"""Case services: the state machine drawn on Case, milestones and deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.errors import ApplicationError
from registry.models import AccessEvent, Case, CaseMilestone, CustodyRecord, Need, Referral
from registry.workdays import add_working_days
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return factories.UserFactory(username="alice")


class CaseOpenTests:
    def test_it_opens_an_expected_case_with_the_address_check_deadline(self, alice) -> None:
        case = factories.make_case(alice)
        assert case.status == Case.Status.EXPECTED
        assert case.address_check_due == add_working_days(today(), 3)
        assert case.milestones.get().kind == CaseMilestone.Kind.NOTICE_RECEIVED

    def test_it_refuses_a_second_open_case_for_the_same_person(self, alice) -> None:
        case = factories.make_case(alice)
        with pytest.raises(ApplicationError):
            services.case_open(actor=alice, person=case.person, commune=factories.commune())
        assert Case.objects.count() == 1

    def test_it_refuses_a_pre_2025_commune(self, alice) -> None:
        person = factories.make_person(alice)
        old = factories.commune().predecessors.first()
        with pytest.raises(ValidationError) as caught:
            services.case_open(actor=alice, person=person, commune=old)
        assert "commune" in caught.value.error_dict
        assert Case.objects.count() == 0

    def test_it_refuses_someone_elses_custody_record(self, alice) -> None:
        other = factories.make_custody(alice, factories.make_person(alice))
        person = factories.make_person(alice, national_id=factories.national_id(), phone=None)
        with pytest.raises(ValidationError):
            services.case_open(
                actor=alice, person=person, commune=factories.commune(), custody_record=other
            )


class CaseTransitionTests:
    def test_the_happy_path_reaches_active_then_closed(self, alice) -> None:
        case = factories.make_case(alice)
        case = services.case_verify_address(actor=alice, case=case)
        assert case.status == Case.Status.AWAITING_ARRIVAL
        case = services.case_record_presentation(actor=alice, case=case)
        assert case.status == Case.Status.ACTIVE
        assert case.assigned_officer == alice
        services.case_record_milestone(
            actor=alice, case=case, kind="reception_meeting", on=today(), note="HCD-05"
        )
        case = services.case_close(
            actor=alice,
            case=case,
            reason=Case.CloseReason.EXPUNGED,
            basis="court",
            reference="01/2026/QĐ-TA",
            reference_date=today(),
        )
        assert (case.status, case.close_reason, case.closed_on) == ("closed", "expunged", today())
        assert set(case.milestones.values_list("kind", flat=True)) == {
            "notice_received",
            "address_verified",
            "presented",
            "reception_meeting",
            "expunged",
        }
        assert case.version == 4

    def test_a_person_may_present_before_the_address_check(self, alice) -> None:
        case = services.case_record_presentation(actor=alice, case=factories.make_case(alice))
        assert case.status == Case.Status.ACTIVE

    @pytest.mark.parametrize("action", ["verify", "present", "close", "milestone", "need"])
    def test_a_closed_case_refuses_every_change(self, alice, action) -> None:
        case = services.case_close(
            actor=alice, case=factories.make_case(alice), reason="moved_away"
        )
        calls = {
            "verify": lambda: services.case_verify_address(actor=alice, case=case),
            "present": lambda: services.case_record_presentation(actor=alice, case=case),
            "close": lambda: services.case_close(actor=alice, case=case, reason="other"),
            "milestone": lambda: services.case_record_milestone(
                actor=alice, case=case, kind="id_issued", on=today()
            ),
            "need": lambda: services.need_identify(
                actor=alice, case=case, need_type=factories.need_type("job")
            ),
        }
        with pytest.raises(ApplicationError, match="Đã kết thúc"):
            calls[action]()

    def test_verifying_twice_is_an_illegal_transition(self, alice) -> None:
        case = services.case_verify_address(actor=alice, case=factories.make_case(alice))
        with pytest.raises(ApplicationError) as caught:
            services.case_verify_address(actor=alice, case=case)
        assert caught.value.extra["code"] == "illegal_transition"

    def test_closing_requires_a_known_reason(self, alice) -> None:
        case = factories.make_case(alice)
        with pytest.raises(ValidationError):
            services.case_close(actor=alice, case=case, reason="bored")
        case.refresh_from_db()
        assert case.status == Case.Status.EXPECTED

    def test_expungement_before_its_date_needs_a_court_decision_or_a_certificate(
        self, alice
    ) -> None:
        case = services.case_record_presentation(actor=alice, case=factories.make_case(alice))
        eligible = case.custody_record.expungement_eligible_date
        assert eligible is not None and eligible > today()
        with pytest.raises(ValidationError) as caught:
            services.case_close(actor=alice, case=case, reason="expunged")
        assert eligible.strftime("%d/%m/%Y") in caught.value.message_dict["basis"][0]
        with pytest.raises(ValidationError) as caught:
            services.case_close(actor=alice, case=case, reason="expunged", basis="court")
        assert set(caught.value.message_dict) == {"reference", "reference_date"}
        case.refresh_from_db()
        assert case.status == Case.Status.ACTIVE
        closed = services.case_close(
            actor=alice,
            case=case,
            reason="expunged",
            basis="certificate",
            reference="LLTP 123/2026",
            reference_date=today(),
        )
        milestone = closed.milestones.get(kind="expunged")
        assert "LLTP 123/2026" in milestone.note and "lý lịch tư pháp" in milestone.note

    def test_expungement_from_its_date_needs_nothing_more(self, alice) -> None:
        case = services.case_record_presentation(actor=alice, case=factories.make_case(alice))
        CustodyRecord.objects.filter(pk=case.custody_record_id).update(
            expungement_eligible_date=today()
        )
        case.refresh_from_db()
        closed = services.case_close(actor=alice, case=case, reason="expunged")
        assert closed.close_reason == "expunged"
        assert "Điều 70" in closed.milestones.get(kind="expunged").note

    def test_closing_cancels_open_referrals_and_withdraws_open_needs(self, alice) -> None:
        case = services.case_record_presentation(actor=alice, case=factories.make_case(alice))
        job = factories.make_need(alice, case, "job")
        referral = services.referral_send(
            actor=alice, need=job, agency=job.need_type.agencies.get(code="so-noi-vu")
        )
        housing = factories.make_need(alice, case, "housing")
        services.case_close(actor=alice, case=case, reason="deceased")
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CANCELLED
        assert set(
            Need.objects.filter(pk__in=[job.pk, housing.pk]).values_list("status", flat=True)
        ) == {"withdrawn"}
        # The needs withdrawn by the closing leave their audit row too.
        assert AccessEvent.objects.filter(
            action="transition", object_type="need", purpose="case closed"
        ).exists()

    def test_status_milestones_cannot_be_recorded_directly(self, alice) -> None:
        with pytest.raises(ValidationError):
            services.case_record_milestone(
                actor=alice, case=factories.make_case(alice), kind="presented", on=today()
            )

    def test_helper_assignment_records_its_milestone(self, alice) -> None:
        case = services.case_assign_helper(
            actor=alice, case=factories.make_case(alice), helper="Bí thư chi bộ bản Hìn", on=today()
        )
        assert case.helper == "Bí thư chi bộ bản Hìn"
        assert case.milestones.filter(kind="helper_assigned").exists()


class NeedAndNoteTests:
    def test_one_open_need_per_type(self, alice) -> None:
        case = factories.make_case(alice)
        factories.make_need(alice, case, "job")
        with pytest.raises(ValidationError):
            factories.make_need(alice, case, "job")

    def test_a_withdrawn_need_can_be_identified_again(self, alice) -> None:
        case = factories.make_case(alice)
        services.need_withdraw(actor=alice, need=factories.make_need(alice, case, "job"))
        assert factories.make_need(alice, case, "job").status == Need.Status.IDENTIFIED

    def test_a_referred_need_cannot_be_withdrawn_directly(self, alice) -> None:
        case = factories.make_case(alice)
        need = factories.make_need(alice, case, "job")
        services.referral_send(
            actor=alice, need=need, agency=need.need_type.agencies.get(code="so-noi-vu")
        )
        with pytest.raises(ApplicationError):
            services.need_withdraw(actor=alice, need=need)

    def test_a_note_needs_text_and_a_past_date(self, alice) -> None:
        case = factories.make_case(alice)
        with pytest.raises(ValidationError) as caught:
            services.case_note_add(
                actor=alice,
                case=case,
                kind="visit",
                happened_on=today() + dt.timedelta(days=1),
                text=" ",
            )
        assert {"text", "happened_on"} == set(caught.value.error_dict)
        note = services.case_note_add(
            actor=alice, case=case, kind="call", happened_on=today(), text="Gọi điện hỏi thăm"
        )
        assert note.text == "Gọi điện hỏi thăm"
