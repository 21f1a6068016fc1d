"""The permission matrix of the access issue, run against the API: the same personas, situations
and expectations as tests/registry/test_permission_matrix.py, through /api/v1/."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.models import AccessEvent
from tests import factories
from tests.clock import today
from tests.registry.test_permission_matrix import (
    CREATES,
    MOVES,
    MUST,
    NEVER,
    OWN_NEED,
    PARENT,
    PERSONAS,
    RESOURCES,
    SEES,
    SITUATIONS,
    agency_of,
    setting,  # noqa: F401 (the shared world fixture)
    target,
    visible,
)

pytestmark = pytest.mark.django_db
CREATE_URL = {"people": "people/register-notice/"}


def api_create_payload(world, resource: str, where: str) -> dict:
    objects = world[where]
    return {
        "people": {
            "commune": objects["commune"].code,
            "person": {
                "full_name": "Người Mới",
                "gender": "male",
                "date_of_birth": "1991-02-03",
                "national_id": factories.national_id(1991),
            },
            "custody": {
                "release_date": str(today() - dt.timedelta(days=3)),
                "release_kind": "completed",
                "main_penalty": "prison",
                "sentence_months": 24,
            },
        },
        "custody-records": {
            "person": str(objects["person"].uuid),
            "release_date": str(today() - dt.timedelta(days=3)),
            "release_kind": "amnesty",
            "main_penalty": "prison",
            "sentence_months": 12,
        },
        "cases": {"person": str(objects["person"].uuid), "commune": objects["commune"].code},
        "needs": {"case": str(objects["case"].uuid), "need_type": "housing"},
        "referrals": {
            "need": str(objects["needs"]["residence"].uuid),
            "agency": agency_of("ca", objects["commune"]).code,
        },
        "notes": {
            "case": str(objects["case"].uuid),
            "kind": "call",
            "happened_on": str(today()),
            "text": "Gọi điện",
        },
        "consents": {
            "person": str(objects["person"].uuid),
            "purpose": "outreach",
            "evidence": "Phiếu",
        },
    }[resource]


def reads() -> int:
    """Access events other than refusals (a refusal is recorded too: test_trust_findings)."""
    return AccessEvent.objects.exclude(action="denied").count()


def check_reads(client, world, user_key: str, resource: str) -> None:
    before = reads()
    response = client.get(f"/api/v1/{resource}/", {"page_size": 200})
    if resource not in SEES[user_key]:
        assert response.status_code == 403 and reads() == before
    else:
        assert response.status_code == 200 and reads() == before + 1
        listed = {row["uuid"] for row in response.json()["results"]}
        for where in SITUATIONS:
            obj = target(world, user_key, resource, where)
            assert (str(obj.uuid) in listed) == visible(user_key, resource, where), where
    for where, situation in SITUATIONS.items():
        obj = target(world, user_key, resource, where)
        before = reads()
        response = client.get(f"/api/v1/{resource}/{obj.uuid}/")
        if not visible(user_key, resource, where):
            assert response.status_code == 404 and reads() == before, situation
            continue
        assert response.status_code == 200 and reads() == before + 1, situation
        shown = set(response.json())
        assert not shown & NEVER.get((user_key, resource), set()), shown
        assert MUST.get((user_key, resource), set()) <= shown
        if resource == "custody-records" and "offence" in NEVER.get((user_key, resource), set()):
            assert obj.offence not in response.content.decode()


def check_writes(client, world, user_key: str, resource: str) -> None:
    for where, situation in SITUATIONS.items():
        url = f"/api/v1/{CREATE_URL.get(resource, resource + '/create/')}"
        response = client.post(url, api_create_payload(world, resource, where), format="json")
        own_commune = where == ("B" if user_key == "outsider" else "A")
        if resource not in CREATES.get(user_key, set()):
            expected = 403
        elif resource == "people":
            expected = 201 if own_commune else 403
        elif resource == "cases":
            expected = (
                404 if not visible(user_key, "people", where) else (409 if own_commune else 403)
            )
        else:
            expected = 201 if visible(user_key, PARENT[resource], where) else 404
        assert response.status_code == expected, (
            "create",
            situation,
            response.status_code,
            response.content[:200],
        )
    if resource in ("people", "custody-records", "notes"):
        return
    for where, situation in SITUATIONS.items():
        obj = target(world, user_key, resource, where)
        acting_on_own = user_key in OWN_NEED and where == "A"
        if resource == "needs" and not acting_on_own:
            obj = world[where]["needs"]["residence"]
        url, payload = {
            "cases": (f"/api/v1/cases/{obj.uuid}/actions/close/", {"reason": "other"}),
            "needs": (f"/api/v1/needs/{obj.uuid}/withdraw/", {}),
            "referrals": (f"/api/v1/referrals/{obj.uuid}/actions/accept/", {})
            if acting_on_own
            else (f"/api/v1/referrals/{obj.uuid}/actions/cancel/", {"reason": "Không còn nhu cầu"}),
            "consents": (f"/api/v1/consents/{obj.uuid}/withdraw/", {}),
        }[resource]
        response = client.post(url, payload, format="json")
        is_cancel = url.endswith("/cancel/")
        if not visible(user_key, resource, where):
            expected = 404
        elif resource in MOVES.get(user_key, set()) and (
            not is_cancel or user_key in ("commune_police", "outsider")
        ):
            expected = 200
        else:
            expected = 403
        assert response.status_code == expected, ("move", situation, response.status_code)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("user_key", list(PERSONAS))
def test_api_permission_matrix(api, setting, user_key, resource) -> None:  # noqa: F811
    world, users = setting
    factories.sign_in(api, users[user_key])
    check_reads(api, world, user_key, resource)
    check_writes(api, world, user_key, resource)
