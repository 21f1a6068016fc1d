"""Outreach fixtures: the local fake provider (a real HTTP server), settings that point the
channels at it, and builders for approved content, segments and running campaigns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from outreach import fake_provider, limits, routing
from outreach.models import Campaign, ContentItem, ProviderToken
from outreach.services import campaigns as campaign_services
from outreach.services import content as content_services
from registry import services
from registry.models import Agency, Consent, Membership, Role, User
from tests import factories

TWILIO_TOKEN = "test-twilio-auth-token"
PUBLIC_BASE = "https://nhan-tin.sonla.example"


@pytest.fixture(scope="session")
def fake_server():
    state = fake_provider.FakeState(
        twilio_token=TWILIO_TOKEN,
        zalo_app_id="test-app",
        zalo_app_secret="test-app-secret",
        zalo_oa_secret="test-oa-secret",
        callbacks=False,
        timeout_hold=1.5,
    )
    server = fake_provider.start(state)
    yield server
    server.shutdown()


@dataclass
class Fake:
    url: str
    server: Any

    def control(self, path: str, payload: Any = None) -> dict[str, Any]:
        if payload is None:
            return requests.get(f"{self.url}/_control/{path}", timeout=5).json()
        return requests.post(f"{self.url}/_control/{path}", json=payload, timeout=5).json()

    def faults(self, *rules: dict[str, Any]) -> None:
        self.control("faults", list(rules))

    def received(self) -> list[dict[str, Any]]:
        return self.control("received")["received"]


def provider_settings(url: str) -> dict[str, Any]:
    return {
        "TWILIO_ACCOUNT_SID": "ACtest",
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_MESSAGING_SERVICE_SID": "MGtest",
        "TWILIO_API_BASE_URL": url,
        "ZALO_APP_ID": "test-app",
        "ZALO_APP_SECRET": "test-app-secret",
        "ZALO_OA_SECRET": "test-oa-secret",
        "ZALO_OAUTH_BASE_URL": url,
        "ZALO_OPENAPI_BASE_URL": url,
        "ZALO_BUSINESS_BASE_URL": url,
        "OUTREACH_PUBLIC_BASE_URL": PUBLIC_BASE,
        "OUTREACH_SEND_WINDOW": "00:00-24:00",
        "OUTREACH_HTTP_TIMEOUT": 1.0,
        "OUTREACH_SENDERS": {
            "sms": {"rate": 1000, "daily_quota": None},
            "zalo_zns": {"rate": 1000, "daily_quota": 5000},
            "zalo_oa": {"rate": 1000, "daily_quota": None},
        },
        "OUTREACH_LIMIT_PREFIX": "test-outreach",
        "OUTREACH_RETRY_BASE_SECONDS": 0.0,
    }


def reset_caches() -> None:
    routing.clear_caches()
    limits.limiter.cache_clear()


@pytest.fixture
def fake(fake_server, request):
    if "committed_db" not in request.fixturenames:
        request.getfixturevalue("db")
    url = f"http://127.0.0.1:{fake_server.server_address[1]}"
    requests.post(f"{url}/_control/reset", timeout=5)
    with override_settings(**provider_settings(url)):
        reset_caches()
        limits.limiter().reset()
        yield Fake(url=url, server=fake_server)
    reset_caches()


def zalo_tokens(fake: Fake, *, expires_in: int = 90000) -> ProviderToken:
    access, refresh = "access-1", "refresh-1"
    fake.control("tokens", {"access": [access], "refresh": [refresh]})
    token = ProviderToken(
        provider="zalo",
        access_token=access,
        refresh_token=refresh,
        access_expires_at=timezone.now() + timezone.timedelta(seconds=expires_in),
    )
    token.save()
    return token


def user_with(role: str, username: str) -> User:
    user = factories.UserFactory(username=username)
    agency = Agency.objects.filter(kind=Agency.Kind.POLICE).first()
    membership = Membership.objects.create(user=user, agency=agency, role=role)
    if role == Role.COMMUNE_POLICE:
        membership.units.add(factories.commune())
    return user


@pytest.fixture
def officer(db) -> User:
    return user_with(Role.COMMUNE_POLICE, "cong-an-xa")


@pytest.fixture
def editor(db) -> User:
    return user_with(Role.CONTENT_EDITOR, "bien-tap")


@pytest.fixture
def approver(db) -> User:
    return user_with(Role.PROVINCIAL_POLICE, "cong-an-tinh")


@pytest.fixture
def manager(db) -> User:
    return user_with(Role.OUTREACH_MANAGER, "truyen-thong")


def person_with_consent(officer: User, phone: str, *, channel: str = "", name: str = "Lò Văn Pàng"):
    case = factories.make_case(officer, factories.make_person(officer, phone=phone, full_name=name))
    if channel is not None:
        services.consent_record(
            actor=officer,
            person=case.person,
            purpose=Consent.Purpose.OUTREACH,
            channel=channel,
            evidence="Phiếu đồng ý nhận tin",
        )
    return case.person


def approved_content(editor: User, approver: User, **values: Any) -> ContentItem:
    data = {
        "kind": ContentItem.Kind.POLICY,
        "title": "Chính sách vay vốn tạo việc làm",
        "body": "Chào ((ten)), Ngân hàng Chính sách xã hội tại ((xa)) hỗ trợ vay vốn tạo việc làm.",
        "sms_text": "",
        "zns_template_id": "tpl-1",
        "zns_params": {"ten": "((ten))"},
    }
    data.update(values)
    item = content_services.content_save(actor=editor, **data)
    content_services.content_submit(actor=editor, item=item)
    return content_services.content_approve(actor=approver, item=item, override_reason="kiểm thử")


def running_campaign(
    manager: User, approver: User, content: ContentItem, *, channels: list[str], **filters: Any
) -> Campaign:
    segment = campaign_services.segment_save(actor=manager, name="Nhóm thử", filters=filters)
    campaign = campaign_services.campaign_save(
        actor=manager, name="Chiến dịch thử", content=content, segment=segment, channels=channels
    )
    campaign_services.campaign_submit(actor=manager, campaign=campaign)
    campaign_services.campaign_approve(actor=approver, campaign=campaign)
    return campaign


def launch_and_write(manager: User, campaign: Campaign) -> int:
    """Launch, then write the outbox (on_commit never fires inside a test transaction)."""
    campaign_services.campaign_launch(actor=manager, campaign=campaign)
    campaign.refresh_from_db()
    return campaign_services.campaign_write_outbox(campaign=campaign)


def payload(name: str) -> Any:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "fixtures" / "outreach" / name
    return json.loads(path.read_text(encoding="utf-8"))
