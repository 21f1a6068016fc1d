"""bench-load's scenario: commune police officers of different communes browsing their worklist,
their cases' timelines and their referrals, each with a signed-in, second-factor-verified session
prepared by bench/bench_load.py (var/bench/load-users.json)."""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

USERS = json.loads(open(os.environ["BENCH_LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
_next = itertools.cycle(USERS)


class Officer(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.me = next(_next)
        self.client.cookies.set("sessionid", self.me["session"])

    def page(self, path: str, name: str) -> None:
        # Only a 200 counts: a redirect to the sign-in page is a failure, not a fast page.
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    @task(3)
    def worklist(self) -> None:
        self.page("/worklist/", "worklist")

    @task(3)
    def case(self) -> None:
        if self.me["cases"]:
            self.page(f"/cases/{random.choice(self.me['cases'])}/", "case timeline")

    @task(2)
    def cases(self) -> None:
        self.page("/registry/cases/", "case list")

    @task(2)
    def referrals(self) -> None:
        self.page("/registry/referrals/", "referral list")

    @task(1)
    def health(self) -> None:
        self.page("/healthz", "healthz (baseline)")
