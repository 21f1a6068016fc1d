"""bench-load's scenario: the staff page mix of a busy hour (issue 20). Commune police officers of
different communes open their home page, search a person, open a case, read their worklist and
their case list; agency officers (Home Affairs, the bank, Justice) open their home page, their
inbox and a referral. Sessions are signed in with the second factor verified, prepared by
bench/bench_load.py (var/bench/load-users.json).

Every task carries a tag naming its page, so that bench_load.py can run one page alone
(``--tags case``) to measure the server's CPU per request of that page.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, tag, task

USERS = json.loads(open(os.environ["BENCH_LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
_police = itertools.cycle([u for u in USERS if u["kind"] == "police"])
_agency = itertools.cycle([u for u in USERS if u["kind"] == "agency"])


class Staff(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def page(self, path: str, name: str, data: dict[str, str] | None = None) -> None:
        # Only a 200 counts: a redirect to the sign-in page is a failure, not a fast page.
        method = self.client.post if data is not None else self.client.get
        kwargs = {"data": data, "headers": {"X-CSRFToken": self.csrf}} if data is not None else {}
        with method(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    def sign_in(self, me: dict) -> None:
        self.me = me
        self.csrf = me["csrf"]
        self.client.cookies.set("sessionid", me["session"])
        self.client.cookies.set("csrftoken", me["csrf"])

    @tag("healthz")
    @task(1)
    def health(self) -> None:
        self.page("/healthz", "healthz (baseline)")


class CommuneOfficer(Staff):
    weight = 4

    def on_start(self) -> None:
        self.sign_in(next(_police))

    @tag("home")
    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @tag("worklist")
    @task(3)
    def worklist(self) -> None:
        self.page("/worklist/", "worklist")

    @tag("case")
    @task(4)
    def case(self) -> None:
        self.page(f"/cases/{random.choice(self.me['cases'])}/", "case page")

    @tag("cases")
    @task(2)
    def cases(self) -> None:
        self.page("/cases/", "case list")

    @tag("search")
    @task(2)
    def search(self) -> None:
        self.page("/search/", "search by name", {"q": random.choice(self.me["names"])})


class AgencyOfficer(Staff):
    weight = 1

    def on_start(self) -> None:
        self.sign_in(next(_agency))

    @tag("home")
    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @tag("inbox")
    @task(4)
    def inbox(self) -> None:
        self.page("/inbox/", "inbox")

    @tag("referral")
    @task(3)
    def referral(self) -> None:
        if self.me["referrals"]:
            self.page(f"/referrals/{random.choice(self.me['referrals'])}/", "referral")
