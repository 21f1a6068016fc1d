"""The header's and home page's figures are kept a short while per user (registry/counts.py,
issue 20): a second page counts nothing again; the user's own change shows on the next page; a
user of another scope never reads another's figures; an unreachable cache only costs the counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.clock import today
from tests.registry.test_casework_pages import NOTICE, officer_of

pytestmark = pytest.mark.django_db

AWAITED = "Người sắp về, chờ trình diện"


def awaited_on_home(client) -> tuple[int, int]:
    """The home card's figure of people awaited, and the SQL statements the page took."""
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/")
    assert page.status_code == 200
    found = re.search(r'app-card__figure">(\d+)</span>' + re.escape(AWAITED), page.content.decode())
    assert found, "the card of people awaited is on the home page"
    return int(found.group(1)), len(captured.captured_queries)


@override_settings(COUNTS_SECONDS=30)
def test_figures_are_kept_then_recounted_after_the_users_own_change(client) -> None:
    builder = factories.UserFactory(username="builder")
    factories.make_case(builder)  # one person awaited in Tô Hiệu
    factories.sign_in(client, officer_of("lan", "Tô Hiệu"))

    first, first_queries = awaited_on_home(client)
    again, again_queries = awaited_on_home(client)
    assert first == again == 1
    # Home's four cards and the header's five counts are not counted again.
    assert again_queries <= first_queries - 5

    # A search posts but changes nothing: the figures stay kept.
    assert client.post("/search/", {"q": "pang"}).status_code == 200
    assert awaited_on_home(client)[1] == again_queries

    data = {**NOTICE, "national_id": factories.national_id(1988), "release_date": str(today())}
    assert client.post("/cases/new/", data).status_code == 302
    after, after_queries = awaited_on_home(client)
    assert after == 2
    assert after_queries == first_queries


@override_settings(COUNTS_SECONDS=30)
def test_another_scope_counts_its_own(client) -> None:
    builder = factories.UserFactory(username="builder")
    factories.make_case(builder)  # Tô Hiệu
    factories.sign_in(client, officer_of("lan", "Tô Hiệu"))
    assert awaited_on_home(client)[0] == 1
    client.logout()
    factories.sign_in(client, officer_of("minh", "Mường Lạn"))
    assert awaited_on_home(client)[0] == 0


@override_settings(
    COUNTS_SECONDS=30,
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    },
)
def test_an_unreachable_cache_costs_only_the_counts(client, caplog) -> None:
    builder = factories.UserFactory(username="builder")
    factories.make_case(builder)
    factories.sign_in(client, officer_of("lan", "Tô Hiệu"))
    assert awaited_on_home(client)[0] == 1
    assert awaited_on_home(client)[0] == 1
    assert "counts cache unreachable" in caplog.text
