"""What an outside probe found (issue 17), one class per finding, each asserting behaviour by URL
(status codes, what the reader sees or does not see, the access log), not page structure. Each
failed on the main branch before this change. Finding 5 (the audit its own app could silence)
is tests/registry/test_database_roles.py."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings

from registry import services
from registry.models import AccessEvent, Agency, Membership, Notification, Role
from registry.services import training
from tests import factories
from tests.api.conftest import token_client
from tests.clock import today

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # denial windows and throttles start empty
    yield
    cache.clear()


def member(username: str, role: str, code: str):
    user = factories.UserFactory(username=username)
    Membership.objects.create(user=user, role=role, agency=Agency.objects.get(code=code))
    return user


def police_token(user, commune_name: str):
    unit = factories.commune(commune_name)
    agency = Agency.objects.get(level="commune", kind="police", jurisdiction=unit)
    return token_client(user, Role.COMMUNE_POLICE, agency, [unit])


@pytest.fixture
def world():
    """Officer A of Tô Hiệu manages a case with a loan need referred to the bank (accepted) and a
    health need referred to another agency with a reason; officer B works in Mường Lạn."""
    a = factories.commune_officer("officer-a", "Tô Hiệu")
    case = services.case_record_presentation(actor=a, case=factories.make_case(a))
    bank = Agency.objects.get(code="nhcsxh-son-la")
    services.consent_record(
        actor=a, person=case.person, purpose="referral", agency=bank, evidence="Phiếu"
    )
    loan = services.referral_send(actor=a, need=factories.make_need(a, case, "loan"), agency=bank)
    home_affairs = Agency.objects.get(code="so-noi-vu")
    services.consent_record(
        actor=a, person=case.person, purpose="referral", agency=home_affairs, evidence="Phiếu"
    )
    job = services.referral_send(
        actor=a,
        need=factories.make_need(a, case, "job"),
        agency=home_affairs,
        note="Đang điều trị cai nghiện",
    )
    clerk = member("ngan-hang", Role.SOCIAL_POLICY_BANK, "nhcsxh-son-la")
    services.referral_accept(actor=clerk, referral=loan)
    return {
        "a": a,
        "b": factories.commune_officer("officer-b", "Mường Lạn"),
        "case": case,
        "loan": loan,
        "job": job,
        "bank": clerk,
        "home_affairs": member("noi-vu", Role.HOME_AFFAIRS, "so-noi-vu"),
        "chief": member("ca-tinh", Role.PROVINCIAL_POLICE, "cong-an-tinh"),
    }


def notice(national_id: str) -> dict:
    return {
        "commune": factories.commune("Mường Lạn").code,
        "person": {
            "full_name": "Quàng Văn Ún",
            "gender": "male",
            "date_of_birth": "1985-03-14",
            "national_id": national_id,
        },
        "custody": {
            "release_date": str(today()),
            "release_kind": "completed",
            "main_penalty": "prison",
            "sentence_months": 24,
        },
    }


class ExistenceOracleTests:  # finding 1
    def test_registering_another_communes_person_is_an_audited_read_naming_no_commune(
        self, world
    ) -> None:
        client = police_token(world["b"], "Mường Lạn")
        person = world["case"].person
        response = client.post(
            "/api/v1/people/register-notice/", notice(person.national_id), format="json"
        )
        assert response.status_code == 409
        body = response.json()
        assert body["extra"]["code"] == "registered_elsewhere"
        assert "Tô Hiệu" not in json.dumps(body, ensure_ascii=False)
        assert "Công an tỉnh" in body["message"]  # the lawful next step
        event = AccessEvent.objects.get(actor=world["b"], action="search")
        assert event.person_ids == [str(person.uuid)]
        assert event.purpose.startswith("existence outside scope")
        assert Notification.objects.filter(user=world["chief"]).exists()
        fresh = client.post(
            "/api/v1/people/register-notice/", notice(factories.national_id()), format="json"
        )
        assert fresh.status_code == 201

    @override_settings(EXISTENCE_READS_PER_DAY=1)
    def test_past_the_days_limit_every_id_gets_the_same_answer(self, world) -> None:
        client = police_token(world["b"], "Mường Lạn")
        taken = world["case"].person.national_id
        first = client.post("/api/v1/people/register-notice/", notice(taken), format="json")
        assert first.status_code == 409
        again = client.post("/api/v1/people/register-notice/", notice(taken), format="json")
        unused = client.post(
            "/api/v1/people/register-notice/", notice(factories.national_id()), format="json"
        )
        assert again.status_code == unused.status_code == 429
        assert again.json() == unused.json()

    def test_the_staff_page_says_the_same_and_records_it(self, client, world) -> None:
        factories.sign_in(client, world["b"])
        person = world["case"].person
        page = client.post(
            "/cases/new/",
            {
                "commune": factories.commune("Mường Lạn").code,
                "full_name": "Quàng Văn Ún",
                "gender": "male",
                "date_of_birth": "1985-03-14",
                "national_id": person.national_id,
                "release_date": str(today()),
                "release_kind": "completed",
                "main_penalty": "prison",
                "sentence_months": "24",
            },
        )
        text = page.content.decode()
        assert page.status_code == 400 and "đơn vị khác quản lý" in text and "Tô Hiệu" not in text
        assert AccessEvent.objects.filter(
            actor=world["b"], action="search", person_ids=[str(person.uuid)]
        ).exists()

    def test_the_import_dry_run_follows_the_same_rule_per_matched_person(self, world) -> None:
        from tests.registry.test_imports import csv_bytes, dry_run, row

        person = world["case"].person
        data = csv_bytes(
            [
                row(**{"Số định danh cá nhân": person.national_id,
                       "Xã, phường về cư trú": "Xã Mường Lạn"}),
                row(**{"Xã, phường về cư trú": "Xã Mường Lạn"}),
            ]
        )  # fmt: skip
        batch = dry_run(world["b"], data)
        assert batch.rows_duplicate == 1 and batch.rows_new == 1
        duplicate = next(p for p in batch.problems if p["kind"] == "duplicate")
        assert "đơn vị khác" in duplicate["message"] and "Tô Hiệu" not in duplicate["message"]
        assert AccessEvent.objects.filter(
            actor=world["b"], action="search", person_ids=[str(person.uuid)]
        ).exists()


class CasePageFieldProfileTests:  # finding 2
    def test_the_bank_sees_its_loan_and_none_of_the_other_needs_or_referrals(
        self, client, world
    ) -> None:
        factories.sign_in(client, world["bank"])
        case = world["case"].uuid
        shown = ""
        for tab in ("", "needs/", "timeline/"):
            page = client.get(f"/cases/{case}/{tab}")
            assert page.status_code in (200, 403), tab
            if page.status_code == 200:
                text = page.content.decode()
                shown += text
                assert world["job"].need.need_type.name not in text, tab
                assert world["job"].agency.name not in text, tab
                assert "Đang điều trị cai nghiện" not in text, tab
        assert world["loan"].agency.name in shown or world["loan"].need.need_type.name in shown

    def test_the_commune_officer_still_sees_everything(self, client, world) -> None:
        factories.sign_in(client, world["a"])
        text = client.get(f"/cases/{world['case'].uuid}/needs/").content.decode()
        assert world["job"].need.need_type.name in text and world["job"].agency.name in text


class FilterFieldProfileTests:  # finding 3
    def test_the_bank_cannot_filter_on_classification_or_other_needs(self, world) -> None:
        bank = token_client(world["bank"], Role.SOCIAL_POLICY_BANK, world["loan"].agency)
        assert bank.get("/api/v1/cases/", {"classification": "A"}).status_code == 403
        assert bank.get("/api/v1/cases/", {"need_type": "job"}).status_code == 403
        assert bank.get("/api/v1/cases/", {"status": "active"}).status_code == 200

    def test_home_affairs_cannot_infer_release_dates(self, world) -> None:
        client = token_client(world["home_affairs"], Role.HOME_AFFAIRS, world["job"].agency)
        answer = client.get("/api/v1/cases/", {"release_date_from": "2000-01-01"})
        assert answer.status_code == 403 and "release_date_from" in answer.json()["message"]

    def test_the_commune_officer_keeps_every_filter(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        for params in ({"classification": "A"}, {"need_type": "job"},
                       {"release_date_from": "2000-01-01"}):  # fmt: skip
            assert client.get("/api/v1/cases/", params).status_code == 200, params

    def test_unknown_enum_values_and_sorts_are_refused(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        assert client.get("/api/v1/cases/", {"status": "bogus"}).status_code == 400
        assert client.get("/api/v1/cases/", {"ordering": "person__national_id"}).status_code == 400


class AuditGapTests:  # finding 4
    def test_a_denied_read_is_recorded_once_per_window(self, world) -> None:
        client = police_token(world["b"], "Mường Lạn")
        url = f"/api/v1/cases/{world['case'].uuid}/"
        for _ in range(5):
            assert client.get(url).status_code == 404
        denied = AccessEvent.objects.filter(actor=world["b"], action="denied")
        assert denied.count() == 1
        assert str(world["case"].uuid) in denied.get().object_ids

    def test_pages_that_showed_people_unaudited_now_write_their_event(self, client, world) -> None:
        a, bank = world["a"], world["bank"]
        need = factories.make_need(a, world["case"], "housing")
        for user, url in (
            (bank, f"/referrals/{world['loan'].uuid}/loan/"),
            (a, f"/needs/{need.uuid}/refer/"),
            (a, f"/privacy/people/{world['case'].person.uuid}/requests/new/"),
        ):
            factories.sign_in(client, user)
            before = AccessEvent.objects.filter(actor=user).count()
            assert client.get(url).status_code == 200, url
            assert AccessEvent.objects.filter(actor=user).count() == before + 1, url

    def test_the_loan_rows_of_the_loans_list_are_audited(self, client, world) -> None:
        from registry.services import loans

        loan = loans.loan_application_create(
            actor=world["bank"],
            case=world["case"],
            referral=world["loan"],
            purpose="production",
            amount=50_000_000,
        )
        factories.sign_in(client, world["bank"])
        assert client.get("/loans/").status_code == 200
        event = AccessEvent.objects.get(actor=world["bank"], object_type="loanapplication")
        assert event.object_ids == [str(loan.uuid)]

    def test_a_follow_up_record_and_the_needs_withdrawn_on_closing_leave_events(
        self, world
    ) -> None:
        a = world["a"]
        clerk = member("noi-vu-2", Role.HOME_AFFAIRS, "so-noi-vu")
        services.referral_accept(actor=clerk, referral=world["job"])
        world["job"].refresh_from_db()
        training.placement_record(
            actor=clerk,
            referral=world["job"],
            employer="Hợp tác xã",
            job_title="Công nhân",
            started_on=today(),
        )
        follow_up = world["job"].placements.get().follow_ups.order_by("months").first()
        training.follow_up_record(actor=clerk, follow_up=follow_up, employed=True, on=today())
        assert AccessEvent.objects.filter(actor=clerk, action="update").exists()
        open_need = factories.make_need(a, world["case"], "housing")
        services.case_close(actor=a, case=world["case"], reason="moved_away")
        withdrawn = AccessEvent.objects.filter(actor=a, action="transition", object_type="need")
        assert any(str(open_need.uuid) in e.object_ids for e in withdrawn)

    def test_a_list_with_an_ignored_parameter_is_refused_not_logged_as_a_search(
        self, world
    ) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        answer = client.get("/api/v1/people/", {"nationality": "vn"})
        assert answer.status_code == 400
        assert not AccessEvent.objects.filter(actor=world["a"], action="search").exists()


class NoStoreTests:  # finding 6
    def test_responses_with_personal_data_are_not_stored(self, client, world) -> None:
        api = police_token(world["a"], "Tô Hiệu")
        assert api.get("/api/v1/cases/")["Cache-Control"] == "no-store"
        factories.sign_in(client, world["a"])
        for url in ("/worklist/", f"/cases/{world['case'].uuid}/", "/cases/export.csv"):
            response = client.get(url)
            assert response.status_code == 200 and response["Cache-Control"] == "no-store", url


class ServerErrorTests:  # finding 7
    def test_a_crafted_cursor_is_bad_input(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        cursor = base64.b64encode(b"p=abc").decode()
        assert client.get("/api/v1/cases/", {"cursor": cursor}).status_code == 400

    def test_deeply_nested_json_is_bad_input(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        body = "[" * 5000 + "]" * 5000
        answer = client.post("/api/v1/people/search/", body, content_type="application/json")
        assert answer.status_code == 400


class NationalIdFilterTests:  # finding 8
    def test_the_identifier_never_filters_a_list_through_the_url(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        person = world["case"].person
        answer = client.get("/api/v1/people/", {"national_id": person.national_id})
        assert answer.status_code == 400
        assert not AccessEvent.objects.filter(actor=world["a"], action="search").exists()
        found = client.post(
            "/api/v1/people/search/", {"national_id": person.national_id}, format="json"
        )
        assert [row["uuid"] for row in found.json()] == [str(person.uuid)]

    def test_the_schema_offers_no_such_filter(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
        people = json.loads(schema)["paths"]["/api/v1/people/"]["get"]["parameters"]
        assert not {p["name"] for p in people} & {"national_id", "phone"}


class ProxyAndOperationsTests:  # finding 9
    @override_settings(TRUSTED_PROXY_COUNT=1, PUBLIC_QUESTION_RATE_PER_HOUR=1)
    def test_citizens_behind_the_proxy_have_their_own_limits(self, client) -> None:
        def ask(forwarded: str) -> int:
            return client.post(
                "/huong-thien/hoi/",
                {"body": "Tôi muốn hỏi về vay vốn học nghề thì làm thế nào?", "website": ""},
                HTTP_X_FORWARDED_FOR=forwarded,
                REMOTE_ADDR="10.0.0.1",
            ).status_code

        first = ask("203.0.113.7")
        assert ask("203.0.113.7") != first  # the same citizen hits the limit
        assert ask("198.51.100.9") == first  # another citizen does not

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_the_audit_keeps_the_client_address_and_our_own_request_id(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        response = client.get(
            "/api/v1/cases/",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
            HTTP_X_REQUEST_ID="DROP TABLE; -- <script>",
            REMOTE_ADDR="10.0.0.1",
        )
        event = AccessEvent.objects.filter(actor=world["a"], action="list").latest("id")
        assert event.ip == "203.0.113.7"
        assert event.request_id == response["X-Request-ID"] and len(event.request_id) == 32
        assert event.client_request_id == ""
        client.get("/api/v1/cases/", HTTP_X_REQUEST_ID="trace-42.a")
        assert AccessEvent.objects.latest("id").client_request_id == "trace-42.a"

    def test_token_lifetime_is_capped(self, world) -> None:
        with pytest.raises(CommandError):
            call_command("api_token", "issue", "--user", "officer-a", "--days", "36500")

    def test_api_messages_follow_accept_language(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        missing = "/api/v1/cases/00000000-0000-0000-0000-000000000000/"
        assert client.get(missing, HTTP_ACCEPT_LANGUAGE="en").json()["message"] == "Not found."
        assert client.get(missing).json()["message"] == "Không tìm thấy."

    def test_gunicorn_writes_no_access_log_of_its_own(self) -> None:
        from config import gunicorn

        assert gunicorn.accesslog is None

    def test_production_without_a_secret_key_refuses_to_start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        run = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode != 0 and "DJANGO_SECRET_KEY" in run.stderr

    def test_throttles_use_redis_when_it_is_configured(self) -> None:
        env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/6"}
        code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
        run = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.stdout.strip() == "django.core.cache.backends.redis.RedisCache", run.stderr


class SchemaTests:  # finding 10
    def test_nullable_enums_accept_null_and_a_missing_if_match_is_documented(self, world) -> None:
        client = police_token(world["a"], "Tô Hiệu")
        schema = json.loads(client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content)
        update = schema["paths"]["/api/v1/people/{uuid}/update/"]["patch"]["responses"]
        assert "409" in update and "400" in update
        case = schema["components"]["schemas"]["CaseOut"]["properties"]["classification"]
        assert "NullEnum" in json.dumps(case)  # an unset classification is null, not ""
        answer = client.get(f"/api/v1/cases/{world['case'].uuid}/").json()
        assert answer["classification"] is None
