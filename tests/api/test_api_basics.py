"""The API's contract: authentication, scoping (404 out of scope), field profiles, one error shape
in Vietnamese or English, 409 for illegal transitions and edit conflicts, tokens and throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from registry import services
from registry.models import AccessEvent, Agency, ApiToken, Role
from registry.services.tokens import api_token_issue, api_token_revoke
from tests import factories
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def commune_police(name: str, commune_name: str = "Tô Hiệu") -> APIClient:
    commune = factories.commune(commune_name)
    agency = Agency.objects.get(level="commune", kind="police", jurisdiction=commune)
    return token_client(
        factories.UserFactory(username=name), Role.COMMUNE_POLICE, agency, [commune]
    )


class AuthenticationTests:
    def test_anonymous_requests_are_refused_with_the_error_shape(self, api) -> None:
        response = api.get("/api/v1/cases/")
        assert response.status_code == 401
        assert set(response.json()) == {"message", "extra"}

    def test_a_session_without_the_second_factor_is_not_enough(self, api, builder) -> None:
        api.force_login(builder)  # password only
        assert api.get("/api/v1/need-types/").status_code == 401
        factories.sign_in(api, builder)
        assert api.get("/api/v1/need-types/").status_code == 200

    def test_tokens_are_stored_hashed_expire_and_can_be_revoked(self, builder) -> None:
        token, secret = api_token_issue(actor=builder, user=builder, name="tích hợp")
        assert secret not in token.key_hash and len(token.key_hash) == 64
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        assert client.get("/api/v1/need-types/").status_code == 200
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        assert client.get("/api/v1/need-types/").status_code == 401
        token2, secret2 = api_token_issue(actor=builder, user=builder, name="khác")
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret2}")
        assert client.get("/api/v1/need-types/").status_code == 200
        api_token_revoke(actor=builder, token=token2)
        assert client.get("/api/v1/need-types/").status_code == 401

    def test_requests_are_throttled_per_user(self, builder) -> None:
        from django.core.cache import cache

        cache.clear()
        rest = {"DEFAULT_THROTTLE_RATES": {"user": "3/min", "token": "100/min"}}
        from django.conf import settings

        with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rest}):
            from rest_framework.settings import api_settings
            from rest_framework.throttling import SimpleRateThrottle

            api_settings.reload()
            SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
            client = commune_police("lan")
            codes = [client.get("/api/v1/need-types/").status_code for _ in range(5)]
        api_settings.reload()
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        cache.clear()
        assert codes[:3] == [200, 200, 200] and codes[3] == 429


class ScopeTests:
    def test_another_communes_case_answers_404_and_lists_exclude_it(self, builder) -> None:
        mine = factories.make_case(builder)
        other = factories.make_case(
            builder,
            factories.make_person(builder, national_id=factories.national_id(), phone=None),
            "Mường Lạn",
        )
        client = commune_police("lan")
        listed = [row["uuid"] for row in client.get("/api/v1/cases/").json()["results"]]
        assert str(mine.uuid) in listed and str(other.uuid) not in listed
        assert client.get(f"/api/v1/cases/{other.uuid}/").status_code == 404
        assert client.get(f"/api/v1/people/{other.person.uuid}/").status_code == 404
        response = client.get(f"/api/v1/cases/{mine.uuid}/")
        assert response.status_code == 200 and response["ETag"]
        assert AccessEvent.objects.filter(action="view", object_ids=[str(mine.uuid)]).count() == 1

    def test_search_by_national_id_or_phone_goes_through_the_blind_index(self, builder) -> None:
        case = factories.make_case(builder)
        other = factories.make_case(
            builder,
            factories.make_person(builder, national_id=factories.national_id(), phone="0987000111"),
            "Mường Lạn",
        )
        client = commune_police("lan")
        nid = case.person.national_id

        def search(**body):
            response = client.post("/api/v1/people/search/", body, format="json")
            assert response.status_code == 200
            return [row["uuid"] for row in response.json()]

        assert search(national_id=f"{nid[:3]} {nid[3:]}") == [str(case.person.uuid)]
        assert search(phone="091 234 5678") == [str(case.person.uuid)]
        assert search(national_id="014085999999") == []
        assert search(national_id="not an id") == []
        assert search(national_id=other.person.national_id) == []  # exists, but out of scope
        assert search(phone="0987000111") == []
        assert AccessEvent.objects.filter(action="search").count() == 6
        assert client.post("/api/v1/people/search/", {}, format="json").status_code == 400

    def test_the_bank_never_receives_offence_text(self, builder) -> None:
        case = services.case_record_presentation(actor=builder, case=factories.make_case(builder))
        bank = Agency.objects.get(code="nhcsxh-son-la")
        services.consent_record(
            actor=builder, person=case.person, purpose="referral", agency=bank, evidence="Phiếu"
        )
        services.referral_send(
            actor=builder, need=factories.make_need(builder, case, "loan"), agency=bank
        )
        client = token_client(factories.UserFactory(username="bank"), Role.SOCIAL_POLICY_BANK, bank)
        record = client.get(f"/api/v1/custody-records/{case.custody_record.uuid}/")
        assert record.status_code == 200
        body = record.content.decode()
        assert "offence" not in record.json() and case.custody_record.offence not in body
        assert "certificate_date" in record.json()
        person = client.get(f"/api/v1/people/{case.person.uuid}/").json()
        assert "national_id" not in person and "ethnicity" not in person


class ErrorTests:
    def test_bad_input_is_400_with_field_messages_in_vietnamese_or_english(self, builder) -> None:
        client = commune_police("lan")
        payload = {
            "commune": "03646",
            "person": {"full_name": "Lò Văn A", "gender": "male", "national_id": "123"},
            "custody": {
                "release_date": str(timezone.localdate()),
                "release_kind": "completed",
                "main_penalty": "prison",
                "sentence_months": 12,
            },
        }
        vi = client.post("/api/v1/people/register-notice/", payload, format="json")
        assert vi.status_code == 400 and "12 chữ số" in str(
            vi.json()["extra"]["fields"]["national_id"]
        )
        en = client.post(
            "/api/v1/people/register-notice/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert en.status_code == 400 and "12 digits" in str(
            en.json()["extra"]["fields"]["national_id"]
        )

    def test_an_illegal_transition_is_409(self, builder) -> None:
        case = factories.make_case(builder)
        client = commune_police("lan")
        assert (
            client.post(
                f"/api/v1/cases/{case.uuid}/actions/close/", {"reason": "other"}, format="json"
            ).status_code
            == 200
        )
        again = client.post(
            f"/api/v1/cases/{case.uuid}/actions/close/", {"reason": "other"}, format="json"
        )
        assert again.status_code == 409 and again.json()["extra"]["code"] == "illegal_transition"

    def test_a_forbidden_action_on_a_visible_object_is_403(self, builder) -> None:
        case = services.case_record_presentation(actor=builder, case=factories.make_case(builder))
        home_affairs = Agency.objects.get(code="so-noi-vu")
        services.referral_send(
            actor=builder, need=factories.make_need(builder, case, "job"), agency=home_affairs
        )
        client = token_client(factories.UserFactory(username="na"), Role.HOME_AFFAIRS, home_affairs)
        assert client.get(f"/api/v1/cases/{case.uuid}/").status_code == 200
        assert (
            client.post(
                f"/api/v1/cases/{case.uuid}/actions/close/", {"reason": "other"}, format="json"
            ).status_code
            == 403
        )

    def test_two_officers_cannot_silently_overwrite_each_other(self, builder) -> None:
        case = factories.make_case(builder)
        client = commune_police("lan")
        url = f"/api/v1/people/{case.person.uuid}/"
        tag = client.get(url)["ETag"]
        first = client.patch(
            f"{url}update/",
            {"phone": "0987654321", "reason": "Đổi số"},
            format="json",
            HTTP_IF_MATCH=tag,
        )
        assert first.status_code == 200
        second = client.patch(
            f"{url}update/",
            {"phone": "0911111111", "reason": "Đổi số"},
            format="json",
            HTTP_IF_MATCH=tag,
        )
        assert (
            second.status_code == 409 and second.json()["extra"] == {} or second.status_code == 409
        )
        missing = client.patch(f"{url}update/", {"address": "Bản Mới"}, format="json")
        assert missing.status_code == 409


class WorkflowTests:
    def test_a_commune_officer_registers_a_notice_and_refers_a_job_need(self, builder) -> None:
        client = commune_police("lan")
        payload = {
            "commune": "03646",
            "person": {
                "full_name": "Cầm Văn Bình",
                "gender": "male",
                "date_of_birth": "1990-04-02",
                "national_id": factories.national_id(1990),
                "phone": "0912000111",
            },
            "custody": {
                "release_date": str(timezone.localdate()),
                "release_kind": "completed",
                "main_penalty": "prison",
                "sentence_months": 30,
            },
        }
        case = client.post("/api/v1/people/register-notice/", payload, format="json")
        assert case.status_code == 201 and case.json()["status"] == "expected"
        case_uuid = case.json()["uuid"]
        assert (
            client.post(f"/api/v1/cases/{case_uuid}/actions/present/", {}, format="json").json()[
                "status"
            ]
            == "active"
        )
        need = client.post(
            "/api/v1/needs/create/", {"case": case_uuid, "need_type": "job"}, format="json"
        )
        assert need.status_code == 201
        referral = client.post(
            "/api/v1/referrals/create/",
            {"need": need.json()["uuid"], "agency": "so-noi-vu"},
            format="json",
        )
        assert referral.status_code == 201 and referral.json()["status"] == "requested"
        home_affairs = token_client(
            factories.UserFactory(username="na"),
            Role.HOME_AFFAIRS,
            Agency.objects.get(code="so-noi-vu"),
        )
        url = f"/api/v1/referrals/{referral.json()['uuid']}/actions/"
        assert (
            home_affairs.post(url + "reject/", {}, format="json").status_code == 400
        )  # reason required
        assert home_affairs.post(url + "accept/", {}, format="json").json()["status"] == "accepted"
        history = client.get(f"/api/v1/referrals/{referral.json()['uuid']}/history/").json()
        assert [h["to_status"] for h in history] == ["requested", "accepted"]

    def test_the_old_to_new_lookup(self, builder) -> None:
        client = commune_police("lan")
        found = client.get(
            "/api/v1/units/lookup/", {"commune": "Chiềng Lề", "district": "Thành phố Sơn La"}
        )
        assert found.json()["full_name"] == "Phường Tô Hiệu"
        unknown = client.get("/api/v1/units/lookup/", {"commune": "Không Có"})
        assert unknown.status_code == 404  # no such commune


class DocsTests:
    def test_swagger_and_redoc_come_from_our_own_static_files(self, builder) -> None:
        from rest_framework.test import APIClient

        client = APIClient()
        factories.sign_in(client, builder)
        for url in ("/api/v1/docs/", "/api/v1/redoc/"):
            page = client.get(url)
            assert page.status_code == 200
            html = page.content.decode()
            assert "/static/drf_spectacular_sidecar/" in html
            assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
        schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert schema.status_code == 200
