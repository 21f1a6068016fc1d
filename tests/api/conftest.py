from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from registry.models import Membership
from registry.services.tokens import api_token_issue
from tests import factories


@pytest.fixture
def api():
    return APIClient()


def token_client(user, role: str, agency, units=()) -> APIClient:
    """An API client authenticated with a fresh token of a user holding ``role``."""
    membership, _ = Membership.objects.get_or_create(user=user, role=role, agency=agency)
    membership.units.add(*units)
    _, secret = api_token_issue(actor=user, user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def builder():
    return factories.UserFactory(username="builder")
