"""Expungement dates (Penal Code art. 70, 71, 107), computed from the periods stored as data."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.expungement import compute_expungement
from registry.models import ExpungementPeriod
from tests import factories

pytestmark = pytest.mark.django_db
RELEASE = dt.date(2024, 3, 1)


def compute(**overrides):
    data = dict(
        release_date=RELEASE,
        main_penalty="prison",
        sentence_months=36,
        additional_penalty_months=None,
        obligations_fulfilled=True,
        penal_code_articles="249",
        offence_date=None,
        date_of_birth=dt.date(1985, 1, 1),
        periods=ExpungementPeriod.objects.all(),
    )
    data.update(overrides)
    return compute_expungement(**data)


class ExpungementTests:
    @pytest.mark.parametrize(
        ("penalty", "months", "eligible"),
        [
            ("suspended", None, dt.date(2025, 3, 1)),  # band a: 1 year
            ("prison", 60, dt.date(2026, 3, 1)),  # band b: ≤ 5 years → 2 years
            ("prison", 61, dt.date(2027, 3, 1)),  # band c: > 5 years → 3 years
            ("prison", 180, dt.date(2027, 3, 1)),
            ("prison", 181, dt.date(2029, 3, 1)),  # band d: > 15 years → 5 years
            ("life", None, dt.date(2029, 3, 1)),
        ],
    )
    def test_each_band_of_article_70(self, penalty, months, eligible) -> None:
        assert compute(main_penalty=penalty, sentence_months=months).eligible_on == eligible

    def test_unpaid_obligations_mean_no_date(self) -> None:
        result = compute(obligations_fulfilled=False)
        assert result.eligible_on is None and "nghĩa vụ dân sự" in result.explanation

    def test_a_longer_additional_penalty_delays_it(self) -> None:
        assert compute(additional_penalty_months=30).eligible_on == dt.date(2026, 9, 1)
        assert compute(additional_penalty_months=12).eligible_on == dt.date(2026, 3, 1)

    def test_national_security_crimes_follow_article_71(self) -> None:
        result = compute(penal_code_articles="Điều 117")
        assert result.eligible_on == dt.date(2027, 3, 1) and "Điều 71" in result.explanation

    def test_juveniles_follow_article_107(self) -> None:
        assert compute(offence_date=dt.date(2002, 6, 1)).eligible_on == dt.date(2025, 3, 1)
        assert (
            compute(offence_date=dt.date(2000, 6, 1)).eligible_on == RELEASE
        )  # under 16: no record

    def test_periods_are_data(self) -> None:
        ExpungementPeriod.objects.filter(article="70", band="b").update(wait_months=30)
        assert compute().eligible_on == dt.date(2026, 9, 1)

    def test_the_custody_record_stores_the_date_and_how_it_was_computed(self) -> None:
        alice = factories.UserFactory(username="alice")
        record = factories.make_custody(
            alice,
            factories.make_person(alice),
            release_date=RELEASE,
            certificate_date=RELEASE,
            sentence_months=36,
        )
        assert record.expungement_eligible_date == dt.date(2026, 3, 1)
        assert "khung b" in record.expungement_explanation
