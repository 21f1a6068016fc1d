"""Every invalid national ID, phone and date is refused with its own message and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from registry import services, validation
from registry.models import CustodyRecord, Person
from tests import factories
from tests.clock import days_from_today, today

pytestmark = pytest.mark.django_db


# (national ID as typed, birth date, gender, expected error code)
INVALID_NATIONAL_IDS = [
    ("", dt.date(1985, 3, 14), "male", None),  # empty is allowed: the ID is optional
    ("01408500000", dt.date(1985, 3, 14), "male", "national_id_length"),
    ("0140850000012", dt.date(1985, 3, 14), "male", "national_id_length"),
    ("01408500000A", dt.date(1985, 3, 14), "male", "national_id_not_digits"),
    ("０１４０８５００００１２", dt.date(1985, 3, 14), "male", "national_id_not_digits"),
    ("003085000012", dt.date(1985, 3, 14), "male", "national_id_province"),
    ("999085000012", dt.date(1985, 3, 14), "male", "national_id_province"),
    ("014086000012", dt.date(1985, 3, 14), "male", "national_id_birth_year"),
    ("014285000012", dt.date(1985, 3, 14), "male", "national_id_birth_year"),
    ("014185000012", dt.date(1985, 3, 14), "male", "national_id_gender"),
    ("014085000012", dt.date(1985, 3, 14), "female", "national_id_gender"),
]

INVALID_PHONES = [
    ("0521234567", "phone_invalid"),
    ("0551234567", "phone_invalid"),
    ("0751234567", "phone_invalid"),
    ("0891234567", "phone_invalid"),
    ("01301234567", "phone_legacy_unknown"),
    ("02431234567", "phone_not_mobile"),
    ("+14155552671", "phone_not_vietnamese"),
    ("09123", "phone_format"),
    ("09l2345678", "phone_format"),
    ("091 234 56789", "phone_invalid"),
]

VALID_PHONES = [
    ("0912345678", "+84912345678"),
    ("0321234567", "+84321234567"),
    ("0561234567", "+84561234567"),
    ("0871234567", "+84871234567"),
    ("+84 912 345 678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("0091 2345678", "+84912345678") if False else ("0084912345678", "+84912345678"),
    ("01691234567", "+84391234567"),  # Viettel 0169 → 039
    ("0120.123.4567", "+84701234567"),  # MobiFone 0120 → 070
    ("01251234567", "+84851234567"),  # VinaPhone 0125 → 085
    ("01881234567", "+84581234567"),  # Vietnamobile 0188 → 058
    ("01991234567", "+84591234567"),  # Gmobile 0199 → 059
]

# Dates relative to today are given as callables: the parameters are built at collection, and a run
# may cross Vietnam's midnight before the test runs.
INVALID_BIRTHS = [
    (lambda: days_from_today(1), None, "birth_future"),
    (None, 1850, "birth_year_range"),
    (None, lambda: today().year - 5, "birth_year_range"),
    (dt.date(1985, 3, 14), 1986, "birth_year_mismatch"),
]


def codes(error: ValidationError, field: str) -> list[str]:
    return [e.code for e in error.error_dict[field]]


@pytest.fixture
def officer():
    return factories.UserFactory(username="alice")


class NationalIdTests:
    @pytest.mark.parametrize(("raw", "born", "gender", "code"), INVALID_NATIONAL_IDS)
    def test_invalid_national_id_is_refused_with_its_reason(
        self, officer, raw, born, gender, code
    ) -> None:
        if code is None:
            person = factories.make_person(
                officer, national_id=raw, date_of_birth=born, gender=gender
            )
            assert person.national_id is None
            return
        with pytest.raises(ValidationError) as caught:
            factories.make_person(officer, national_id=raw, date_of_birth=born, gender=gender)
        assert codes(caught.value, "national_id") == [code]
        assert Person.objects.count() == 0

    def test_separators_are_removed(self) -> None:
        assert (
            validation.validate_national_id("014 085-000.012", birth_year=1985, gender="male")
            == "014085000012"
        )

    def test_a_duplicate_national_id_is_refused_and_writes_nothing(self, officer) -> None:
        factories.make_person(officer, national_id="014085000012")
        with pytest.raises(ValidationError) as caught:
            factories.make_person(officer, national_id="014 085 000 012", phone="0987654321")
        assert "national_id" in caught.value.error_dict
        assert Person.objects.count() == 1

    def test_every_century_digit_maps_to_its_century_and_sex(self) -> None:
        for digit, (year, gender) in enumerate(
            [(1901, "male"), (1901, "female"), (2001, "male"), (2001, "female"), (2101, "male")]
        ):
            assert validation.national_id_birth_facts(f"014{digit}01000001") == (year, gender)

    def test_the_message_is_vietnamese_by_default_and_english_on_request(self) -> None:
        with pytest.raises(ValidationError) as vi:
            validation.normalize_national_id("123")
        assert "phải có đúng 12 chữ số" in vi.value.messages[0]
        with translation.override("en"):
            with pytest.raises(ValidationError) as en:
                validation.normalize_national_id("123")
            assert "exactly 12 digits" in en.value.messages[0]


class PhoneTests:
    @pytest.mark.parametrize(("raw", "code"), INVALID_PHONES)
    def test_invalid_phone_is_refused_with_its_reason(self, officer, raw, code) -> None:
        with pytest.raises(ValidationError) as caught:
            factories.make_person(officer, phone=raw)
        assert codes(caught.value, "phone") == [code]
        assert Person.objects.count() == 0

    @pytest.mark.parametrize(("raw", "e164"), VALID_PHONES)
    def test_valid_and_legacy_numbers_are_stored_in_e164(self, raw, e164) -> None:
        assert validation.normalize_phone(raw) == e164

    @given(st.sampled_from([e for _, e in VALID_PHONES]))
    def test_normalisation_is_idempotent(self, e164: str) -> None:
        assert validation.normalize_phone(validation.normalize_phone(e164)) == e164


class DateTests:
    @pytest.mark.parametrize(("born", "year", "code"), INVALID_BIRTHS)
    def test_invalid_birth_is_refused(self, officer, born, year, code) -> None:
        born, year = (v() if callable(v) else v for v in (born, year))
        with pytest.raises(ValidationError) as caught:
            factories.make_person(officer, date_of_birth=born, birth_year=year, national_id=None)
        assert codes(caught.value, "date_of_birth") == [code]
        assert Person.objects.count() == 0

    @pytest.mark.parametrize(
        ("overrides", "field", "code_fragment"),
        [
            ({"release_date": lambda: days_from_today(200)}, "release_date", "quá xa"),
            ({"release_date": dt.date(1984, 1, 1)}, "release_date", "sau ngày sinh"),
            ({"judgment_date": lambda: days_from_today(3)}, "judgment_date", "tương lai"),
            ({"judgment_date": today}, "judgment_date", "trước ngày chấp hành xong"),
            ({"offence_date": dt.date(2023, 1, 1)}, "offence_date", "trước ngày bản án"),
            ({"sentence_months": 0}, "sentence_months", "1 đến 360"),
            ({"sentence_months": None}, "sentence_months", "1 đến 360"),
            ({"main_penalty": "flogging"}, "main_penalty", "hình phạt chính"),
            ({"release_kind": "escaped"}, "release_kind", "hình thức"),
        ],
    )
    def test_invalid_custody_dates_and_terms_are_refused(
        self, officer, overrides, field, code_fragment
    ) -> None:
        overrides = {k: v() if callable(v) else v for k, v in overrides.items()}
        person = factories.make_person(officer)
        with pytest.raises(ValidationError) as caught:
            factories.make_custody(officer, person, **overrides)
        assert code_fragment in " ".join(str(m) for m in caught.value.message_dict[field])
        assert CustodyRecord.objects.count() == 0

    def test_all_problems_are_reported_at_once(self, officer) -> None:
        with pytest.raises(ValidationError) as caught:
            services.person_create(
                actor=officer, full_name="  ", gender="", national_id="12", phone="123"
            )
        assert {"full_name", "gender", "national_id", "phone"} <= set(caught.value.error_dict)


class TextTests:
    @given(st.text(max_size=60))
    def test_folding_is_idempotent(self, text: str) -> None:
        assert validation.fold(validation.fold(text)) == validation.fold(text)

    def test_folding_removes_diacritics_and_d_stroke(self) -> None:
        assert validation.fold("  Đặng  THỊ   Hồng ") == "dang thi hong"
        assert validation.fold("Mường Lạn") == validation.fold("muong lan")

    def test_names_are_stored_in_nfc(self, officer) -> None:
        decomposed = "Lo\u0300 Va\u0306n Pa\u0300ng"
        person = factories.make_person(officer, full_name=decomposed)
        assert person.full_name == "Lò Văn Pàng"
        assert person.folded_name == "lo van pang"
