"""Zalo access-token refresh (issue 6): the refresh token is single-use, so two workers that find
the token expiring at the same moment must refresh it once, and both must end up with the new
pair. Real threads, real database connections, the fake provider's OAuth endpoint."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from outreach.channels import zalo_access_token
from outreach.models import ProviderToken
from tests.outreach.conftest import zalo_tokens


@pytest.mark.usefixtures("committed_db")
class ZaloTokenRefreshTests:
    def test_two_concurrent_workers_refresh_once_and_share_the_new_pair(self, fake):
        zalo_tokens(fake, expires_in=60)  # inside the 5-minute refresh margin
        barrier = threading.Barrier(2)
        results: list[str] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                results.append(zalo_access_token())
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        counts = fake.control("tokens")
        assert counts == {"refresh_calls": 1, "refused_refreshes": 0}
        token = ProviderToken.objects.get()
        assert results == [token.access_token, token.access_token]
        assert token.refreshes == 1
        assert token.access_expires_at > timezone.now() + dt.timedelta(hours=24)

    def test_a_fresh_token_is_not_refreshed(self, fake):
        zalo_tokens(fake)
        assert zalo_access_token() == "access-1"
        assert fake.control("tokens")["refresh_calls"] == 0

    def test_a_refused_token_is_refreshed_once_and_the_send_retried(self, fake):
        from outreach.channels import ZaloOaBackend
        from outreach.models import Channel, Message

        token = zalo_tokens(fake)
        fake.control("tokens", {"access": ["someone-else"], "refresh": ["refresh-1"]})
        message = Message(
            channel=Channel.ZALO_OA,
            destination="6295955865485264455",
            destination_index="x",
            body="Xin chào",
            next_attempt_at=timezone.now(),
        )
        assert ZaloOaBackend().send(message)
        token.refresh_from_db()
        assert token.refreshes == 1
