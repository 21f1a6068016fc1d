"""seed_demo at small N on PostgreSQL: deterministic, valid, clearly synthetic, through COPY."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from registry import services, validation
from registry.demo import RESERVED_SERIAL, DemoSeeder
from registry.models import Case, CustodyRecord, Need, Person, Referral
from registry.selectors import person_find_by_national_id
from tests import factories

pytestmark = pytest.mark.django_db


def seed(people: int, seed: int = 7) -> str:
    out = io.StringIO()
    call_command(
        "seed_demo", people=people, seed=seed, verbosity=0, stdout=out,
        allow_outside_development=True,
    )  # fmt: skip
    return out.getvalue()


class SeedDemoTests:
    def test_it_creates_valid_synthetic_people_with_cases_needs_and_referrals(self) -> None:
        seed(300)
        assert Person.objects.filter(is_demo=True).count() == 300
        assert CustodyRecord.objects.count() == Case.objects.count() == 300
        assert Need.objects.exists() and Referral.objects.exists()
        for person in Person.objects.all()[:100]:
            nid = validation.validate_national_id(
                person.national_id, birth_year=person.birth_year, gender=person.gender
            )
            assert int(nid[6:]) >= RESERVED_SERIAL  # the reserved, visibly fake range
            if person.phone:
                assert validation.normalize_phone(person.phone) == person.phone
        first = Person.objects.first()
        assert person_find_by_national_id(first.national_id) == first
        communes = Counter(Case.objects.values_list("commune_id", flat=True))
        assert len(communes) > 50  # spread over the province

    def test_the_same_seed_gives_the_same_people(self) -> None:
        actor = factories.UserFactory(username="he-thong")
        first, second = DemoSeeder(seed=3, actor=actor), DemoSeeder(seed=3, actor=actor)
        other = DemoSeeder(seed=4, actor=actor)
        for seeder in (first, second, other):
            for _ in range(50):
                seeder.person()

        def plain(seeder: DemoSeeder) -> list[tuple]:
            # name, folded name, gender, birth year, blind index of the national ID
            return [(r[4], r[5], r[6], r[7], r[9]) for r in seeder.writers[Person].rows]

        assert plain(first) == plain(second)
        assert plain(first) != plain(other)

    def test_new_sequences_continue_after_the_seeded_rows(self) -> None:
        seed(20)
        actor = factories.UserFactory(username="alice")
        person = factories.make_person(actor)
        assert person.pk > Person.objects.exclude(pk=person.pk).order_by("-pk").first().pk
        services.case_open(actor=actor, person=person, commune=factories.commune())

    def test_it_refuses_to_seed_twice_unless_asked_to_skip(self) -> None:
        seed(10)
        with pytest.raises(CommandError):
            seed(10)
        out = io.StringIO()
        call_command(
            "seed_demo", people=10, if_empty=True, stdout=out, allow_outside_development=True
        )
        assert "bỏ qua" in out.getvalue()
