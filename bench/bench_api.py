"""make bench-api: four API endpoints on PostgreSQL with BENCH_PEOPLE seeded cases, each beside a
bare Django view returning the same rows and columns by raw SQL (bench/bare_views.py), measured
alternately in one run.

- the scoped case list of a commune officer (50 rows);
- a case detail (decryption of its encrypted fields and its audit row included);
- a lookup by national ID through the blind index;
- the referral worklist of a Social Policy Bank officer (50 rows).

Requests go through the whole Django stack (middleware, token authentication, throttling) with the
test client. Targets (DESIGN.md §6): p95 ≤ 150 ms, ≤ 100 ms, ≤ 50 ms; the bank worklist as the list.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import bench_env, seeded_database, summary  # noqa: E402

# Server time budgets at 1,000,000 people (DESIGN.md §6), printed beside each measure.
BUDGET_P95_MS = {
    "case_list": 150,
    "case_detail": 100,
    "national_id_lookup": 50,
    "bank_referral_worklist": 150,
}


def main() -> None:
    people = int(os.environ.get("BENCH_PEOPLE", "1000000"))
    url = seeded_database("bench_seed", people)
    os.environ.update(bench_env(url))
    os.environ.update(
        {
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "API_RATE_USER": "1000000/min",
            "API_RATE_TOKEN": "1000000/min",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django

    django.setup()
    from django.test import Client, override_settings

    from registry import crypto
    from registry.models import AdministrativeUnit, Agency, Case, Membership, Role, User
    from registry.services.tokens import api_token_issue

    commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
    police = Agency.objects.get(level="commune", kind="police", jurisdiction=commune)
    bank = Agency.objects.get(code="nhcsxh-son-la")

    def token_for(username: str, role: str, agency: Agency, units=()) -> str:
        user, _ = User.objects.get_or_create(username=username)
        membership, _ = Membership.objects.get_or_create(user=user, role=role, agency=agency)
        membership.units.set(units)
        return "Token " + api_token_issue(actor=user, user=user, name="bench")[1]

    officer = token_for("bench-api-officer", Role.COMMUNE_POLICE, police, [commune])
    banker = token_for("bench-api-bank", Role.SOCIAL_POLICY_BANK, bank)
    case = Case.objects.filter(commune=commune).select_related("person").order_by("-id").first()
    national_id = case.person.national_id
    digest = crypto.keyring().blind_index("person.national_id", national_id)

    def shown(path: str, token: str) -> str:
        """The columns the API returns to that reader: the bare view selects the same."""
        first = client.get(path, HTTP_AUTHORIZATION=token).json()["results"][0]
        return ",".join(first)

    client = Client()
    case_fields = shown("/api/v1/cases/?page_size=50", officer)
    referral_fields = shown("/api/v1/referrals/?page_size=50", banker)
    scenarios = {
        "case_list": (
            ("/api/v1/cases/?page_size=50", officer),
            (f"/bare/cases/?commune_id={commune.pk}&fields={case_fields}", None),
        ),
        "case_detail": (
            (f"/api/v1/cases/{case.uuid}/", officer),
            (f"/bare/cases/{case.uuid}/", None),
        ),
        "national_id_lookup": (
            ("/api/v1/people/search/", officer),
            (f"/bare/people/?digest={digest}", None),
        ),
        "bank_referral_worklist": (
            ("/api/v1/referrals/?page_size=50", banker),
            (f"/bare/referrals/?agency_id={bank.pk}&fields={referral_fields}", None),
        ),
    }
    samples = int(os.environ.get("BENCH_SAMPLES", "200"))
    results = {}
    with override_settings(ROOT_URLCONF="bench.bare_views"):
        for name, ((api_url, token), (bare_url, _)) in scenarios.items():
            timings: dict[str, list[float]] = {"api": [], "bare_sql_view": []}
            for _ in range(10):
                assert client.get(bare_url).status_code == 200, bare_url
            for _ in range(samples):
                for kind, (target, auth) in (
                    ("api", (api_url, token)),
                    ("bare_sql_view", (bare_url, None)),
                ):
                    headers = {"HTTP_AUTHORIZATION": auth} if auth else {}
                    started = time.perf_counter()
                    if target.endswith("/search/"):
                        response = client.post(
                            target,
                            {"national_id": national_id},
                            content_type="application/json",
                            **headers,
                        )
                    else:
                        response = client.get(target, **headers)
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (target, response.status_code)
            api, bare = summary(timings["api"]), summary(timings["bare_sql_view"])
            results[name] = {
                "api": api,
                "bare_sql_view": bare,
                "ratio_median": round(api["median_ms"] / bare["median_ms"], 2),
                "ratio_p95": round(api["p95_ms"] / bare["p95_ms"], 2),
                "budget_p95_ms": BUDGET_P95_MS[name],
                "met": {
                    "budget": api["p95_ms"] <= BUDGET_P95_MS[name],
                    "within_5x_of_bare_sql": api["median_ms"] <= 5 * bare["median_ms"],
                },
            }
    print(
        json.dumps(
            {
                "benchmark": "api",
                "cases": Case.objects.count(),
                "results": results,
                "targets_p95_ms": BUDGET_P95_MS,
                "target_ratio_to_bare_sql": 5,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
