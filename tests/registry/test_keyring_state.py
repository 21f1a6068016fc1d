"""The keyring checked against the database (issue 21): a keyring that lacks a key id in use, or
whose primary is not the newest, is not ready; an old primary may not seal anything."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import override_settings

from registry import crypto
from registry.services.keys import StaleKeyringError, keyring_check
from tests import factories


@pytest.fixture
def rings():
    old = settings.FIELD_ENCRYPTION_KEYS
    new = f"k9:{crypto.new_key()}"
    return {"old": old, "new+old": f"{new},{old}", "new": new}


def use(spec: str):
    return override_settings(FIELD_ENCRYPTION_KEYS=spec)


@pytest.mark.django_db
class KeyringStateTests:
    def test_the_suite_keyring_is_ready(self):
        status = keyring_check(force=True)
        assert status.ready and status.checked and status.reason == ""

    def test_after_a_newer_primary_the_old_keyring_is_not_ready_and_cannot_write(
        self, rings, client
    ):
        officer = factories.UserFactory(username="ca-xa-keys")
        with use(rings["new+old"]):
            assert keyring_check(force=True).ready
        with use(rings["old"]):
            status = keyring_check(force=True)
            assert not status.ready and not status.writable
            assert status.missing == ["k9"] and status.newest == "k9"
            with pytest.raises(StaleKeyringError, match="không phải khóa mới nhất 'k9'"):
                factories.make_person(officer)
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["keyring"]["newest"] == "k9"
        with use(rings["new+old"]):
            assert factories.make_person(officer).pk

    def test_a_keyring_without_a_key_still_in_use_is_not_ready_but_may_write(self, rings):
        officer = factories.UserFactory(username="ca-xa-keys2")
        factories.make_person(officer)  # sealed with the suite's key
        with use(rings["new"]):
            status = keyring_check(force=True)
            assert status.writable and not status.ready
            assert status.missing == [
                crypto.keyring_from_config(rings["old"], settings.BLIND_INDEX_KEY).primary_id
            ]
            assert "thiếu khóa" in status.reason

    def test_a_web_write_on_an_old_keyring_answers_503_not_500(self, rings, client):
        from registry.middleware import StaleKeyringMiddleware

        with use(rings["new+old"]):
            keyring_check(force=True)
        with use(rings["old"]):
            middleware = StaleKeyringMiddleware(lambda request: None)
            request = client.get("/healthz").wsgi_request
            response = middleware.process_exception(request, StaleKeyringError("x"))
            assert response.status_code == 503 and "bộ khóa mã hóa cũ" in response.content.decode()
