"""Staff list pages make a fixed number of SQL queries whatever the number of rows."""
# The case list, the worklist, the inbox and the search answer with the same number of queries for
# 2 cases as for 8.

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.models import Agency, Membership, Role
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def add_cases(builder, officer, count: int) -> None:
    """``count`` cases of Tô Hiệu, each active, visited, with a referral to Home Affairs."""
    home_affairs = Agency.objects.get(code="so-noi-vu")
    for _ in range(count):
        person = factories.make_person(builder, national_id=factories.national_id(), phone=None)
        case = factories.make_case(builder, person)
        case = services.case_record_presentation(actor=builder, case=case, assigned_officer=officer)
        services.case_note_add(
            actor=builder, case=case, kind="visit", happened_on=today(), text="x"
        )
        services.consent_record(actor=builder, person=person, purpose="outreach", evidence="x")
        services.referral_send(
            actor=builder, need=factories.make_need(builder, case, "job"), agency=home_affairs
        )


def commune_officer():
    officer = factories.UserFactory(username="officer")
    Membership.objects.create(
        user=officer,
        role=Role.COMMUNE_POLICE,
        agency=Agency.objects.get(level="commune", kind="police", jurisdiction=factories.commune()),
    ).units.add(factories.commune())
    return officer


PAGES = ["/cases/", "/cases/?status=active", "/worklist/", "/cases/?due=visit_due"]


@pytest.mark.parametrize("url", PAGES)
def test_list_pages_do_not_query_per_row(client, url) -> None:
    builder = factories.UserFactory(username="builder")
    officer = commune_officer()
    factories.sign_in(client, officer)
    add_cases(builder, officer, 2)
    few = queries_for(client, url)
    add_cases(builder, officer, 6)
    many = queries_for(client, url)
    assert few == many


def test_search_and_the_agency_inbox_do_not_query_per_row(client) -> None:
    builder = factories.UserFactory(username="builder")
    officer = commune_officer()
    clerk = factories.UserFactory(username="clerk")
    Membership.objects.create(
        user=clerk, role=Role.HOME_AFFAIRS, agency=Agency.objects.get(code="so-noi-vu")
    )

    def counted() -> tuple[int, int]:
        factories.sign_in(client, officer)
        with CaptureQueriesContext(connection) as search:
            assert client.post("/search/", {"q": "pang"}).status_code == 200
        client.logout()
        factories.sign_in(client, clerk)
        inbox = queries_for(client, "/inbox/")
        client.logout()
        return len(search.captured_queries), inbox

    add_cases(builder, officer, 2)
    few = counted()
    add_cases(builder, officer, 6)
    assert counted() == few


def test_an_agency_inbox_reads_its_open_referrals_from_one_index() -> None:
    # The inbox's open referrals by deadline come from referral_open_by_due_idx, a partial index
    # whose condition must stay TERMINAL's statuses: were they to drift apart, PostgreSQL could no
    # longer use it and the inbox would walk every agency's referrals again (issue 20).
    from registry.filters import ReferralInboxFilter
    from registry.models import Referral

    (index,) = [i for i in Referral._meta.indexes if i.name == "referral_open_by_due_idx"]
    ((lookup, statuses),) = index.condition.children
    assert (lookup, index.condition.negated, set(statuses)) == (
        "status__in",
        True,
        set(Referral.TERMINAL),
    )
    agency = Agency.objects.get(code="so-noi-vu")
    rows = ReferralInboxFilter(
        {}, queryset=Referral.objects.filter(agency=agency), today=today()
    ).qs.order_by("response_due", "id")[:51]
    with connection.cursor() as cursor:  # the test's transaction: these end with it
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
    assert "referral_open_by_due_idx" in rows.explain()
