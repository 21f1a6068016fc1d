"""Home Affairs: courses matched to a referral, enrolment within seats, completion, job placement
with follow-ups at 3, 6 and 12 months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.errors import ApplicationError
from registry.models import Agency
from registry.services import training
from registry.workdays import add_months
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_affairs():
    return Agency.objects.get(code="so-noi-vu")


@pytest.fixture
def officer():
    return factories.UserFactory(username="noi-vu")


def referral_in(officer, home_affairs, commune_name: str = "Tô Hiệu", code: str = "training"):
    person = factories.make_person(officer, national_id=factories.national_id(), phone=None)
    case = services.case_record_presentation(
        actor=officer, case=factories.make_case(officer, person, commune_name)
    )
    referral = services.referral_send(
        actor=officer, need=factories.make_need(officer, case, code), agency=home_affairs
    )
    return services.referral_start(
        actor=officer, referral=services.referral_accept(actor=officer, referral=referral)
    )


def course(
    officer, home_affairs, trade: str, commune_name: str, seats: int = 2, days_ahead: int = 10
):
    return training.course_create(
        actor=officer,
        agency=home_affairs,
        trade=trade,
        provider="Trường Cao đẳng Sơn La",
        commune=factories.commune(commune_name),
        starts_on=today() + dt.timedelta(days=days_ahead),
        ends_on=today() + dt.timedelta(days=days_ahead + 60),
        seats=seats,
    )


class TrainingTests:
    def test_matching_prefers_the_same_commune_and_the_trade_and_skips_full_or_started_courses(
        self, officer, home_affairs
    ) -> None:
        referral = referral_in(officer, home_affairs)
        far = course(officer, home_affairs, "Sửa chữa xe máy", "Mường Lạn")
        near = course(officer, home_affairs, "Sửa chữa xe máy", "Tô Hiệu")
        other_trade = course(officer, home_affairs, "May công nghiệp", "Tô Hiệu")
        started = course(officer, home_affairs, "Sửa chữa xe máy", "Tô Hiệu", days_ahead=-5)
        full = course(officer, home_affairs, "Sửa chữa xe máy", "Tô Hiệu", seats=1)
        training.enrollment_create(
            actor=officer, referral=referral_in(officer, home_affairs), course=full
        )
        matches = list(training.courses_for_referral(referral=referral, trade="sua chua xe may"))
        assert matches == [near, far]
        assert other_trade not in matches and started not in matches and full not in matches

    def test_enrolment_respects_seats_and_the_referral_state(self, officer, home_affairs) -> None:
        one_seat = course(officer, home_affairs, "Trồng cà phê", "Tô Hiệu", seats=1)
        training.enrollment_create(
            actor=officer, referral=referral_in(officer, home_affairs), course=one_seat
        )
        with pytest.raises(ValidationError, match="hết chỗ"):
            training.enrollment_create(
                actor=officer, referral=referral_in(officer, home_affairs), course=one_seat
            )
        person = factories.make_person(officer, national_id=factories.national_id(), phone=None)
        case = factories.make_case(officer, person)
        waiting = services.referral_send(
            actor=officer, need=factories.make_need(officer, case, "training"), agency=home_affairs
        )
        with pytest.raises(ApplicationError):
            training.enrollment_create(
                actor=officer,
                referral=waiting,
                course=course(officer, home_affairs, "X", "Tô Hiệu"),
            )

    def test_completion_is_recorded_once(self, officer, home_affairs) -> None:
        enrollment = training.enrollment_create(
            actor=officer,
            referral=referral_in(officer, home_affairs),
            course=course(officer, home_affairs, "Mộc", "Tô Hiệu", days_ahead=-5),
        )
        done = training.enrollment_finish(
            actor=officer, enrollment=enrollment, completed=True, on=today(), attended_days=40
        )
        assert (done.status, done.attended_days) == ("completed", 40)
        with pytest.raises(ApplicationError):
            training.enrollment_finish(
                actor=officer, enrollment=enrollment, completed=False, on=today()
            )

    def test_a_placement_is_followed_up_at_3_6_and_12_months(self, officer, home_affairs) -> None:
        referral = referral_in(officer, home_affairs, code="job")
        started = today() - dt.timedelta(days=200)
        placement = training.placement_record(
            actor=officer,
            referral=referral,
            employer="HTX chè Mộc Châu",
            job_title="Công nhân chế biến chè",
            started_on=started,
        )
        due = {f.months: f.due_on for f in placement.follow_ups.all()}
        assert due == {
            3: add_months(started, 3),
            6: add_months(started, 6),
            12: add_months(started, 12),
        }
        listed = list(training.follow_ups_due(agency=home_affairs, on=today()))
        assert [f.months for f in listed] == [3, 6]
        checked = training.follow_up_record(
            actor=officer, follow_up=listed[0], employed=True, on=today()
        )
        assert checked.outcome == "employed"
        with pytest.raises(ApplicationError):
            training.follow_up_record(
                actor=officer, follow_up=listed[0], employed=False, on=today()
            )
        assert [f.months for f in training.follow_ups_due(agency=home_affairs, on=today())] == [6]

    def test_course_dates_and_seats_are_checked(self, officer, home_affairs) -> None:
        with pytest.raises(ValidationError) as caught:
            training.course_create(
                actor=officer,
                agency=home_affairs,
                trade=" ",
                provider="x",
                commune=factories.commune(),
                starts_on=today(),
                ends_on=today() - dt.timedelta(days=1),
                seats=0,
            )
        assert {"trade", "ends_on", "seats"} == set(caught.value.error_dict)
