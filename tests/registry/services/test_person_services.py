"""person_update: the checks of person_create, re-encryption and re-indexing of what changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.models import ChangeLog
from registry.selectors import person_find_by_phone
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return factories.UserFactory(username="alice")


class PersonUpdateTests:
    def test_a_new_phone_is_normalised_and_searchable(self, alice) -> None:
        person = factories.make_person(alice)
        services.person_update(
            actor=alice, person=person, phone="0169 123 4567", reason="Đổi số mới"
        )
        assert list(person_find_by_phone("0391234567")) == [person]
        assert not person_find_by_phone("0912345678").exists()

    def test_a_new_phone_needs_a_reason_and_is_written_to_the_change_log(self, alice) -> None:
        person = factories.make_person(alice)
        with pytest.raises(ValidationError) as caught:
            services.person_update(actor=alice, person=person, phone="0987654321")
        assert "reason" in caught.value.error_dict
        services.person_update(
            actor=alice, person=person, phone="0987654321", reason="Người dân báo đổi số"
        )
        entry = ChangeLog.objects.get(object_uuid=person.uuid, field="phone")
        assert (entry.old_value, entry.new_value, entry.actor) == (
            "+84912345678",
            "+84987654321",
            alice,
        )
        assert entry.reason == "Người dân báo đổi số"

    def test_an_invalid_change_is_refused_and_nothing_changes(self, alice) -> None:
        person = factories.make_person(alice)
        with pytest.raises(ValidationError) as caught:
            services.person_update(
                actor=alice, person=person, national_id="014185000001", reason="x"
            )
        assert "national_id" in caught.value.error_dict
        person.refresh_from_db()
        assert person.national_id.startswith("01408")

    def test_another_persons_national_id_is_refused(self, alice) -> None:
        first = factories.make_person(alice)
        second = factories.make_person(alice, national_id=factories.national_id(), phone=None)
        with pytest.raises(ValidationError):
            services.person_update(
                actor=alice, person=second, national_id=first.national_id, reason="x"
            )

    def test_unknown_fields_are_a_programming_error(self, alice) -> None:
        with pytest.raises(TypeError):
            services.person_update(actor=alice, person=factories.make_person(alice), is_demo=True)
