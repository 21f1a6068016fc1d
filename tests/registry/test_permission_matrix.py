"""The permission matrix (issue 3, moved onto the workspace's real pages in issue 14): every role ×
action × object situation over people, custody records, cases, needs, referrals, notes and
consents, through the pages staff use — the case list and its export, the case page and its
tabs, the notice form, the needs, refer, note, milestone, close, cancel and withdraw pages, the
agencies' inbox.

The expectations below are written from DESIGN.md section 4, independently of registry.access:
which resources each role may see, export, create, update and move, which fields it must never
receive, and which situations are in its scope. Each allowed read must leave exactly one access
event; every other answer is 403 (forbidden action on a visible object, or a role without the
capability) or 404 (out of scope, exactly like a missing object).
"""

from __future__ import annotations

import datetime as dt
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
from tests.clock import today

pytestmark = pytest.mark.django_db

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
            actor=builder, case=case, kind="visit", happened_on=today(), text=f"Ghi chép {key}"
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
    return AccessEvent.objects.exclude(action="denied").count()


def fields_in(html: str) -> set[str]:
    return set(re.findall(r'data-field="([a-z_]+)"', html))


def uuids_in(html: str) -> set[str]:
    return set(re.findall(r'data-uuid="([0-9a-f-]{36})"', html))


# The fields each resource shows on the case page (summary lists marked data-field).
PAGE_FIELDS = {
    "people": {
        "full_name",
        "gender",
        "birth_year",
        "date_of_birth",
        "national_id",
        "phone",
        "address",
        "ethnicity",
        "family_contact",
    },
    "custody-records": {
        "release_date",
        "release_kind",
        "certificate_number",
        "certificate_date",
        "court",
        "judgment_number",
        "judgment_date",
        "offence",
        "penal_code_articles",
        "offence_date",
        "main_penalty",
        "sentence_months",
        "prison",
        "additional_penalties",
        "additional_penalty_months",
        "civil_obligations",
        "obligations_fulfilled",
        "expungement_eligible_date",
        "expungement_explanation",
    },
    "cases": {
        "status",
        "close_reason",
        "closed_on",
        "commune",
        "assigned_officer",
        "classification",
        "classified_on",
        "helper",
        "helper_assigned_on",
        "reporting_deadline",
        "address_check_due",
        "last_contact_on",
    },
}
NEED_NAMES = {"job": "Việc làm", "loan": "Vay vốn", "legal_aid": "Trợ giúp pháp lý"}


def check_reads(client, world, user_key: str) -> None:
    sees_cases = "cases" in SEES[user_key]
    before = events()
    listing = client.get("/cases/")
    if not sees_cases:
        assert listing.status_code == 403 and events() == before
    else:
        assert listing.status_code == 200 and events() == before + 1
        shown = uuids_in(listing.content.decode())
        for where in SITUATIONS:
            case = world[where]["case"]
            assert (str(case.uuid) in shown) == visible(user_key, "cases", where), where
    for where, situation in SITUATIONS.items():
        case = world[where]["case"]
        before = events()
        response = client.get(f"/cases/{case.uuid}/")
        if not visible(user_key, "cases", where):
            assert response.status_code == 404, situation  # nothing in scope, like a missing one
            assert events() == before
            continue
        assert response.status_code == 200, situation
        last = AccessEvent.objects.latest("id")
        assert events() == before + 1 and last.action == "view"
        assert last.object_ids == [str(case.uuid)]
        html = response.content.decode()
        shown = fields_in(html)
        for resource, names in PAGE_FIELDS.items():
            on_page = shown & names
            assert not on_page & NEVER.get((user_key, resource), set()), (resource, on_page)
            assert MUST.get((user_key, resource), set()) <= on_page, resource
            if user_key in ("provincial_police", "commune_police", "outsider"):
                assert on_page == names, resource
        if "offence" in NEVER.get((user_key, "custody-records"), set()) or (
            "custody-records" not in SEES[user_key]
        ):
            assert world[where]["custody"].offence not in html
        needs = client.get(f"/cases/{case.uuid}/needs/").content.decode()
        own = OWN_NEED.get(user_key)
        if own in NEED_NAMES and where == "A":
            # An agency sees the need referred to it, never the other agencies' needs.
            for code, name in NEED_NAMES.items():
                assert (name in needs) == (code == own), (code, needs.count(name))
    before = events()
    response = client.get("/cases/export.csv")
    if "cases" not in EXPORTS.get(user_key, set()):
        assert response.status_code == 403 and events() == before
    else:
        assert response.status_code == 200 and events() == before + 1
        body = b"".join(response.streaming_content).decode()
        assert (world["B"]["person"].full_name in body) == visible(user_key, "cases", "B")


# The record a new one hangs from (the API's creation checks use it).
PARENT = {
    "custody-records": "people",
    "needs": "cases",
    "referrals": "needs",
    "notes": "cases",
    "consents": "people",
    "cases": "people",
}
POLICE = {"commune_police", "outsider"}  # commune police of A, and of B


