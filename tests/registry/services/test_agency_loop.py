"""The closed loop: every step an agency records (enrolment, completion, dropping out, a job and
its follow-ups, a loan submitted, approved, rejected, disbursed or overdue, a certificate issued or
refused, legal aid given) moves the referral and its need, appears on the police case's timeline
and notifies the officer who sent the referral; seats are counted from enrolments; and the dates
make sense (no completion before the course starts, no follow-up before the job, no disbursement
before the approval), each refusal in Vietnamese."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.errors import ApplicationError
from registry.models import (
    Agency,
    Need,
    Notification,
    Referral,
    ReferralTransition,
    TrainingCourse,
)
from registry.services import loans, training
from registry.services.judicial_records import (
    judicial_record_issue,
    judicial_record_refuse,
    judicial_record_request_create,
    legal_aid_record,
)
from registry.views.casework import timeline
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
S = Referral.Status
E = ReferralTransition.Event


@pytest.fixture
def police():
    return factories.commune_officer("ca-xa-vong")


@pytest.fixture
def agency_officer():
    return factories.UserFactory(username="can-bo-co-quan")


def sent(police, code: str, agency_code: str, *, accept: bool = True) -> Referral:
    """A referral of a ``code`` need sent by the commune police, accepted by the agency."""
    person = factories.make_person(police, national_id=factories.national_id(), phone=None)
    case = services.case_record_presentation(actor=police, case=factories.make_case(police, person))
    agency = Agency.objects.get(code=agency_code)
    need = factories.make_need(police, case, code)
    referral = services.referral_send(
        actor=police, need=need, agency=agency, consent=_consent(police, person, agency)
    )
    if accept:
        referral = services.referral_accept(
            actor=factories.UserFactory(username="tiep-nhan"), referral=referral
        )
    return referral


def _consent(police, person, agency):
    from registry.models import Consent

    return Consent.objects.create(
        person=person,
        purpose=Consent.Purpose.REFERRAL,
        agency=agency,
        evidence="Phiếu đồng ý",
        recorded_by=police,
        given_on=today(),
    )


def assert_loop(referral: Referral, police, event: str, status: str, need: str) -> None:
    """The referral and its need moved, the step is on the police's timeline, the officer told."""
    referral.refresh_from_db()
    assert referral.status == status
    assert Need.objects.get(pk=referral.need_id).status == need
    label = str(ReferralTransition.Event(event).label)
    entries = timeline(referral.need.case, police)
    assert any(label in e["text"] for e in entries if e["kind"] == "referral"), entries
    assert Notification.objects.filter(user=police, text__contains=label).exists()


def course(agency_officer, seats: int = 2, starts_in: int = -5) -> TrainingCourse:
    return training.course_create(
        actor=agency_officer,
        agency=Agency.objects.get(code="so-noi-vu"),
        trade="Sửa chữa xe máy",
        provider="Trường Cao đẳng Sơn La",
        commune=factories.commune(),
        starts_on=today() + dt.timedelta(days=starts_in),
        ends_on=today() + dt.timedelta(days=starts_in + 60),
        seats=seats,
    )


