"""A case carries its person's folded name (``Case.sort_name``, kept by the database) so that the
case list in name order and search by name read one index of the commune's cases (issue 20). The
copy must follow every writer of the name — a correction, a second case, retention's erasure —
and the pages must still answer in name order, in scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from registry import access, services
from registry.models import Case, CustodyRecord, Person
from tests import factories
from tests.registry.test_casework_pages import officer_of

pytestmark = pytest.mark.django_db


def sort_names(person: Person) -> list[str]:
    return list(Case.objects.filter(person=person).values_list("sort_name", flat=True))


def test_a_case_takes_its_persons_name_and_follows_a_correction() -> None:
    builder = factories.UserFactory(username="builder")
    person = factories.make_person(builder, full_name="Lò Văn Pàng")
    factories.make_case(builder, person)
    assert sort_names(person) == ["lo van pang"]

    services.person_update(actor=builder, person=person, full_name="Quàng Thị Xuân")
    assert sort_names(person) == ["quang thi xuan"]

    # A save of the case from Python never writes a stale copy back.
    case = Case.objects.get(person=person)
    case.sort_name = "stale"
    case.save()
    assert sort_names(person) == ["quang thi xuan"]


def test_a_minimised_person_leaves_no_name_on_their_cases() -> None:
    # Retention's minimisation blanks the folded name with a bulk update (no Python save).
    builder = factories.UserFactory(username="builder")
    person = factories.make_person(builder, full_name="Cầm Văn Toán")
    factories.make_case(builder, person)
    Person.objects.filter(pk=person.pk).update(folded_name="")
    assert sort_names(person) == [""]


def test_a_case_carries_its_records_expungement_date_and_follows_a_new_one() -> None:
    builder = factories.UserFactory(username="builder")
    case = factories.make_case(builder)
    record = case.custody_record
    assert record.expungement_eligible_date is not None
    assert Case.objects.get(pk=case.pk).expungement_eligible_on == record.expungement_eligible_date

    later = record.expungement_eligible_date + dt.timedelta(days=400)
    CustodyRecord.objects.filter(pk=record.pk).update(expungement_eligible_date=later)
    assert Case.objects.get(pk=case.pk).expungement_eligible_on == later
    # Never shown, served or exported: the police's profile (every field) leaves both copies out.
    shown = access.fields_for(officer_of("lan", "Tô Hiệu"), Case)
    assert "status" in shown and "last_contact_on" in shown
    assert "expungement_eligible_on" not in shown and "sort_name" not in shown


def names_on(html: str) -> list[str]:
    return re.findall(r'href="/cases/[0-9a-f-]+/">([^<]+)</a>', html)


def test_case_list_and_search_answer_in_name_order_within_scope(client) -> None:
    builder = factories.UserFactory(username="builder")
    for name in ("Quàng Văn Dũng", "Lò Thị Ánh", "Cà Văn Ún"):
        person = factories.make_person(builder, full_name=name, national_id=factories.national_id())
        factories.make_case(builder, person)
    elsewhere = factories.make_person(
        builder, full_name="Lò Văn Ánh", national_id=factories.national_id()
    )
    factories.make_case(builder, elsewhere, commune_name="Mường Lạn")
    factories.sign_in(client, officer_of("lan", "Tô Hiệu"))

    listed = client.get("/cases/")
    assert listed.status_code == 200
    assert names_on(listed.content.decode()) == ["Cà Văn Ún", "Lò Thị Ánh", "Quàng Văn Dũng"]

    # Without diacritics, every word matched; the other commune's "Lò Văn Ánh" is not there.
    found = client.post("/search/", {"q": "anh lo"})
    assert found.status_code == 200
    assert names_on(found.content.decode()) == ["Lò Thị Ánh"]
    found = client.post("/search/", {"q": "VĂN"})
    assert names_on(found.content.decode()) == ["Cà Văn Ún", "Quàng Văn Dũng"]
    # The list's headers sort it; the results of a posted search have no sorted pages to link to.
    assert 'href="?sort=commune"' in listed.content.decode()
    assert "sort=" not in found.content.decode()