def write_answers(user_key: str, where: str) -> dict[str, int]:
    """What each write page answers this persona in this situation, from DESIGN.md §4: 404 when
    the record is outside what the role sees (like a missing one), 403 for a forbidden action."""
    case_seen = visible(user_key, "cases", where)
    is_agency = user_key in ("home_affairs", "bank", "justice")
    # An agency sees only the needs referred to it: the identified "residence" need is not one,
    # unless the whole case is lent to it (G).
    residence_seen = case_seen and not (is_agency and where == "A")
    consent_seen = case_seen and user_key in POLICE | {"provincial_police"}

    def act(seen: bool, allowed: bool) -> int:
        return 302 if seen and allowed else (403 if seen else 404)

    answers = {
        "note": act(case_seen, user_key in POLICE),
        "milestone": act(case_seen, user_key in POLICE | {"provincial_police"}),
        "needs": 403 if "needs" not in SEES[user_key] else act(case_seen, user_key in POLICE),
        "refer": act(residence_seen, user_key in POLICE),
        "withdraw need": act(residence_seen, user_key in POLICE),
        "withdraw consent": act(consent_seen, user_key in POLICE),
        "close": act(case_seen, user_key in POLICE),
    }
    if OWN_NEED.get(user_key) and where == "A":
        answers["accept"] = 302
    else:
        answers["cancel"] = act(visible(user_key, "referrals", where), user_key in POLICE)
    return answers


def check_writes(client, world, user_key: str) -> None:
    # A prison's notice: only for the user's own communes (another commune is not offered).
    for where in SITUATIONS:
        payload = {
            "commune": world[where]["commune"].code,
            "full_name": "Người Mới",
            "gender": "male",
            "date_of_birth": "1991-02-03",
            "national_id": factories.national_id(1991),
            "release_date": str(today() - dt.timedelta(days=3)),
            "release_kind": "completed",
            "main_penalty": "prison",
            "sentence_months": "24",
        }
        response = client.post("/cases/new/", payload)
        if "people" not in CREATES.get(user_key, set()):
            assert response.status_code == 403, where
        else:
            own = where == ("B" if user_key == "outsider" else "A")
            assert response.status_code == (302 if own else 400), (where, response.status_code)
    for where, situation in SITUATIONS.items():
        objects = world[where]
        case, residence = objects["case"], objects["needs"]["residence"]
        own = OWN_NEED.get(user_key) if where == "A" else None
        referral = objects["referrals"][own] if own else next(iter(objects["referrals"].values()))
        pages = {
            "note": (
                f"/cases/{case.uuid}/note/",
                {"kind": "call", "happened_on": str(today()), "text": "Gọi điện"},
            ),
            "milestone": (
                f"/cases/{case.uuid}/milestone/",
                {"kind": "reception_meeting", "date": str(today())},
            ),
            "needs": (f"/cases/{case.uuid}/needs/", {"need_types": ["housing"]}),
            "refer": (
                f"/needs/{residence.uuid}/refer/",
                {"agency": agency_of("ca", objects["commune"]).code},
            ),
            "withdraw consent": (f"/consents/{objects['consent'].uuid}/withdraw/", {}),
            "accept": (f"/inbox/{referral.uuid}/accept/", {}),
            "cancel": (f"/referrals/{referral.uuid}/cancel/", {"reason": "Không còn nhu cầu"}),
            # Last: each closes or changes what the others need.
            "withdraw need": (f"/needs/{residence.uuid}/withdraw/", {}),
            "close": (
                f"/cases/{case.uuid}/close/",
                {"reason": "other", "on": str(today()), "confirm": "1"},
            ),
        }
        answers = write_answers(user_key, where)
        for name, (url, payload) in pages.items():
            if name not in answers:
                continue
            if name == "withdraw need" and answers["refer"] == 302:
                continue  # the residence need was referred just above: no longer "identified"
            response = client.post(url, payload)
            assert response.status_code == answers[name], (situation, name, response.status_code)


@pytest.mark.parametrize("user_key", list(PERSONAS))
class PermissionMatrixTests:
    def test_reads_rows_fields_and_audit(self, client, setting, user_key) -> None:
        world, users = setting
        factories.sign_in(client, users[user_key])
        check_reads(client, world, user_key)

    def test_writes(self, client, setting, user_key) -> None:
        world, users = setting
        factories.sign_in(client, users[user_key])
        check_writes(client, world, user_key)


def test_anonymous_gets_the_sign_in_page_everywhere(client, setting) -> None:
    world, _ = setting
    case = world["A"]["case"]
    for url in (
        "/cases/",
        f"/cases/{case.uuid}/",
        "/cases/export.csv",
        f"/cases/{case.uuid}/needs/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not AccessEvent.objects.filter(action__in=["view", "list", "export"]).exists()