class TrainingLoopTests:
    def test_enrolment_starts_the_referral_and_takes_a_seat(self, police, agency_officer) -> None:
        referral = sent(police, "training", "so-noi-vu")
        future = course(agency_officer, seats=2, starts_in=10)
        training.enrollment_create(actor=agency_officer, referral=referral, course=future)
        assert_loop(referral, police, E.ENROLLED, S.IN_PROGRESS, Need.Status.REFERRED)
        left = training.courses_with_seats(TrainingCourse.objects.filter(pk=future.pk)).get()
        assert (left.taken, left.seats_left) == (1, 1)

    def test_completion_completes_a_training_referral_and_meets_the_need(
        self, police, agency_officer
    ) -> None:
        referral = sent(police, "training", "so-noi-vu")
        enrollment = training.enrollment_create(
            actor=agency_officer, referral=referral, course=course(agency_officer)
        )
        training.enrollment_finish(
            actor=agency_officer, enrollment=enrollment, completed=True, on=today()
        )
        assert_loop(referral, police, E.COURSE_COMPLETED, S.COMPLETED, Need.Status.MET)
        referral.refresh_from_db()
        assert referral.outcome == Referral.Outcome.ACHIEVED

    def test_dropping_out_fails_the_referral_and_frees_the_seat(
        self, police, agency_officer
    ) -> None:
        referral = sent(police, "training", "so-noi-vu")
        one_seat = course(agency_officer, seats=1)
        enrollment = training.enrollment_create(
            actor=agency_officer, referral=referral, course=one_seat
        )
        training.enrollment_finish(
            actor=agency_officer, enrollment=enrollment, completed=False, on=today()
        )
        # the need may be referred again
        assert_loop(referral, police, E.DROPPED, S.FAILED, Need.Status.IDENTIFIED)
        left = training.courses_with_seats(TrainingCourse.objects.filter(pk=one_seat.pk)).get()
        assert left.seats_left == 1

    def test_no_completion_before_the_course_starts(self, police, agency_officer) -> None:
        referral = sent(police, "training", "so-noi-vu")
        enrollment = training.enrollment_create(
            actor=agency_officer, referral=referral, course=course(agency_officer, starts_in=3)
        )
        with pytest.raises(ValidationError, match="trước ngày khai giảng") as caught:
            training.enrollment_finish(
                actor=agency_officer, enrollment=enrollment, completed=True, on=today()
            )
        assert set(caught.value.error_dict) == {"on"}
        referral.refresh_from_db()
        assert referral.status == S.IN_PROGRESS

    def test_a_job_completes_the_referral_and_each_follow_up_reaches_the_police(
        self, police, agency_officer
    ) -> None:
        referral = sent(police, "job", "so-noi-vu")
        started = today() - dt.timedelta(days=100)
        placement = training.placement_record(
            actor=agency_officer,
            referral=referral,
            employer="HTX chè Mộc Châu",
            job_title="Công nhân chế biến chè",
            started_on=started,
        )
        assert_loop(referral, police, E.JOB_PLACED, S.COMPLETED, Need.Status.MET)
        entry = next(e for e in timeline(referral.need.case, police) if "Có việc làm" in e["text"])
        assert entry["date"] == started  # the day the job started, not the day it was typed
        three = placement.follow_ups.get(months=3)
        training.follow_up_record(actor=agency_officer, follow_up=three, employed=True, on=today())
        assert_loop(referral, police, E.FOLLOW_UP, S.COMPLETED, Need.Status.MET)
        assert Notification.objects.filter(user=police, text__contains="sau 3 tháng").exists()

    def test_a_job_after_a_completed_course_is_recorded_on_the_same_referral(
        self, police, agency_officer
    ) -> None:
        referral = sent(police, "training", "so-noi-vu")
        enrollment = training.enrollment_create(
            actor=agency_officer, referral=referral, course=course(agency_officer)
        )
        training.enrollment_finish(
            actor=agency_officer, enrollment=enrollment, completed=True, on=today()
        )
        training.placement_record(
            actor=agency_officer,
            referral=referral,
            employer="Xưởng sửa xe Tô Hiệu",
            job_title="Thợ sửa xe",
            started_on=today(),
        )
        assert_loop(referral, police, E.JOB_PLACED, S.COMPLETED, Need.Status.MET)

    def test_no_follow_up_before_the_job_starts(self, police, agency_officer) -> None:
        referral = sent(police, "job", "so-noi-vu")
        placement = training.placement_record(
            actor=agency_officer,
            referral=referral,
            employer="HTX",
            job_title="Công nhân",
            started_on=today() - dt.timedelta(days=5),
        )
        with pytest.raises(ValidationError, match="trước khi bắt đầu làm việc"):
            training.follow_up_record(
                actor=agency_officer,
                follow_up=placement.follow_ups.get(months=3),
                employed=True,
                on=today() - dt.timedelta(days=6),
            )


def _loan(agency_officer, referral, amount: int = 50_000_000):
    loan = loans.loan_application_create(
        actor=agency_officer,
        case=referral.need.case,
        referral=referral,
        purpose="production",
        amount=amount,
    )
    return loans.loan_confirm_form(actor=agency_officer, loan=loan)


