"""Shared fixtures: a throwaway keyring for the whole run, the reference data loaded once, and the
personas used across tests."""

from __future__ import annotations

import pytest
from django.test import override_settings

from registry import crypto, dbroles
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
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created and migrated by the owner role (DATABASE_URL's)."""
    from django.conf import settings
    from django.db import connections

    owner = settings.DATABASE_OWNER
    connections["default"].settings_dict.update(
        USER=owner["USER"], PASSWORD=owner.get("PASSWORD", "")
    )


def _act_as_runtime(sender, connection, **kwargs) -> None:
    role = dbroles._set_role_mode.get(connection.alias)
    if role:
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then every test runs with the runtime role's privileges (SET ROLE on each connection: the
    tests that need the owner step back with ``dbroles.as_owner``; production logs in as the
    runtime role itself, see tests/registry/test_database_roles.py)."""
    from django.core.management.commands import flush
    from django.db import connections
    from django.db.backends.signals import connection_created

    original_flush = flush.Command.handle

    def flush_as_owner(self, **options):  # Django empties the database between committed tests
        with dbroles.as_owner(options.get("database", "default")):
            return original_flush(self, **options)

    with django_db_blocker.unblock():
        runtime = dbroles.runtime_user()
        if runtime:
            dbroles.use_set_role("default", runtime)
            connection_created.connect(_act_as_runtime)
            flush.Command.handle = flush_as_owner
            connections["default"].close()
        reference_data_load()
    yield
    with django_db_blocker.unblock():
        connection_created.disconnect(_act_as_runtime)
        dbroles.use_set_role("default", None)
        flush.Command.handle = original_flush
        connections["default"].close()


@pytest.fixture(scope="session", autouse=True)
def test_overrides():
    """Argon2 stays the production hasher (test_sign_in checks it); tests hash fast, no TLS."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECURE_SSL_REDIRECT=False,
        # Tests clear the cache; never flush a Redis database someone else may be using.
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        # Figures counted on every page, as a test that changes rows between two pages expects;
        # tests/registry/test_counts_kept.py turns the keeping on.
        COUNTS_SECONDS=0,
    ):
        yield


# --- Tests that need committed rows (other threads or processes read them) ----------------------
# Django empties the database after such a test with TRUNCATE, which the access log and the change
# log refuse by design. ``committed_db`` lifts those triggers (as the owner) for the flush; the
# next test puts them back and reloads the reference data the flush removed.
_TRUNCATE_GUARD = (
    "ALTER TABLE registry_accessevent {0} TRIGGER registry_accessevent_no_truncate; "
    "ALTER TABLE registry_changelog {0} TRIGGER registry_changelog_no_truncate"
)
_guard_lifted = False


@pytest.fixture
def committed_db(transactional_db):
    global _guard_lifted
    yield
    from django.db import connection

    with dbroles.as_owner(), connection.cursor() as cursor:
        cursor.execute(_TRUNCATE_GUARD.format("DISABLE"))
    _guard_lifted = True


@pytest.fixture(autouse=True)
def _truncate_guard_restored(django_db_blocker):
    global _guard_lifted
    if _guard_lifted:
        _guard_lifted = False
        # In a thread of its own: a browser test may be running an event loop in this one, where
        # Django refuses database calls.
        import threading

        from django.db import connection

        def restore() -> None:
            try:
                with dbroles.as_owner(), connection.cursor() as cursor:
                    cursor.execute(_TRUNCATE_GUARD.format("ENABLE"))
                reference_data_load()
            finally:
                connection.close()

        with django_db_blocker.unblock():
            worker = threading.Thread(target=restore)
            worker.start()
            worker.join()
    yield
