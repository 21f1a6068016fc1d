"""Shared fixtures: a throwaway keyring for the whole run, the reference data loaded once, and the
personas used across tests."""

from __future__ import annotations

import pytest
from django.test import override_settings

from registry import crypto
from registry.services.reference import reference_data_load


@pytest.fixture(scope="session", autouse=True)
def test_keyring():
    """Fresh random keys for this run: tests never read var/ and never use development keys."""
    with override_settings(
        FIELD_ENCRYPTION_KEYS=f"test1:{crypto.new_key()}",
        BLIND_INDEX_KEY=crypto.new_key(),
        ENCRYPTION_DEV_KEYS=False,
    ):
        yield crypto.keyring()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_load()


@pytest.fixture(scope="session", autouse=True)
def test_overrides():
    """Argon2 stays the production hasher (test_sign_in checks it); tests hash fast, no TLS."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
    ):
        yield
