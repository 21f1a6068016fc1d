"""Every list endpoint makes the same number of SQL queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.models import Agency, Role
from tests import factories
from tests.api.conftest import token_client
from tests.clock import today

pytestmark = pytest.mark.django_db

LISTS = [
    "people",
    "custody-records",
    "cases",
    "needs",
    "referrals",
    "notes",
    "consents",
    "agencies",
    "units",
    "need-types",
]


@pytest.fixture
def client(builder):
    commune = factories.commune()
    home_affairs = Agency.objects.get(code="so-noi-vu")
    for _ in range(12):
        person = factories.make_person(builder, national_id=factories.national_id(), phone=None)
        case = services.case_record_presentation(
            actor=builder, case=factories.make_case(builder, person)
        )
        services.case_note_add(
            actor=builder, case=case, kind="visit", happened_on=today(), text="x"
        )
        services.consent_record(actor=builder, person=person, purpose="outreach", evidence="x")
        services.referral_send(
            actor=builder, need=factories.make_need(builder, case, "job"), agency=home_affairs
        )
    agency = Agency.objects.get(level="commune", kind="police", jurisdiction=commune)
    return token_client(
        factories.UserFactory(username="lan"), Role.COMMUNE_POLICE, agency, [commune]
    )


@pytest.mark.parametrize("resource", LISTS)
def test_list_queries_do_not_grow_with_the_page_size(client, resource) -> None:
    client.get("/api/v1/need-types/")  # the token's first use records it (once per 5 minutes)
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{resource}/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


ROW_TABLES = {
    "cases": "registry_case",
    "needs": "registry_need",
    "referrals": "registry_referral",
    "notes": "registry_casenote",
    "consents": "registry_consent",
}


@pytest.mark.parametrize("resource", list(ROW_TABLES))
def test_lists_read_no_column_of_the_person_but_its_uuid(client, resource) -> None:
    # The rows name the person by uuid (the audit row needs it too); the selector's chain joins
    # the person, and the list loads none of its other columns (names, identifiers, ciphertext):
    # issue 20 found whole chains of models built, every column, for every row.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/{resource}/", {"page_size": 5})
    assert response.status_code == 200 and response.json()["results"]
    table = ROW_TABLES[resource]
    (rows_query,) = [
        q["sql"]
        for q in captured.captured_queries
        if f' FROM "{table}" ' in q["sql"] and q["sql"].startswith("SELECT")
    ]
    assert '"registry_person"."uuid"' in rows_query
    for column in ("full_name", "national_id", "phone", "date_of_birth", "address"):
        assert f'"registry_person"."{column}"' not in rows_query, column


@pytest.mark.parametrize("resource", list(ROW_TABLES))
def test_a_list_row_names_its_relations_as_its_detail_does(client, resource) -> None:
    # A list reads each relation's public key alone (no related model built per row); the keys
    # must be the very ones the detail endpoint shows, nulls included.
    rows = client.get(f"/api/v1/{resource}/", {"page_size": 5}).json()["results"]
    assert rows
    for row in rows:
        assert client.get(f"/api/v1/{resource}/{row['uuid']}/").json() == row


def test_a_list_row_builds_one_model(client) -> None:
    from django.db.models.signals import post_init

    built: list[str] = []

    def count(sender, **kwargs) -> None:
        built.append(sender.__name__)

    post_init.connect(count)
    try:
        response = client.get("/api/v1/referrals/", {"page_size": 10})
    finally:
        post_init.disconnect(count)
    assert len(response.json()["results"]) == 10
    # Ten referrals and the one the cursor reads to know a next page exists; the request's own
    # user, token and membership come on top. No need, case, person or agency for any row.
    assert built.count("Referral") == 11
    assert not {"Need", "Case", "Person", "Agency", "Consent"} & set(built), built
