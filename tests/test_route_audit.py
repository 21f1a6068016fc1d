"""Walks every personal-data URL pattern (``registry.access.PERSONAL_DATA_ROUTES``) as a user who
may use it and fails on a read that leaves no access event. A route that only writes must not
answer a GET with personal data unaudited either (its writes are audited by the services: their
own tests). A new personal-data route without an entry here fails too."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from django.test import override_settings
from django.urls import get_resolver

from registry import access, services
from registry.models import (
    AccessEvent,
    Agency,
    Membership,
    Role,
)
from registry.services import loans, privacy
from tests import factories
from tests.clock import today

pytestmark = pytest.mark.django_db

# Routes that only write, or whose GET shows a blank form: (why).
WRITES = {
    "api-prison-notice": "creates (audited by the service)",
    "api-person-update": "updates (audited by the service)",
    "api-custody-create": "creates",
    "api-case-create": "creates",
    "api-case-action": "transitions",
    "api-need-create": "creates",
    "api-need-withdraw": "transitions",
    "api-referral-create": "creates",
    "api-referral-action": "transitions",
    "api-note-create": "creates",
    "api-consent-create": "creates",
    "api-consent-withdraw": "transitions",
    "notice-register": "a blank form; the POST creates",
    "case-action": "transitions",
    "referral-act": "transitions",
    "loan-step": "transitions",
    "enrol": "creates",
    "placement": "creates",
    "enrollment-finish": "updates",
    "import-recheck": "re-runs the dry run",
    "import-commit": "creates (audited per model)",
    "case-supervision-action": "transitions (a refused form re-renders the audited tab)",
    "transfer-act": "transitions (the refusal's confirmation is audited)",
    "case-certificate": "updates the custody record (audited by the service)",
    "inbox-accept": "transitions",
    "legal-aid": "records legal aid; its form's read is audited (test_agency_workflow.py)",
}


def member(username: str, role: str, code: str):
    user = factories.UserFactory(username=username)
    Membership.objects.create(user=user, role=role, agency=Agency.objects.get(code=code))
    return user


@pytest.fixture
def world():
    officer = factories.commune_officer("walker-a", "Tô Hiệu")
    case = services.case_record_presentation(actor=officer, case=factories.make_case(officer))
    person = case.person
    sent = {}
    for code, need in (("nhcsxh-son-la", "loan"), ("so-noi-vu", "job"),
                       ("so-tu-phap", "judicial_record")):  # fmt: skip
        agency = Agency.objects.get(code=code)
        services.consent_record(
            actor=officer, person=person, purpose="referral", agency=agency, evidence="Phiếu"
        )
        sent[need] = services.referral_send(
            actor=officer, need=factories.make_need(officer, case, need), agency=agency
        )
    bank = member("walker-bank", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la")
    home_affairs = member("walker-noi-vu", Role.HOME_AFFAIRS, "so-noi-vu")
    justice = member("walker-tu-phap", Role.JUSTICE, "so-tu-phap")
    for clerk, need in ((bank, "loan"), (home_affairs, "job"), (justice, "judicial_record")):
        services.referral_accept(actor=clerk, referral=sent[need])
        sent[need].refresh_from_db()
    loan = loans.loan_application_create(
        actor=bank, case=case, referral=sent["loan"], purpose="production", amount=50_000_000
    )
    note = services.case_note_add(
        actor=officer, case=case, kind="visit", happened_on=today(), text="Thăm gia đình"
    )
    consent = person.consents.first()
    request = privacy.data_request_record(
        actor=officer,
        person=person,
        kind="access",
        received_on=today(),
        channel="in_person",
        details="Xin bản sao",
    )
    return {
        "officer": officer,
        "bank": bank,
        "home_affairs": home_affairs,
        "justice": justice,
        "chief": member("walker-tinh", Role.PROVINCIAL_POLICE, "cong-an-tinh"),
        "auditor": member("walker-kiem-tra", Role.AUDITOR, "cong-an-tinh"),
        "case": case,
        "person": person,
        "need": case.needs.filter(need_type__code="loan").get(),
        "open_need": factories.make_need(officer, case, "housing"),
        "referrals": sent,
        "loan": loan,
        "note": note,
        "consent": consent,
        "request": request,
    }


def reads(w: dict) -> dict[str, tuple[str, str, str, dict]]:
    """Route → (who, method, url, data) for a read that must leave an access event."""
    p, c = w["person"], w["case"]
    report = f"?period=year&year={today().year}&scope=province"
    return {
        "api-people": ("officer", "get", "/api/v1/people/", {}),
        "api-people-search": (
            "officer", "post", "/api/v1/people/search/", {"national_id": p.national_id}
        ),
        "api-person": ("officer", "get", f"/api/v1/people/{p.uuid}/", {}),
        "api-custody-records": ("officer", "get", "/api/v1/custody-records/", {}),
        "api-custody-record": (
            "officer", "get", f"/api/v1/custody-records/{c.custody_record.uuid}/", {}
        ),
        "api-cases": ("officer", "get", "/api/v1/cases/", {}),
        "api-case": ("officer", "get", f"/api/v1/cases/{c.uuid}/", {}),
        "api-case-milestones": ("officer", "get", f"/api/v1/cases/{c.uuid}/milestones/", {}),
        "api-needs": ("officer", "get", "/api/v1/needs/", {}),
        "api-need": ("officer", "get", f"/api/v1/needs/{w['need'].uuid}/", {}),
        "api-referrals": ("officer", "get", "/api/v1/referrals/", {}),
        "api-referral": (
            "officer", "get", f"/api/v1/referrals/{w['referrals']['loan'].uuid}/", {}
        ),
        "api-referral-history": (
            "bank", "get", f"/api/v1/referrals/{w['referrals']['loan'].uuid}/history/", {}
        ),
        "api-notes": ("officer", "get", "/api/v1/notes/", {}),
        "api-note": ("officer", "get", f"/api/v1/notes/{w['note'].uuid}/", {}),
        "api-consents": ("officer", "get", "/api/v1/consents/", {}),
        "api-consent": ("officer", "get", f"/api/v1/consents/{w['consent'].uuid}/", {}),
        "worklist": ("officer", "get", "/worklist/", {}),
        "case-timeline": ("bank", "get", f"/cases/{c.uuid}/timeline/", {}),
        "need-refer": ("officer", "get", f"/needs/{w['open_need'].uuid}/refer/", {}),
        "inbox": ("bank", "get", "/inbox/", {}),
        "loans": ("bank", "get", "/loans/", {}),
        "loan-detail": ("bank", "get", f"/loans/{w['loan'].uuid}/", {}),
        "loan-edit": ("bank", "get", f"/loans/{w['loan'].uuid}/edit/", {}),
        "loan-create": ("bank", "get", f"/referrals/{w['referrals']['loan'].uuid}/loan/", {}),
        "referral-training": (
            "home_affairs", "get", f"/referrals/{w['referrals']['job'].uuid}/training/", {}
        ),
        "judicial-records": (
            "justice",
            "get",
            f"/referrals/{w['referrals']['judicial_record'].uuid}/judicial-records/",
            {},
        ),
        "overdue": ("officer", "get", "/overdue/", {}),
        "follow-ups": ("home_affairs", "get", "/follow-ups/", {}),
        "privacy-requests": ("officer", "get", "/privacy/requests/", {}),
        "privacy-request": ("officer", "get", f"/privacy/requests/{w['request'].uuid}/", {}),
        "privacy-request-new": ("officer", "get", f"/privacy/people/{p.uuid}/requests/new/", {}),
        "subject-json": ("officer", "get", f"/privacy/people/{p.uuid}/data.json", {}),
        "subject-pdf": ("officer", "get", f"/privacy/people/{p.uuid}/data.pdf", {}),
        "report-xlsx": ("officer", "get", "/reports/export.xlsx" + report, {}),
        "report-pdf": ("officer", "get", "/reports/export.pdf" + report, {}),
        "audit-events": ("auditor", "get", "/audit/", {}),
        "audit-export": ("auditor", "get", "/audit/export.csv", {}),
        "case-list": ("officer", "get", "/cases/", {}),
        "case-export": ("officer", "get", "/cases/export.csv", {}),
        "case-page": ("bank", "get", f"/cases/{c.uuid}/", {}),
        "case-needs": ("officer", "get", f"/cases/{c.uuid}/needs/", {}),
        "case-documents": ("officer", "get", f"/cases/{c.uuid}/documents/", {}),
        "case-viewers": ("chief", "get", f"/cases/{c.uuid}/viewers/", {}),
        "case-close": ("officer", "get", f"/cases/{c.uuid}/close/", {}),
        "need-withdraw": ("officer", "get", f"/needs/{w['open_need'].uuid}/withdraw/", {}),
        "referral-detail": ("bank", "get", f"/referrals/{w['referrals']['loan'].uuid}/", {}),
        "referral-cancel": (
            "officer", "get", f"/referrals/{w['referrals']['loan'].uuid}/cancel/", {}
        ),
        "consent-withdraw": ("officer", "get", f"/consents/{w['consent'].uuid}/withdraw/", {}),
        "search": ("officer", "form", "/search/", {"q": p.national_id}),
        "outreach-person-messages": ("officer", "get", f"/outreach/people/{p.uuid}/messages/", {}),
        "outreach-person-zalo": ("officer", "get", f"/outreach/people/{p.uuid}/zalo/", {}),
        "outreach-console": ("officer", "get", "/outreach/console/", {}),
        "case-dossier": ("officer", "get", f"/cases/{c.uuid}/dossier/", {}),
        "case-form": ("officer", "get", f"/cases/{c.uuid}/forms/HCD-05.docx", {}),
        "commune-form": ("officer", "get", f"/communes/{c.commune.code}/forms/HCD-09.docx", {}),
        "case-supervision": ("officer", "get", f"/cases/{c.uuid}/supervision/", {}),
        "supervision-work": ("officer", "get", "/supervision/", {}),
        "supervision-quarter": ("officer", "get", "/supervision/quarter/", {}),
        "transfers": ("officer", "get", "/transfers/", {}),
    }  # fmt: skip


# Routes that exist only on the embedded default (DEBUG): walked with DEBUG on.
DEBUG_ONLY = {"outreach-console": "the console channel's messages, for developers"}


def events_by(user) -> int:
    return AccessEvent.objects.filter(actor=user).exclude(action="denied").count()


def test_every_personal_data_read_leaves_an_access_event(client, world) -> None:
    specs = reads(world)
    missing = access.PERSONAL_DATA_ROUTES - set(specs) - set(WRITES)
    assert not missing, f"add these routes to tests/test_route_audit.py: {sorted(missing)}"
    unaudited = []
    for name, (who, method, url, data) in sorted(specs.items()):
        user = world[who]
        factories.sign_in(client, user)
        before = events_by(user)
        debug = override_settings(DEBUG=True, OUTREACH_CONSOLE_PAGE=True)
        with debug if name in DEBUG_ONLY else nullcontext():
            if method == "get":
                response = client.get(url)
            elif method == "form":
                response = client.post(url, data)
            else:
                response = client.post(url, data, content_type="application/json")
        expected = (200, 302) if method == "form" else (200,)  # one exact match opens the case
        assert response.status_code in expected, (name, url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        if events_by(user) <= before:
            unaudited.append(name)
    assert not unaudited, f"reads of personal data without an access event: {unaudited}"


def test_routes_that_only_write_never_answer_a_get_with_unaudited_data(client, world) -> None:
    resolver = get_resolver()
    factories.sign_in(client, world["officer"])
    for name in sorted(WRITES):
        assert name in access.PERSONAL_DATA_ROUTES, name
        pattern = resolver.reverse_dict.getlist(name)[0][0][0]
        kwargs = {arg: "00000000-0000-0000-0000-000000000000" for arg in pattern[1]}
        kwargs.update({k: "close" for k in kwargs if k in ("action", "step")})
        url = "/" + pattern[0] % kwargs
        before = events_by(world["officer"])
        response = client.get(url)
        if response.status_code == 200:
            assert name == "notice-register", name  # the blank form only
            assert events_by(world["officer"]) == before
        else:
            assert response.status_code in (302, 400, 403, 404, 405), (name, response.status_code)
