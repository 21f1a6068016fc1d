"""The commune police worklist, notifications of referral changes, and escalation of overdue
referrals to the provincial police."""

from __future__ import annotations

import datetime as dt

import pytest

from registry import services
from registry.models import AccessEvent, Agency, Case, Membership, Notification, Role
from registry.services.notifications import referrals_escalate_overdue
from registry.worklists import commune_worklist
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = factories.UserFactory(username="ca-xa")
    commune = factories.commune()
    Membership.objects.create(
        user=user,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
    ).units.add(commune)
    return user


def new_case(officer, commune_name="Tô Hiệu", **custody):
    person = factories.make_person(officer, national_id=factories.national_id(), phone=None)
    record = factories.make_custody(officer, person, **custody)
    return services.case_open(
        actor=officer, person=person, commune=factories.commune(commune_name), custody_record=record
    )


def referral_to_the_commune_police(officer):
    """A case of the officer's commune and a referral of its need sent to the commune police."""
    case = services.case_record_presentation(actor=officer, case=new_case(officer))
    police = Agency.objects.get(level="commune", kind="police", jurisdiction=case.commune)
    referral = services.referral_send(
        actor=factories.UserFactory(username="x"),
        need=factories.make_need(officer, case, "residence"),
        agency=police,
    )
    return case, referral


class WorklistTests:
    def test_the_commune_worklist(self, officer) -> None:
        expected = new_case(officer)
        elsewhere = new_case(officer, "Mường Lạn")
        unseen = services.case_record_presentation(actor=officer, case=new_case(officer))
        Case.objects.filter(pk=unseen.pk).update(classification="C")
        seen = services.case_record_presentation(actor=officer, case=new_case(officer))
        Case.objects.filter(pk=seen.pk).update(classification="C")
        services.case_note_add(
            actor=officer, case=seen, kind="visit", happened_on=today(), text="Thăm"
        )
        released = today() - dt.timedelta(
            days=2 * 365 - 20
        )  # eligible in about 20 days (art. 70 band b)
        soon = services.case_record_presentation(
            actor=officer,
            case=new_case(
                officer,
                release_date=released,
                certificate_date=released,
                judgment_date=released - dt.timedelta(days=400),
                sentence_months=12,
            ),
        )
        work = commune_worklist(user=officer, on=today())
        assert list(work.expected_arrivals) == [expected]
        assert elsewhere not in work.expected_arrivals
        assert unseen in work.visits_due and seen not in work.visits_due
        assert list(work.expungements_coming) == [soon]

    def test_a_note_keeps_the_last_contact_and_an_older_one_does_not_move_it_back(
        self, officer
    ) -> None:
        case = services.case_record_presentation(actor=officer, case=new_case(officer))
        Case.objects.filter(pk=case.pk).update(classification="B")  # every 30 days
        services.case_note_add(
            actor=officer,
            case=case,
            kind="visit",
            happened_on=today() - dt.timedelta(days=40),
            text="Thăm",
        )
        case.refresh_from_db()
        assert case.last_contact_on == today() - dt.timedelta(days=40)
        assert case in commune_worklist(user=officer, on=today()).visits_due  # 40 > 30 days
        services.case_note_add(
            actor=officer, case=case, kind="call", happened_on=today(), text="Gọi"
        )
        services.case_note_add(
            actor=officer,
            case=case,
            kind="visit",
            happened_on=today() - dt.timedelta(days=90),
            text="Ghi muộn một lần thăm cũ",
        )
        case.refresh_from_db()
        assert case.last_contact_on == today()
        assert case not in commune_worklist(user=officer, on=today()).visits_due

    def test_referrals_waiting_on_the_commune_police(self, officer) -> None:
        case, referral = referral_to_the_commune_police(officer)
        assert list(commune_worklist(user=officer, on=today()).referrals_waiting) == [referral]

    def test_the_worklist_page_audits_the_people_its_referral_lines_name(
        self, client, officer
    ) -> None:
        case, referral = referral_to_the_commune_police(officer)
        factories.sign_in(client, officer)
        page = client.get("/worklist/").content.decode()
        assert f'data-uuid="{referral.uuid}"' in page and case.person.full_name in page
        event = AccessEvent.objects.get(actor=officer, object_type="referral", purpose="worklist")
        assert event.object_ids == [str(referral.uuid)]
        assert event.person_ids == [str(case.person.uuid)]


class NotificationTests:
    def test_the_receiving_agency_and_the_sender_hear_of_changes(self, officer) -> None:
        case = services.case_record_presentation(actor=officer, case=new_case(officer))
        home_affairs = Agency.objects.get(code="so-noi-vu")
        clerk = factories.UserFactory(username="noi-vu")
        Membership.objects.create(user=clerk, role=Role.HOME_AFFAIRS, agency=home_affairs)
        referral = services.referral_send(
            actor=officer, need=factories.make_need(officer, case, "job"), agency=home_affairs
        )
        assert Notification.objects.filter(user=clerk, text__contains="Đề nghị mới").count() == 1
        services.referral_accept(actor=clerk, referral=referral)
        assert Notification.objects.filter(user=officer, text__contains="Đã tiếp nhận").count() == 1

    def test_overdue_referrals_are_escalated_once(self, officer) -> None:
        chief = factories.UserFactory(username="ca-tinh")
        Membership.objects.create(
            user=chief, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
        )
        case = services.case_record_presentation(actor=officer, case=new_case(officer))
        referral = services.referral_send(
            actor=officer,
            need=factories.make_need(officer, case, "job"),
            agency=Agency.objects.get(code="so-noi-vu"),
        )
        assert (
            referrals_escalate_overdue(on=referral.response_due) == 0
        )  # due today: not overdue yet
        later = referral.response_due + dt.timedelta(days=1)
        assert referrals_escalate_overdue(on=later) == 1
        assert referrals_escalate_overdue(on=later) == 0
        assert Notification.objects.filter(user=chief, text__startswith="Quá hạn").count() == 1
