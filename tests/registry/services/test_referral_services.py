"""The referral loop: every transition, legal and illegal, and the lawful basis for sending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.errors import ApplicationError
from registry.models import Agency, Need, Referral
from registry.services.referrals import REFERRAL_ACTIONS
from registry.workdays import add_working_days
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db
R = Referral.Status

# The statuses each action may start from, as drawn on the Referral model.
LEGAL = {
    "accept": {R.REQUESTED},
    "reject": {R.REQUESTED},
    "start": {R.ACCEPTED},
    "hold": {R.IN_PROGRESS},
    "resume": {R.ON_HOLD},
    "complete": {R.IN_PROGRESS},
    "fail": {R.ACCEPTED, R.IN_PROGRESS, R.ON_HOLD},
    "cancel": {R.REQUESTED, R.ACCEPTED, R.IN_PROGRESS, R.ON_HOLD},
}
# How to bring a fresh referral to each status.
PATH = {
    R.REQUESTED: [],
    R.ACCEPTED: ["accept"],
    R.REJECTED: ["reject"],
    R.IN_PROGRESS: ["accept", "start"],
    R.ON_HOLD: ["accept", "start", "hold"],
    R.COMPLETED: ["accept", "start", "complete"],
    R.FAILED: ["accept", "fail"],
    R.CANCELLED: ["cancel"],
}
ARGS = {
    "reject": {"reason": "Không đủ điều kiện"},
    "hold": {"reason": "Chờ khai giảng"},
    "fail": {"reason": "Không liên lạc được"},
    "cancel": {"reason": "Người dân không còn nhu cầu"},
    "complete": {"outcome": "achieved"},
}


@pytest.fixture
def alice():
    return factories.UserFactory(username="alice")


@pytest.fixture
def home_affairs():
    return Agency.objects.get(code="so-noi-vu")


def new_referral(actor, agency) -> Referral:
    case = factories.make_case(
        actor, factories.make_person(actor, national_id=factories.national_id(), phone=None)
    )
    need = factories.make_need(actor, case, "job")
    return services.referral_send(actor=actor, need=need, agency=agency)


def bring_to(actor, referral, status) -> Referral:
    for action in PATH[status]:
        referral = services.referral_transition(
            actor=actor, referral=referral, action=action, **ARGS.get(action, {})
        )
    return referral


class ReferralSendTests:
    def test_a_legal_duty_is_a_lawful_basis(self, alice, home_affairs) -> None:
        referral = new_referral(alice, home_affairs)
        assert referral.lawful_basis == Referral.LawfulBasis.LEGAL_DUTY
        assert referral.response_due == add_working_days(today(), 10)
        assert referral.need.status == Need.Status.REFERRED
        assert list(referral.transitions.values_list("from_status", "to_status")) == [
            ("", "requested")
        ]

    def test_without_duty_or_consent_sending_is_refused(self, alice) -> None:
        case = factories.make_case(alice)
        need = factories.make_need(alice, case, "loan")
        with pytest.raises(ApplicationError) as caught:
            services.referral_send(
                actor=alice, need=need, agency=Agency.objects.get(code="nhcsxh-son-la")
            )
        assert caught.value.extra["code"] == "no_lawful_basis"
        need.refresh_from_db()
        assert need.status == Need.Status.IDENTIFIED and not Referral.objects.exists()

    def test_consent_for_that_agency_is_a_lawful_basis(self, alice) -> None:
        case = factories.make_case(alice)
        bank = Agency.objects.get(code="nhcsxh-son-la")
        services.consent_record(
            actor=alice,
            person=case.person,
            purpose="referral",
            agency=bank,
            evidence="Phiếu đồng ý có chữ ký",
        )
        referral = services.referral_send(
            actor=alice, need=factories.make_need(alice, case, "loan"), agency=bank
        )
        assert (
            referral.lawful_basis == Referral.LawfulBasis.CONSENT and referral.consent is not None
        )

    def test_withdrawn_expired_or_other_agency_consent_is_no_basis(self, alice) -> None:
        case = factories.make_case(alice)
        bank = Agency.objects.get(code="nhcsxh-son-la")
        withdrawn = services.consent_record(
            actor=alice, person=case.person, purpose="referral", agency=bank, evidence="x"
        )
        services.consent_withdraw(actor=alice, consent=withdrawn)
        services.consent_record(
            actor=alice,
            person=case.person,
            purpose="referral",
            evidence="x",
            agency=Agency.objects.get(code="so-tu-phap"),
        )
        services.consent_record(
            actor=alice,
            person=case.person,
            purpose="referral",
            evidence="x",
            given_on=today() - dt.timedelta(days=30),
            expires_on=today() - dt.timedelta(days=1),
        )
        need = factories.make_need(alice, case, "loan")
        with pytest.raises(ApplicationError):
            services.referral_send(actor=alice, need=need, agency=bank)

    def test_an_agency_that_does_not_serve_the_need_is_refused(self, alice) -> None:
        case = factories.make_case(alice)
        with pytest.raises(ValidationError):
            services.referral_send(
                actor=alice,
                need=factories.make_need(alice, case, "job"),
                agency=Agency.objects.get(code="nhcsxh-son-la"),
            )

    def test_a_retired_agency_is_refused(self, alice) -> None:
        case = factories.make_case(alice)
        with pytest.raises(ValidationError) as caught:
            services.referral_send(
                actor=alice,
                need=factories.make_need(alice, case, "job"),
                agency=Agency.objects.get(code="so-ldtbxh"),
            )
        assert "kế thừa" in str(caught.value)


class ReferralTransitionTests:
    @pytest.mark.parametrize("start", list(PATH))
    @pytest.mark.parametrize("action", list(LEGAL))
    def test_each_action_is_allowed_exactly_from_its_statuses(
        self, alice, home_affairs, start, action
    ) -> None:
        referral = bring_to(alice, new_referral(alice, home_affairs), start)
        if start in LEGAL[action]:
            after = services.referral_transition(
                actor=alice, referral=referral, action=action, **ARGS.get(action, {})
            )
            assert after.status == REFERRAL_ACTIONS[action].target
            last = after.transitions.last()
            assert (last.from_status, last.to_status, last.actor) == (start, after.status, alice)
        else:
            with pytest.raises(ApplicationError) as caught:
                services.referral_transition(
                    actor=alice, referral=referral, action=action, **ARGS.get(action, {})
                )
            assert caught.value.extra["code"] == "illegal_transition"
            referral.refresh_from_db()
            assert referral.status == start

    @pytest.mark.parametrize("action", ["reject", "hold", "fail", "cancel"])
    def test_a_reason_is_required_where_the_machine_says_so(
        self, alice, home_affairs, action
    ) -> None:
        referral = bring_to(alice, new_referral(alice, home_affairs), sorted(LEGAL[action])[0])
        with pytest.raises(ValidationError) as caught:
            services.referral_transition(
                actor=alice, referral=referral, action=action, reason="   "
            )
        assert "reason" in caught.value.error_dict

    def test_completion_requires_an_outcome(self, alice, home_affairs) -> None:
        referral = bring_to(alice, new_referral(alice, home_affairs), R.IN_PROGRESS)
        with pytest.raises(ValidationError):
            services.referral_complete(actor=alice, referral=referral, outcome="")

    @pytest.mark.parametrize(
        ("outcome", "need_status"),
        [("achieved", "met"), ("partly", "met"), ("not_achieved", "unmet")],
    )
    def test_completion_settles_the_need(self, alice, home_affairs, outcome, need_status) -> None:
        referral = bring_to(alice, new_referral(alice, home_affairs), R.IN_PROGRESS)
        services.referral_complete(actor=alice, referral=referral, outcome=outcome)
        assert Need.objects.get(pk=referral.need_id).status == need_status

    @pytest.mark.parametrize("end", [R.REJECTED, R.FAILED, R.CANCELLED])
    def test_a_dropped_referral_lets_the_need_be_referred_again(
        self, alice, home_affairs, end
    ) -> None:
        referral = bring_to(alice, new_referral(alice, home_affairs), end)
        need = Need.objects.get(pk=referral.need_id)
        assert need.status == Need.Status.IDENTIFIED
        again = services.referral_send(actor=alice, need=need, agency=home_affairs)
        assert again.status == R.REQUESTED

    def test_answering_records_the_response_time_and_overdue_is_computed(
        self, alice, home_affairs
    ) -> None:
        referral = new_referral(alice, home_affairs)
        later = referral.response_due + dt.timedelta(days=1)
        from registry.selectors import referrals_overdue

        assert list(referrals_overdue(on=later)) == [referral]
        accepted = services.referral_accept(actor=alice, referral=referral)
        assert accepted.responded_at is not None
        assert not referrals_overdue(on=later).exists()