class LoanLoopTests:
    def test_submitted_approved_disbursed_and_overdue(self, police, agency_officer) -> None:
        referral = sent(police, "loan", "nhcsxh-son-la")
        loan, _ = loans.loan_submit(actor=agency_officer, loan=_loan(agency_officer, referral))
        assert_loop(referral, police, E.LOAN_SUBMITTED, S.IN_PROGRESS, Need.Status.REFERRED)
        loan = loans.loan_approve(actor=agency_officer, loan=loan, amount=40_000_000)
        assert loan.approved_on == today()
        assert_loop(referral, police, E.LOAN_APPROVED, S.IN_PROGRESS, Need.Status.REFERRED)
        loan = loans.loan_disburse(actor=agency_officer, loan=loan, amount=40_000_000, on=today())
        assert_loop(referral, police, E.LOAN_DISBURSED, S.COMPLETED, Need.Status.MET)
        loan = loans.loan_start_repaying(actor=agency_officer, loan=loan)
        loans.loan_mark_overdue(actor=agency_officer, loan=loan)
        assert_loop(referral, police, E.LOAN_OVERDUE, S.COMPLETED, Need.Status.MET)

    def test_a_rejected_loan_fails_the_referral(self, police, agency_officer) -> None:
        referral = sent(police, "loan", "nhcsxh-son-la")
        loan, _ = loans.loan_submit(actor=agency_officer, loan=_loan(agency_officer, referral))
        loans.loan_reject(actor=agency_officer, loan=loan, reason="Không có phương án trả nợ")
        assert_loop(referral, police, E.LOAN_REJECTED, S.FAILED, Need.Status.IDENTIFIED)
        assert Notification.objects.filter(
            user=police, text__contains="Không có phương án trả nợ"
        ).exists()

    def test_no_disbursement_before_the_approval(self, police, agency_officer) -> None:
        referral = sent(police, "loan", "nhcsxh-son-la")
        loan = _loan(agency_officer, referral)
        loan.applied_on = today() - dt.timedelta(days=20)
        loan.save(update_fields=["applied_on"])
        loan, _ = loans.loan_submit(actor=agency_officer, loan=loan)
        loan = loans.loan_approve(
            actor=agency_officer, loan=loan, amount=40_000_000, on=today() - dt.timedelta(days=3)
        )
        with pytest.raises(ValidationError, match="trước ngày phê duyệt") as caught:
            loans.loan_disburse(
                actor=agency_officer,
                loan=loan,
                amount=40_000_000,
                on=today() - dt.timedelta(days=10),
            )
        assert set(caught.value.error_dict) == {"on"}
        with pytest.raises(ValidationError, match="Ngày phê duyệt"):
            loans.loan_approve(
                actor=agency_officer,
                loan=loans.loan_submit(
                    actor=agency_officer,
                    loan=_loan(agency_officer, sent(police, "loan", "nhcsxh-son-la")),
                )[0],
                amount=1_000_000,
                on=today() + dt.timedelta(days=1),
            )

    def test_a_loan_on_an_unanswered_referral_cannot_be_submitted(
        self, police, agency_officer
    ) -> None:
        referral = sent(police, "loan", "nhcsxh-son-la", accept=False)
        with pytest.raises(ApplicationError):
            loans.loan_submit(actor=agency_officer, loan=_loan(agency_officer, referral))


class JusticeLoopTests:
    def _request(self, officer, referral):
        return judicial_record_request_create(
            actor=officer,
            case=referral.need.case,
            referral=referral,
            certificate_type="1",
            fee_category="standard",
        )

    def test_a_certificate_issued_completes_the_referral(self, police, agency_officer) -> None:
        referral = sent(police, "judicial_record", "cong-an-tinh-ho-so")
        request = self._request(agency_officer, referral)
        judicial_record_issue(actor=agency_officer, request=request, on=today())
        assert_loop(referral, police, E.CERTIFICATE_ISSUED, S.COMPLETED, Need.Status.MET)

    def test_a_certificate_refused_fails_the_referral(self, police, agency_officer) -> None:
        referral = sent(police, "judicial_record", "cong-an-tinh-ho-so")
        request = self._request(agency_officer, referral)
        judicial_record_refuse(actor=agency_officer, request=request, reason="Thiếu tờ khai")
        assert_loop(referral, police, E.CERTIFICATE_REFUSED, S.FAILED, Need.Status.IDENTIFIED)

    def test_legal_aid_given_completes_the_referral(self, police, agency_officer) -> None:
        referral = sent(police, "legal_aid", "tgpl-tinh")
        with pytest.raises(ValidationError) as caught:
            legal_aid_record(
                actor=agency_officer, referral=referral, on=today() + dt.timedelta(1), summary=""
            )
        assert set(caught.value.error_dict) == {"on", "summary"}
        legal_aid_record(
            actor=agency_officer,
            referral=referral,
            on=today(),
            summary="Tư vấn thủ tục xóa án tích",
        )
        assert_loop(referral, police, E.LEGAL_AID_GIVEN, S.COMPLETED, Need.Status.MET)
