"""The permission matrix (issue 3): every role × action × object situation over people, custody
records, cases, needs, referrals, notes and consents, through the staff pages.

The expectations below are written from DESIGN.md section 4, independently of registry.access:
which resources each role may see, export, create, update and move, which fields it must never
receive, and which situations are in its scope. Each allowed read must leave exactly one access
event; every other answer is 403 (forbidden action on a visible object, or a role without the
capability) or 404 (out of scope, exactly like a missing object).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from registry import services
from registry.models import (
    AccessEvent,
    Agency,
    Membership,
    Role,
)
from registry.services.grants import case_grant
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

COMMUNES = {"A": "Tô Hiệu", "B": "Mường Lạn", "G": "Chiềng An", "X": "Chiềng Sinh"}
# A: the personas' own commune; B: another commune; G: a case granted to every persona;
# X: a case whose grant has expired.
SITUATIONS = {"A": "in scope", "B": "out of scope", "G": "granted", "X": "grant expired"}

RESOURCES = ["people", "custody-records", "cases", "needs", "referrals", "notes", "consents"]

# user key → (role, agency code or None for the commune's own agency, commune key of its units)
PERSONAS = {
    "commune_police": (Role.COMMUNE_POLICE, "ca", "A"),
    "commune_committee": (Role.COMMUNE_COMMITTEE, "ubnd", "A"),
    "provincial_police": (Role.PROVINCIAL_POLICE, "cong-an-tinh", None),
    "home_affairs": (Role.HOME_AFFAIRS, "so-noi-vu", None),
    "bank": (Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la", None),
    "justice": (Role.JUSTICE, "so-tu-phap", None),
    "content_editor": (Role.CONTENT_EDITOR, "cong-an-tinh", None),
    "outreach_manager": (Role.OUTREACH_MANAGER, "cong-an-tinh", None),
    "auditor": (Role.AUDITOR, "cong-an-tinh", None),
    "outsider": (Role.COMMUNE_POLICE, "ca", "B"),  # commune police of another commune
}

ALL = set(RESOURCES)
SEES = {
    "commune_police": ALL,
    "outsider": ALL,
    "provincial_police": ALL,
    "commune_committee": {"people", "cases", "needs", "referrals"},
    "home_affairs": {"people", "cases", "needs", "referrals"},
    "bank": {"people", "custody-records", "cases", "needs", "referrals"},
    "justice": {"people", "custody-records", "cases", "needs", "referrals"},
    "content_editor": set(),
    "outreach_manager": set(),
    "auditor": set(),
}
EXPORTS = {
    "commune_police": ALL,
    "outsider": ALL,
    "provincial_police": ALL,
    "home_affairs": {"referrals"},
    "bank": {"referrals"},
    "justice": {"referrals"},
}
CREATES = {"commune_police": ALL, "outsider": ALL}
UPDATES = {
    "commune_police": {"people", "cases"},
    "outsider": {"people", "cases"},
    "provincial_police": {"cases"},
}
MOVES = {
    "commune_police": {"cases", "needs", "referrals", "consents"},
    "outsider": {"cases", "needs", "referrals", "consents"},
    "commune_committee": {"referrals"},
    "home_affairs": {"referrals"},
    "bank": {"referrals"},
    "justice": {"referrals"},
}

# Fields a role must never receive, by resource (DESIGN.md §4: the bank never sees the offence …).
CUSTODY_DETAILS = {
    "court",
    "judgment_number",
    "judgment_date",
    "offence",
    "penal_code_articles",
    "main_penalty",
    "sentence_months",
    "offence_date",
    "prison",
    "additional_penalties",
    "additional_penalty_months",
    "civil_obligations",
    "expungement_explanation",
}
NEVER = {
    ("commune_committee", "people"): {
        "national_id",
        "date_of_birth",
        "ethnicity",
        "family_contact",
    },
    ("home_affairs", "people"): {
        "national_id",
        "date_of_birth",
        "address",
        "ethnicity",
        "family_contact",
    },
    ("bank", "people"): {"national_id", "date_of_birth", "ethnicity", "family_contact"},
    ("justice", "people"): {"ethnicity", "family_contact"},
    ("bank", "custody-records"): CUSTODY_DETAILS,
    ("justice", "custody-records"): {
        "main_penalty",
        "sentence_months",
        "prison",
        "additional_penalties",
        "additional_penalty_months",
        "civil_obligations",
        "offence_date",
    },
    ("commune_committee", "cases"): {"classification", "reporting_deadline"},
    ("home_affairs", "cases"): {"helper", "classification", "reporting_deadline"},
    ("bank", "cases"): {"helper", "classification", "reporting_deadline"},
    ("justice", "cases"): {"helper", "classification", "reporting_deadline"},
}
MUST = {
    ("bank", "custody-records"): {"release_date", "certificate_date"},
    ("justice", "custody-records"): {"offence", "expungement_eligible_date"},
    ("justice", "people"): {"national_id"},
    ("home_affairs", "people"): {"full_name", "gender", "birth_year", "phone"},
}
# The referral an agency persona acts on, and the need that goes with it.
OWN_NEED = {
    "home_affairs": "job",
    "bank": "loan",
    "justice": "legal_aid",
    "commune_committee": "social_assistance",
}


def visible(user_key: str, resource: str, where: str) -> bool:
    if resource not in SEES[user_key]:
        return False
    if user_key == "provincial_police":
        return True
    if where == "G":
        return True
    if where in ("B", "X"):
        return user_key == "outsider" and where == "B"
    return user_key != "outsider"  # A


def agency_of(code: str, commune) -> Agency:
    if code in ("ca", "ubnd"):
        kind = "police" if code == "ca" else "commune_committee"
        return Agency.objects.get(level="commune", kind=kind, jurisdiction=commune)
    return Agency.objects.get(code=code)


def build_world(builder) -> dict:
    world = {}
    for key, name in COMMUNES.items():
        commune = factories.commune(name)
        year = 1970 + list(COMMUNES).index(key)
        person = factories.make_person(
            builder,
            full_name=f"Người {key}",
            national_id=factories.national_id(year),
            date_of_birth=dt.date(year, 5, 5),
            phone=None,
        )
        custody = factories.make_custody(builder, person)
        case = services.case_open(
            actor=builder, person=person, commune=commune, custody_record=custody
        )
        case = services.case_record_presentation(actor=builder, case=case)
        note = services.case_note_add(
            actor=builder, case=case, kind="visit", happened_on=TODAY, text=f"Ghi chép {key}"
        )
        objects = {
            "commune": commune,
            "person": person,
            "custody": custody,
            "case": case,
            "note": note,
            "needs": {},
            "referrals": {},
        }
        if key == "A":
            referrals = {
                "job": "so-noi-vu",
                "loan": "nhcsxh-son-la",
                "legal_aid": "so-tu-phap",
                "social_assistance": "ubnd",
            }
        else:
            referrals = {"health": "so-y-te"}
        for need_code, agency_code in referrals.items():
            agency = agency_of(agency_code, commune)
            consent = services.consent_record(
                actor=builder,
                person=person,
                purpose="referral",
                agency=agency,
                evidence="Phiếu đồng ý",
            )
            objects["consent"] = consent
            need = factories.make_need(builder, case, need_code)
            objects["needs"][need_code] = need
            objects["referrals"][need_code] = services.referral_send(
                actor=builder, need=need, agency=agency
            )
        objects["needs"]["residence"] = factories.make_need(
            builder, case, "residence"
        )  # identified, not referred
        world[key] = objects
    return world


def target(world: dict, user_key: str, resource: str, where: str):
    objects = world[where]
    own = OWN_NEED.get(user_key) if where == "A" else None
    need_code = own or next(iter(objects["referrals"]))
    return {
        "people": objects["person"],
        "custody-records": objects["custody"],
        "cases": objects["case"],
        "needs": objects["needs"][need_code],
        "referrals": objects["referrals"][need_code],
        "notes": objects["note"],
        "consents": objects["consent"],
    }[resource]


@pytest.fixture
def setting():
    builder = factories.UserFactory(username="builder")
    world = build_world(builder)
    users = {}
    for key, (role, code, unit_key) in PERSONAS.items():
        user = factories.UserFactory(username=key)
        commune = world[unit_key]["commune"] if unit_key else None
        membership = Membership.objects.create(
            user=user, role=role, agency=agency_of(code, commune or world["A"]["commune"])
        )
        if commune is not None:
            membership.units.add(commune)
        case_grant(
            actor=builder,
            case=world["G"]["case"],
            user=user,
            until=timezone.now() + dt.timedelta(days=1),
            reason="Kiểm tra",
        )
        expired = case_grant(
            actor=builder,
            case=world["X"]["case"],
            user=user,
            until=timezone.now() + dt.timedelta(days=1),
            reason="Cũ",
        )
        expired.expires_at = timezone.now() - dt.timedelta(minutes=1)
        expired.save(update_fields=["expires_at"])
        users[key] = user
    return world, users


def events() -> int:
    return AccessEvent.objects.count()


def fields_in(html: str) -> set[str]:
    return set(re.findall(r'data-field="([a-z_]+)"', html))


def check_reads(client, world, user_key: str, resource: str) -> None:
    before = events()
    response = client.get(f"/registry/{resource}/")
    if resource not in SEES[user_key]:
        assert response.status_code == 403 and events() == before
    else:
        assert response.status_code == 200 and events() == before + 1
        page = response.content.decode()
        for where in SITUATIONS:
            obj = target(world, user_key, resource, where)
            assert (f'data-uuid="{obj.uuid}"' in page) == visible(user_key, resource, where), (
                where,
                obj,
            )
    for where, situation in SITUATIONS.items():
        obj = target(world, user_key, resource, where)
        before = events()
        response = client.get(f"/registry/{resource}/{obj.uuid}/")
        if not visible(user_key, resource, where):
            assert response.status_code == 404, (situation, response.status_code)
            assert events() == before
            continue
        assert response.status_code == 200, situation
        last = AccessEvent.objects.latest("id")
        assert (
            events() == before + 1 and last.action == "view" and last.object_ids == [str(obj.uuid)]
        )
        html = response.content.decode()
        shown = fields_in(html)
        assert not shown & NEVER.get((user_key, resource), set()), shown
        assert MUST.get((user_key, resource), set()) <= shown
        if user_key in ("provincial_police", "commune_police", "outsider"):
            every = {
                f.name
                for f in type(obj)._meta.concrete_fields
                if f.name != "id" and not f.name.endswith("_index")
            }
            assert shown == every
        if resource == "custody-records" and "offence" in NEVER.get((user_key, resource), set()):
            assert obj.offence not in html  # no leak of the offence text anywhere on the page
    before = events()
    response = client.get(f"/registry/{resource}/export.csv")
    if resource not in EXPORTS.get(user_key, set()):
        assert response.status_code == 403 and events() == before
    else:
        assert response.status_code == 200 and events() == before + 1
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert not set(rows[0]) & NEVER.get((user_key, resource), set())
        exported = "\n".join(",".join(r) for r in rows)
        obj = target(world, user_key, resource, "B")
        assert (str(obj.uuid) in exported) == visible(user_key, resource, "B")


def create_payload(world, resource: str, where: str) -> dict:
    objects = world[where]
    return {
        "people": {
            "commune": objects["commune"].code,
            "full_name": "Người Mới",
            "gender": "male",
            "date_of_birth": "1991-02-03",
            "national_id": factories.national_id(1991),
            "release_date": str(TODAY - dt.timedelta(days=3)),
            "release_kind": "completed",
            "main_penalty": "prison",
            "sentence_months": "24",
        },
        "custody-records": {
            "parent": objects["person"].uuid,
            "release_date": str(TODAY - dt.timedelta(days=3)),
            "release_kind": "amnesty",
            "main_penalty": "prison",
            "sentence_months": "12",
        },
        "needs": {"parent": objects["case"].uuid, "need_type": "housing"},
        "referrals": {
            "parent": objects["needs"]["residence"].uuid,
            "agency": agency_of("ca", objects["commune"]).code,
        },
        "notes": {
            "parent": objects["case"].uuid,
            "kind": "call",
            "happened_on": str(TODAY),
            "text": "Gọi điện",
        },
        "consents": {"parent": objects["person"].uuid, "purpose": "outreach", "evidence": "Phiếu"},
        "cases": {"parent": objects["person"].uuid, "commune": objects["commune"].code},
    }[resource]


PARENT = {
    "custody-records": "people",
    "needs": "cases",
    "referrals": "needs",
    "notes": "cases",
    "consents": "people",
    "cases": "people",
}


def check_create(client, world, user_key: str, resource: str) -> None:
    for where, situation in SITUATIONS.items():
        before = events()
        response = client.post(f"/registry/{resource}/new/", create_payload(world, resource, where))
        if resource not in CREATES.get(user_key, set()):
            assert response.status_code == 403, (situation, response.status_code)
            continue
        own_commune = where == ("B" if user_key == "outsider" else "A")
        if resource == "people":  # a new prison notice: allowed in the user's own communes only
            expected = 302 if own_commune else 403
        elif resource == "cases":  # a new case for a person: each test person already has one open
            if not visible(user_key, "people", where):
                expected = 404
            else:
                expected = 409 if own_commune else 403
        else:
            expected = 302 if visible(user_key, PARENT[resource], where) else 404
        assert response.status_code == expected, (situation, response.status_code)
        if response.status_code == 302:
            assert events() > before


def check_update(client, world, user_key: str, resource: str) -> None:
    if resource not in ("people", "cases"):
        return
    for where, situation in SITUATIONS.items():
        obj = target(world, user_key, resource, where)
        payload = (
            {"phone": "0987654321", "reason": "Đổi số"}
            if resource == "people"
            else {"kind": "reception_meeting", "on": str(TODAY)}
        )
        response = client.post(f"/registry/{resource}/{obj.uuid}/edit/", payload)
        if not visible(user_key, resource, where):
            expected = 404
        else:
            expected = 302 if resource in UPDATES.get(user_key, set()) else 403
        assert response.status_code == expected, (situation, response.status_code)


def check_transition(client, world, user_key: str, resource: str) -> None:
    if resource in ("people", "custody-records", "notes"):
        return
    for where, situation in SITUATIONS.items():
        obj = target(world, user_key, resource, where)
        acting_on_own = user_key in OWN_NEED and where == "A"
        if resource == "needs" and not acting_on_own:
            obj = world[where]["needs"]["residence"]  # identified, so withdrawing it is legal
        action, payload = {
            "cases": ("close", {"reason": "other"}),
            "needs": ("withdraw", {}),
            "referrals": ("accept", {})
            if acting_on_own
            else ("cancel", {"reason": "Không còn nhu cầu"}),
            "consents": ("withdraw", {}),
        }[resource]
        response = client.post(f"/registry/{resource}/{obj.uuid}/{action}/", payload)
        if not visible(user_key, resource, where):
            expected = 404
        elif resource in MOVES.get(user_key, set()) and (
            action != "cancel" or user_key in ("commune_police", "outsider")
        ):
            expected = 302
        else:
            expected = 403
        assert response.status_code == expected, (situation, action, response.status_code)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("user_key", list(PERSONAS))
class PermissionMatrixTests:
    def test_reads_rows_fields_and_audit(self, client, setting, user_key, resource) -> None:
        world, users = setting
        factories.sign_in(client, users[user_key])
        check_reads(client, world, user_key, resource)

    def test_writes(self, client, setting, user_key, resource) -> None:
        world, users = setting
        factories.sign_in(client, users[user_key])
        check_create(client, world, user_key, resource)
        check_update(client, world, user_key, resource)
        check_transition(client, world, user_key, resource)


def test_anonymous_gets_the_sign_in_page_everywhere(client, setting) -> None:
    world, _ = setting
    for resource in RESOURCES:
        obj = target(world, "commune_police", resource, "A")
        for url in (
            f"/registry/{resource}/",
            f"/registry/{resource}/{obj.uuid}/",
            f"/registry/{resource}/export.csv",
        ):
            response = client.get(url)
            assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not AccessEvent.objects.filter(action__in=["view", "list", "export"]).exists()
