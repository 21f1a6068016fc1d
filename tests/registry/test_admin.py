"""The admin: in Vietnamese, encrypted values never in lists, search through the blind indexes,
records about people view-only."""

from __future__ import annotations

import pytest
from django.contrib import admin

from registry.fields import EncryptedField
from registry.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = factories.UserFactory(username="quan-tri", is_staff=True, is_superuser=True)
    factories.sign_in(client, user)
    return client


@pytest.fixture
def pang():
    return factories.make_person(factories.UserFactory(username="alice"))


class AdminTests:
    def test_no_list_shows_an_encrypted_field(self) -> None:
        for model, model_admin in admin.site._registry.items():
            encrypted = {f.name for f in model._meta.fields if isinstance(f, EncryptedField)}
            assert not encrypted & set(model_admin.list_display), model.__name__

    def test_the_person_list_masks_the_national_id_and_phone(self, admin_client, pang) -> None:
        page = admin_client.get("/admin/registry/person/").content.decode()
        assert "Lò Văn Pàng" in page
        assert pang.national_id not in page and "912345678" not in page
        assert "••••••" in page

    @pytest.mark.parametrize(
        "term", ["national_id", "national_id_spaced", "phone_local", "name_unaccented"]
    )
    def test_search_finds_the_person_by_id_phone_or_unaccented_name(
        self, admin_client, pang, term
    ) -> None:
        nid = pang.national_id
        query = {
            "national_id": nid,
            "national_id_spaced": f"{nid[:3]} {nid[3:6]} {nid[6:]}",
            "phone_local": "091 234 5678",
            "name_unaccented": "lo van pang",
        }[term]
        page = admin_client.get("/admin/registry/person/", {"q": query}).content.decode()
        assert "Lò Văn Pàng" in page and "1 người chấp hành xong án" in page

    def test_a_wrong_id_finds_nobody(self, admin_client, pang) -> None:
        page = admin_client.get("/admin/registry/person/", {"q": "014085999999"}).content.decode()
        assert "Lò Văn Pàng" not in page

    def test_people_are_view_only(self, admin_client, pang) -> None:
        assert admin_client.get("/admin/registry/person/add/").status_code == 403
        page = admin_client.get(f"/admin/registry/person/{pang.pk}/change/")
        assert page.status_code == 200 and b'name="_save"' not in page.content
        assert admin_client.post(f"/admin/registry/person/{pang.pk}/delete/").status_code == 403
        assert Person.objects.filter(pk=pang.pk).exists()

    def test_every_admin_page_answers_in_vietnamese(self, admin_client, pang) -> None:
        factories.make_case(
            factories.UserFactory(username="bob"),
            factories.make_person(
                factories.UserFactory(username="bob"),
                national_id=factories.national_id(),
                phone=None,
            ),
        )
        for model in admin.site._registry:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            response = admin_client.get(url)
            assert response.status_code == 200, url
            assert (
                "Quản trị" in response.content.decode()
                or "Con đường hướng thiện" in response.content.decode()
            )
