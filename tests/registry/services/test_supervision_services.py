"""The commune police's legal workflow (Circular 10/2024 art. 9–15): each machine's legal and
illegal steps and its deadlines counted in working days with the holidays of the reference data
(30/04 and 01/05/2026 fall on a Thursday and a Friday)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from registry import access, services
from registry.errors import ApplicationError
from registry.models import (
    Agency,
    Case,
    CaseMilestone,
    Membership,
    Notification,
    Referral,
    Role,
)
from registry.models.supervision import (
    DetentionPeriod,
    EndOfManagement,
    HelperAssignment,
    QuarterlyGroup,
    ReportingFailure,
    Transfer,
)
from registry.services import supervision as sv
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db

RELEASED = dt.date(2026, 4, 1)
MEETING = dt.date(2026, 4, 29)  # Wednesday before 30/4 and 1/5


@pytest.fixture
def lan():
    return factories.commune_officer("lan", "Tô Hiệu")


@pytest.fixture
def binh():
    return factories.commune_officer("binh", "Mường Lạn")


@pytest.fixture
def chief():
    user = factories.UserFactory(username="chief")
    Membership.objects.create(
        user=user,
        role=Role.PROVINCIAL_POLICE,
        agency=Agency.objects.filter(level="province", kind="police").first(),
    )
    return user


def active_case(actor, name: str = "Lò Văn Pàng", *, meeting: dt.date | None = MEETING) -> Case:
    person = factories.make_person(actor, full_name=name, national_id=factories.national_id())
    record = factories.make_custody(actor, person, release_date=RELEASED, certificate_date=RELEASED)
    case = services.case_open(
        actor=actor,
        person=person,
        commune=factories.commune("Tô Hiệu"),
        custody_record=record,
        notice_received_on=dt.date(2026, 2, 1),
    )
    case = services.case_record_presentation(actor=actor, case=case, on=RELEASED)
    if meeting:
        services.case_record_milestone(
            actor=actor, case=case, kind=CaseMilestone.Kind.RECEPTION_MEETING, on=meeting
        )
    return case


def helper(actor, name: str = "Lò Thị Ánh"):
    return sv.helper_create(
        actor=actor,
        commune=factories.commune("Tô Hiệu"),
        form="individual",
        kind="family",
        name=name,
        phone="0987654321",
        relationship="vợ",
    )


class HelperTests:
    def test_proposal_then_decision_due_three_working_days_after_the_meeting(self, lan) -> None:
        case = active_case(lan)
        ani = helper(lan)
        proposal = sv.helper_propose(actor=lan, case=case, helper=ani, on=MEETING)
        # 30/4 and 1/5 are holidays, 2–3/5 a weekend: Mon 4, Tue 5, Wed 6 May.
        assert proposal.decision_due == dt.date(2026, 5, 6)
        assert proposal.status == HelperAssignment.Status.PROPOSED
        decided = sv.helper_decide(
            actor=lan, assignment=proposal, on=dt.date(2026, 5, 5), decision_number="12/QĐ-UBND"
        )
        assert decided.status == HelperAssignment.Status.ACTIVE
        case.refresh_from_db()
        assert case.helper == "Lò Thị Ánh" and case.helper_assigned_on == dt.date(2026, 5, 5)
        assert case.milestones.filter(kind=CaseMilestone.Kind.HELPER_ASSIGNED).exists()

    def test_the_contact_details_are_encrypted(self, lan) -> None:
        from django.db import connection

        ani = helper(lan)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, phone FROM registry_helper WHERE id = %s", [ani.pk])
            name, phone = cursor.fetchone()
        assert b"\xc3\x81nh" not in bytes(name) and b"0987654321" not in bytes(phone)

    def test_no_proposal_before_the_reception_meeting(self, lan) -> None:
        case = active_case(lan, meeting=None)
        with pytest.raises(ApplicationError):
            sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)

    def test_no_proposal_for_a_case_not_yet_active(self, lan) -> None:
        case = factories.make_case(lan)
        with pytest.raises(ApplicationError) as caught:
            sv.helper_propose(actor=lan, case=case, helper=helper(lan))
        assert caught.value.extra["code"] == "illegal_transition"

    def test_a_second_proposal_waits_for_the_first(self, lan) -> None:
        case = active_case(lan)
        sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)
        with pytest.raises(ApplicationError):
            sv.helper_propose(actor=lan, case=case, helper=helper(lan, "Cầm Văn Bốn"), on=MEETING)

    def test_a_decision_before_the_proposal_or_in_the_future_is_refused(self, lan) -> None:
        case = active_case(lan)
        proposal = sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)
        with pytest.raises(ValidationError):
            sv.helper_decide(actor=lan, assignment=proposal, on=dt.date(2026, 4, 28))
        with pytest.raises(ValidationError):
            sv.helper_decide(actor=lan, assignment=proposal, on=today() + dt.timedelta(days=1))

    def test_deciding_twice_is_illegal(self, lan) -> None:
        case = active_case(lan)
        proposal = sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)
        sv.helper_decide(actor=lan, assignment=proposal, on=MEETING)
        with pytest.raises(ApplicationError):
            sv.helper_decide(actor=lan, assignment=proposal, on=MEETING)

    def test_a_change_of_helper_keeps_the_history(self, lan) -> None:
        case = active_case(lan)
        first = sv.helper_decide(
            actor=lan,
            assignment=sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING),
            on=MEETING,
        )
        second = sv.helper_propose(
            actor=lan, case=case, helper=helper(lan, "Hội Phụ nữ bản Hìn"), on=dt.date(2026, 6, 1)
        )
        first.refresh_from_db()
        assert first.status == HelperAssignment.Status.ACTIVE  # until the new one is decided
        sv.helper_decide(actor=lan, assignment=second, on=dt.date(2026, 6, 2))
        first.refresh_from_db()
        assert first.status == HelperAssignment.Status.ENDED
        assert first.end_reason == "replaced" and first.ended_on == dt.date(2026, 6, 2)
        assert list(case.helper_assignments.values_list("status", flat=True)) == [
            "active",
            "ended",
        ]
        case.refresh_from_db()
        assert case.helper == "Hội Phụ nữ bản Hìn"

    def test_a_refused_proposal_needs_a_reason(self, lan) -> None:
        case = active_case(lan)
        proposal = sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)
        with pytest.raises(ValidationError):
            sv.helper_withdraw(actor=lan, assignment=proposal, reason=" ")
        done = sv.helper_withdraw(actor=lan, assignment=proposal, reason="Chủ tịch không đồng ý")
        assert done.status == HelperAssignment.Status.WITHDRAWN


class HelperReportAndGroupTests:
    def _with_helper(self, lan) -> Case:
        case = active_case(lan)
        proposal = sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING)
        sv.helper_decide(actor=lan, assignment=proposal, on=MEETING)
        return case

    def test_the_report_is_due_on_the_fifth_of_the_next_quarter(self, lan) -> None:
        case = self._with_helper(lan)
        report = sv.helper_report_record(
            actor=lan,
            case=case,
            year=2026,
            quarter=2,
            received_on=dt.date(2026, 7, 7),
            summary="Chấp hành tốt, đã có việc làm ở xưởng gỗ.",
            suggested_group="A",
        )
        assert report.due_on == dt.date(2026, 7, 5) and report.late
        with pytest.raises(ValidationError):  # one per quarter
            sv.helper_report_record(actor=lan, case=case, year=2026, quarter=2, summary="Lần hai")

    def test_no_report_without_a_helper_or_for_a_future_quarter(self, lan) -> None:
        case = active_case(lan)
        with pytest.raises(ApplicationError):
            sv.helper_report_record(actor=lan, case=case, year=2026, quarter=2, summary="x")
        case = self._with_helper(factories.commune_officer("lan2", "Tô Hiệu"))
        year, quarter = sv.quarter_of(today())
        nxt = (year + (quarter == 4), quarter % 4 + 1)
        with pytest.raises(ValidationError):
            sv.helper_report_record(actor=lan, case=case, year=nxt[0], quarter=nxt[1], summary="x")

    def test_groups_are_history_not_one_overwritten_field(self, lan) -> None:
        case = self._with_helper(lan)
        sv.group_set(actor=lan, case=case, year=2026, quarter=2, group="B")
        sv.group_set(
            actor=lan, case=case, year=2026, quarter=2, group="C", reason="Bỏ nhà đi nhiều ngày"
        )
        rows = QuarterlyGroup.objects.filter(case=case, year=2026, quarter=2)
        assert rows.count() == 2
        assert rows.get(superseded_at__isnull=True).group == "C"
        assert rows.get(superseded_at__isnull=False).group == "B"
        case.refresh_from_db()
        assert case.classification == "C"

    def test_group_c_needs_a_reason_and_a_closed_case_cannot_be_classified(self, lan) -> None:
        case = self._with_helper(lan)
        with pytest.raises(ValidationError):
            sv.group_set(actor=lan, case=case, year=2026, quarter=2, group="C")
        with pytest.raises(ValidationError):
            sv.group_set(actor=lan, case=case, year=2026, quarter=2, group="E")
        factories.close_expunged(lan, case)
        with pytest.raises(ApplicationError):
            sv.group_set(actor=lan, case=case, year=2026, quarter=2, group="A")

    def test_an_earlier_quarter_classified_late_does_not_change_the_current_group(
        self, lan
    ) -> None:
        case = self._with_helper(lan)
        sv.group_set(actor=lan, case=case, year=2026, quarter=3, group="A")
        sv.group_set(actor=lan, case=case, year=2026, quarter=2, group="B")
        case.refresh_from_db()
        assert case.classification == "A"

    def test_a_quarter_page_classifies_many_cases_all_or_none(self, lan) -> None:
        cases = [
            active_case(lan, f"Lò Văn {name}") for name in ("An", "Bình", "Cường", "Dũng", "Hà")
        ]
        commune = factories.commune("Tô Hiệu")
        rows = [(c, "A", "") for c in cases[:4]] + [(cases[4], "C", "")]
        with pytest.raises(ValidationError) as caught:
            sv.quarter_classify(actor=lan, commune=commune, year=2026, quarter=3, rows=rows)
        assert list(caught.value.message_dict) == [str(cases[4].uuid)]
        assert QuarterlyGroup.objects.count() == 0
        rows[-1] = (cases[4], "C", "Nghiện rượu, gây rối")
        assert sv.quarter_classify(actor=lan, commune=commune, year=2026, quarter=3, rows=rows) == 5
        # the same groups again write nothing
        assert sv.quarter_classify(actor=lan, commune=commune, year=2026, quarter=3, rows=rows) == 0

    def test_the_quarter_page_refuses_another_communes_case(self, lan, binh) -> None:
        case = active_case(lan)
        with pytest.raises(ValidationError):
            sv.quarter_classify(
                actor=binh,
                commune=factories.commune("Mường Lạn"),
                year=2026,
                quarter=3,
                rows=[(case, "A", "")],
            )


class DetentionTests:
    def test_pause_sets_group_d_and_only_d_until_resumed(self, lan) -> None:
        case = active_case(lan)
        held = sv.detention_start(
            actor=lan,
            case=case,
            place_kind="custody",
            place="Nhà tạm giữ Công an tỉnh",
            started_on=dt.date(2026, 8, 10),
        )
        assert held.status == DetentionPeriod.Status.HELD
        year, quarter = sv.quarter_of(today())
        current = QuarterlyGroup.objects.get(
            case=case, year=year, quarter=quarter, superseded_at__isnull=True
        )
        assert current.group == "D"
        assert QuarterlyGroup.objects.get(case=case, year=2026, quarter=3).group == "D"
        with pytest.raises(ValidationError):
            sv.group_set(actor=lan, case=case, year=year, quarter=quarter, group="A")
        with pytest.raises(ApplicationError):
            sv.detention_start(actor=lan, case=case, place_kind="rehab", started_on=today())
        with pytest.raises(ValidationError):
            sv.detention_end(actor=lan, detention=held, on=dt.date(2026, 8, 1))
        sv.detention_end(actor=lan, detention=held, on=dt.date(2026, 9, 1))
        with pytest.raises(ApplicationError):
            sv.detention_end(actor=lan, detention=held, on=dt.date(2026, 9, 2))
        sv.group_set(actor=lan, case=case, year=year, quarter=quarter, group="B")
        case.refresh_from_db()
        assert case.status == Case.Status.ACTIVE and case.classification == "B"


class ReportingFailureTests:
    def _expected(self, lan, deadline: dt.date) -> Case:
        case = factories.make_case(lan)
        Case.objects.filter(pk=case.pk).update(reporting_deadline=deadline)
        case.refresh_from_db()
        return case

    def test_a_task_opens_the_day_after_the_deadline_once(self, lan) -> None:
        deadline = today() - dt.timedelta(days=3)
        case = self._expected(lan, deadline)
        assert sv.reporting_failures_open(on=deadline) == 0
        assert sv.reporting_failures_open(on=deadline + dt.timedelta(days=1)) == 1
        assert sv.reporting_failures_open(on=deadline + dt.timedelta(days=2)) == 0
        failure = case.reporting_failures.get()
        assert failure.status == ReportingFailure.Status.VERIFYING
        assert Notification.objects.filter(user=lan).exists()

    def test_home_but_absent_summons_then_hcd04(self, lan) -> None:
        deadline = today() - dt.timedelta(days=10)
        case = self._expected(lan, deadline)
        sv.reporting_failures_open(on=deadline + dt.timedelta(days=1))
        failure = case.reporting_failures.get()
        with pytest.raises(ApplicationError):  # no summons before the check at home
            sv.reporting_failure_step(actor=lan, failure=failure, action="summon")
        failure = sv.reporting_failure_step(
            actor=lan, failure=failure, action="home_absent", on=deadline + dt.timedelta(days=2)
        )
        summons_day = deadline + dt.timedelta(days=3)
        with pytest.raises(ValidationError):
            sv.reporting_failure_step(actor=lan, failure=failure, action="summon", on=summons_day)
        failure = sv.reporting_failure_step(
            actor=lan,
            failure=failure,
            action="summon",
            on=summons_day,
            summons_appear_by=summons_day + dt.timedelta(days=2),
        )
        with pytest.raises(ValidationError):  # HCD-04 only once the date to appear has passed
            sv.reporting_failure_step(
                actor=lan, failure=failure, action="report", on=summons_day + dt.timedelta(days=2)
            )
        failure = sv.reporting_failure_step(
            actor=lan, failure=failure, action="report", on=summons_day + dt.timedelta(days=3)
        )
        assert failure.status == ReportingFailure.Status.REPORTED
        assert failure.hcd04_recipient == sv.DEFAULTS["hcd04_recipient"]
        # the person turns up after all: presenting resolves the task
        services.case_record_presentation(actor=lan, case=case, on=today())
        failure.refresh_from_db()
        assert failure.status == ReportingFailure.Status.RESOLVED

    def test_never_returned_needs_the_relatives_findings(self, lan) -> None:
        deadline = today() - dt.timedelta(days=5)
        case = self._expected(lan, deadline)
        sv.reporting_failures_open(on=deadline + dt.timedelta(days=1))
        failure = case.reporting_failures.get()
        with pytest.raises(ValidationError):
            sv.reporting_failure_step(actor=lan, failure=failure, action="not_home")
        failure = sv.reporting_failure_step(
            actor=lan,
            failure=failure,
            action="not_home",
            findings="Mẹ cho biết đi làm thuê ở Hà Nội, chưa về.",
        )
        failure = sv.reporting_failure_step(actor=lan, failure=failure, action="report")
        assert failure.status == "reported" and failure.hcd04_on == today()

    def test_reporting_at_another_commune(self, lan) -> None:
        deadline = today() - dt.timedelta(days=5)
        case = self._expected(lan, deadline)
        sv.reporting_failures_open(on=deadline + dt.timedelta(days=1))
        failure = case.reporting_failures.get()
        with pytest.raises(ValidationError):  # the same commune is not "another"
            sv.reporting_failure_step(
                actor=lan, failure=failure, action="elsewhere", other_commune=case.commune
            )
        failure = sv.reporting_failure_step(
            actor=lan,
            failure=failure,
            action="elsewhere",
            other_commune=factories.commune("Mường Lạn"),
        )
        assert failure.status == ReportingFailure.Status.ELSEWHERE
        with pytest.raises(ApplicationError):
            sv.reporting_failure_step(actor=lan, failure=failure, action="resolve")
        assert sv.reporting_failures_open(on=today()) == 0


class TransferTests:
    def test_accepted_moves_the_case_its_referrals_and_access(self, lan, binh) -> None:
        case = active_case(lan)
        need = factories.make_need(lan, case, "job")
        referral = services.referral_send(
            actor=lan,
            need=need,
            agency=Agency.objects.get(code="so-noi-vu"),
        )
        services.case_note_add(
            actor=lan, case=case, kind="visit", happened_on=today(), text="Thăm tại nhà"
        )
        # before: the sending commune sees the case, the receiving one does not
        assert access.get_for_user(lan, Case, case.uuid)
        with pytest.raises(Http404):
            access.get_for_user(binh, Case, case.uuid)
        transfer = sv.transfer_propose(
            actor=lan,
            case=case,
            to_commune=factories.commune("Mường Lạn"),
            new_address="Bản Cang, xã Mường Lạn",
            on=MEETING,
        )
        # 30/4, 1/5 holidays, 2–3/5 weekend: Mon 4 … Fri 8 May
        assert transfer.due_on == dt.date(2026, 5, 8)
        assert access.transfer_list_for_user(binh).filter(pk=transfer.pk).exists()
        with pytest.raises(PermissionDenied):  # only the receiving commune accepts
            sv.transfer_accept(actor=lan, transfer=transfer, on=MEETING)
        accepted = sv.transfer_accept(actor=binh, transfer=transfer, on=dt.date(2026, 5, 4))
        assert accepted.status == Transfer.Status.ACCEPTED
        case.refresh_from_db()
        assert case.commune == factories.commune("Mường Lạn") and case.assigned_officer == binh
        referral.refresh_from_db()
        assert referral.sender_agency.jurisdiction == factories.commune("Mường Lạn")
        # after: the receiving commune sees the case, its notes and referrals
        assert access.get_for_user(binh, Case, case.uuid)
        assert access.case_note_list_for_user(binh).filter(case=case).count() == 1
        assert access.referral_list_for_user(binh).filter(pk=referral.pk).exists()
        # the sending commune no longer sees the case nor any new entry, only its transfer row
        services.case_note_add(
            actor=binh, case=case, kind="visit", happened_on=today(), text="Thăm ở nơi mới"
        )
        with pytest.raises(Http404):
            access.get_for_user(lan, Case, case.uuid)
        assert not access.case_note_list_for_user(lan).filter(case=case).exists()
        assert not access.referral_list_for_user(lan).filter(pk=referral.pk).exists()
        assert access.transfer_list_for_user(lan).filter(pk=transfer.pk).exists()
        with pytest.raises(ApplicationError):  # accepted is terminal
            sv.transfer_refuse(actor=binh, transfer=transfer, reason="Nhầm")

    def test_refused_leaves_the_case_where_it_was(self, lan, binh) -> None:
        case = active_case(lan)
        transfer = sv.transfer_propose(
            actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="Bản X"
        )
        with pytest.raises(ValidationError):
            sv.transfer_refuse(actor=binh, transfer=transfer, reason="")
        refused = sv.transfer_refuse(
            actor=binh, transfer=transfer, reason="Không có người này ở địa chỉ"
        )
        assert refused.status == Transfer.Status.REFUSED
        case.refresh_from_db()
        assert case.commune == factories.commune("Tô Hiệu")
        assert Notification.objects.filter(user=lan, text__contains="từ chối").exists()
        with pytest.raises(ApplicationError):
            sv.transfer_accept(actor=binh, transfer=refused)
        # a new proposal is possible after a refusal
        sv.transfer_propose(
            actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="Bản Y"
        )

    def test_overdue_is_escalated_once_to_the_provincial_police(self, lan, binh, chief) -> None:
        case = active_case(lan)
        transfer = sv.transfer_propose(
            actor=lan,
            case=case,
            to_commune=factories.commune("Mường Lạn"),
            new_address="Bản X",
            on=MEETING,
        )
        assert sv.transfers_escalate_overdue(on=dt.date(2026, 5, 8)) == 0  # due day itself
        assert sv.transfers_escalate_overdue(on=dt.date(2026, 5, 9)) == 1
        assert sv.transfers_escalate_overdue(on=dt.date(2026, 5, 10)) == 0
        assert Notification.objects.filter(user=chief, text__contains="Quá hạn tiếp nhận").count()
        transfer.refresh_from_db()
        assert transfer.escalated_at is not None and transfer.status == "proposed"

    def test_illegal_proposals(self, lan, binh) -> None:
        case = active_case(lan)
        with pytest.raises(ValidationError):  # to its own commune
            sv.transfer_propose(actor=lan, case=case, to_commune=case.commune, new_address="X")
        with pytest.raises(ValidationError):  # no address
            sv.transfer_propose(
                actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address=""
            )
        with pytest.raises(PermissionDenied):  # another commune's officer
            sv.transfer_propose(
                actor=binh, case=case, to_commune=factories.commune("Mường Lạn"), new_address="X"
            )
        sv.transfer_propose(
            actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="X"
        )
        with pytest.raises(ApplicationError):  # one pending at a time
            sv.transfer_propose(
                actor=lan, case=case, to_commune=factories.commune("Mường Lạn"), new_address="X"
            )

    def test_out_of_the_province_closes_the_case_with_the_letter(self, lan) -> None:
        case = active_case(lan)
        with pytest.raises(ValidationError):
            sv.transfer_propose(
                actor=lan, case=case, out_of_province=True, destination="Hà Nội", new_address="X"
            )
        transfer = sv.transfer_propose(
            actor=lan,
            case=case,
            out_of_province=True,
            destination="Thành phố Hà Nội",
            new_address="Số 5 ngõ 10, phường Hoàng Mai",
            letter_number="35/CV-CAX",
            letter_date=today(),
        )
        assert transfer.status == Transfer.Status.OUT_OF_PROVINCE
        case.refresh_from_db()
        assert case.status == Case.Status.CLOSED and case.close_reason == "moved_away"


class EndOfManagementTests:
    def test_expungement_by_date_proposed_then_decided(self, lan) -> None:
        person = factories.make_person(lan, national_id=factories.national_id())
        record = factories.make_custody(
            lan,
            person,
            release_date=dt.date(2023, 1, 10),
            certificate_date=dt.date(2023, 1, 10),
            sentence_months=12,
        )
        case = services.case_open(
            actor=lan, person=person, commune=factories.commune(), custody_record=record
        )
        case = services.case_record_presentation(actor=lan, case=case, on=dt.date(2023, 1, 12))
        record.refresh_from_db()
        assert record.expungement_eligible_date <= today()
        proposal = sv.end_propose(actor=lan, case=case, ground="expunged", basis="date")
        assert proposal.status == EndOfManagement.Status.PROPOSED
        with pytest.raises(ValidationError):  # HCD-11 needs its number
            sv.end_decide(actor=lan, proposal=proposal)
        decided = sv.end_decide(actor=lan, proposal=proposal, decision_number="20/QĐ-UBND")
        assert decided.status == EndOfManagement.Status.DECIDED
        case.refresh_from_db()
        assert case.status == Case.Status.CLOSED and case.close_reason == "expunged"
        assert case.milestones.filter(kind=CaseMilestone.Kind.EXPUNGED).exists()
        with pytest.raises(ApplicationError):
            sv.end_reject(actor=lan, proposal=decided, reason="x")

    def test_expungement_before_the_date_needs_a_court_decision(self, lan) -> None:
        case = active_case(lan)
        with pytest.raises(ValidationError) as caught:
            sv.end_propose(actor=lan, case=case, ground="expunged", basis="date")
        assert "basis" in caught.value.message_dict
        proposal = sv.end_propose(
            actor=lan,
            case=case,
            ground="expunged",
            basis="court",
            reference="05/2026/QĐ-TA",
            reference_date=today(),
        )
        sv.end_decide(actor=lan, proposal=proposal, decision_number="21/QĐ-UBND")
        case.refresh_from_db()
        milestone = case.milestones.get(kind=CaseMilestone.Kind.EXPUNGED)
        assert "05/2026/QĐ-TA" in milestone.note

    def test_other_grounds_need_facts_and_the_chair_may_refuse(self, lan) -> None:
        case = active_case(lan)
        with pytest.raises(ValidationError):
            sv.end_propose(actor=lan, case=case, ground="deceased")
        with pytest.raises(ValidationError):
            sv.end_propose(actor=lan, case=case, ground="emigrated", facts="x")
        proposal = sv.end_propose(
            actor=lan, case=case, ground="deceased", facts="Giấy báo tử số 12/2026"
        )
        with pytest.raises(ApplicationError):  # one pending proposal
            sv.end_propose(actor=lan, case=case, ground="deceased", facts="x")
        sv.end_reject(actor=lan, proposal=proposal, reason="Chưa có trích lục khai tử")
        case.refresh_from_db()
        assert case.status == Case.Status.ACTIVE

    def test_a_new_prison_sentence_ends_helpers_and_cancels_referrals(self, lan) -> None:
        case = active_case(lan)
        sv.helper_decide(
            actor=lan,
            assignment=sv.helper_propose(actor=lan, case=case, helper=helper(lan), on=MEETING),
            on=MEETING,
        )
        need = factories.make_need(lan, case, "job")
        referral = services.referral_send(
            actor=lan,
            need=need,
            agency=Agency.objects.get(code="so-noi-vu"),
        )
        proposal = sv.end_propose(
            actor=lan, case=case, ground="reoffended", facts="Bản án 30/2026/HS-ST"
        )
        sv.end_decide(actor=lan, proposal=proposal, decision_number="22/QĐ-UBND")
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CANCELLED
        assert case.helper_assignments.get().status == HelperAssignment.Status.ENDED


def test_the_daily_task_opens_tasks_and_escalates(lan, binh, chief) -> None:
    from registry.tasks import supervision_daily

    late = factories.make_case(lan)
    Case.objects.filter(pk=late.pk).update(reporting_deadline=today() - dt.timedelta(days=1))
    case = active_case(lan, "Cầm Văn Hùng")
    sv.transfer_propose(
        actor=lan,
        case=case,
        to_commune=factories.commune("Mường Lạn"),
        new_address="Bản X",
        on=MEETING,
    )
    assert supervision_daily() == {"reporting_failures": 1, "transfers_escalated": 1}
    assert supervision_daily() == {"reporting_failures": 0, "transfers_escalated": 0}


def test_the_hcd09_rows_are_the_current_groups_of_one_commune(lan, binh) -> None:
    case = active_case(lan)
    sv.group_set(actor=lan, case=case, year=2026, quarter=3, group="B")
    sv.group_set(actor=lan, case=case, year=2026, quarter=3, group="C", reason="Gây rối")
    commune = factories.commune("Tô Hiệu")
    rows = access.quarter_groups_for_user(lan, commune_id=commune.pk, year=2026, quarter=3)
    assert [(r.case_id, r.group) for r in rows] == [(case.pk, "C")]
    assert not access.quarter_groups_for_user(binh, commune_id=commune.pk, year=2026, quarter=3)
