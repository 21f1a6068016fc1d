"""Reference data: the real units of Sơn La, the old→new map, agencies and their 2025 successors,
need-type responsibilities over time, working days."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.errors import ApplicationError
from registry.models import AdministrativeUnit as U
from registry.models import Agency, NeedType, PublicHoliday
from registry.selectors import agencies_for_need, need_type_responsibility, unit_responsible_today
from registry.services.reference import reference_data_load
from registry.workdays import add_months, add_working_days
from tests import factories

pytestmark = pytest.mark.django_db


class UnitTests:
    def test_both_lists_are_loaded(self) -> None:
        assert U.objects.filter(unit_list="2025", level="commune").count() == 75
        assert U.objects.filter(unit_list="2025", level="commune", unit_type="Phường").count() == 8
        assert U.objects.filter(unit_list="pre2025", level="district").count() == 12
        assert U.objects.filter(unit_list="pre2025", level="commune").count() == 200
        assert not U.objects.filter(
            unit_list="pre2025", level="commune", successor__isnull=True
        ).exists()

    def test_a_reused_code_names_two_places(self) -> None:
        old = U.objects.get(unit_list="pre2025", level="commune", code="03646")
        new = U.objects.get(unit_list="2025", level="commune", code="03646")
        assert (old.full_name, new.full_name) == ("Phường Chiềng Lề", "Phường Tô Hiệu")
        assert old.successor == new

    @pytest.mark.parametrize(
        ("commune", "district", "expected"),
        [
            ("Phường Chiềng Lề", "Thành phố Sơn La", "Phường Tô Hiệu"),
            ("chieng le", None, "Phường Tô Hiệu"),
            ("03646", None, "Phường Tô Hiệu"),
            ("Xã Mường Lạn", "Huyện Sốp Cộp", "Xã Mường Lạn"),
            ("Tô Hiệu", None, "Phường Tô Hiệu"),
            # Phường Chiềng An and Xã Chiềng Ân fold to the same letters: diacritics decide,
            # and without them today's commune of that name.
            ("Xã Chiềng Ân", None, "Xã Chiềng Hoa"),
            ("Phường Chiềng An", None, "Phường Chiềng An"),
            ("chieng an", None, "Phường Chiềng An"),
            ("Chiềng Ân", "Huyện Mường La", "Xã Chiềng Hoa"),
        ],
    )
    def test_the_responsible_commune_today(self, commune, district, expected) -> None:
        assert unit_responsible_today(commune=commune, district=district).full_name == expected

    def test_a_name_shared_by_several_districts_needs_the_district(self) -> None:
        names = U.objects.filter(unit_list="pre2025", level="commune").values_list(
            "folded_name", flat=True
        )
        current = set(
            U.objects.filter(unit_list="2025", level="commune").values_list(
                "folded_name", flat=True
            )
        )
        shared = next(n for n in names if list(names).count(n) > 1 and n not in current)
        with pytest.raises(ApplicationError, match="huyện"):
            unit_responsible_today(commune=shared)

    def test_an_unknown_commune_is_refused(self) -> None:
        with pytest.raises(ApplicationError) as caught:
            unit_responsible_today(commune="Xã Không Có")
        assert caught.value.extra["code"] == "unit_not_found"

    def test_loading_twice_changes_nothing(self) -> None:
        before = (
            U.objects.count(),
            Agency.objects.count(),
            NeedType.objects.count(),
            PublicHoliday.objects.count(),
        )
        reference_data_load()
        assert before == (
            U.objects.count(),
            Agency.objects.count(),
            NeedType.objects.count(),
            PublicHoliday.objects.count(),
        )


class AgencyTests:
    def test_the_2025_restructuring_is_recorded(self) -> None:
        labour = Agency.objects.get(code="so-ldtbxh")
        assert labour.successor.code == "so-noi-vu"
        assert labour.valid_to == dt.date(2025, 2, 28)
        assert Agency.objects.get(code="so-tttt").successor.code == "so-khcn"

    def test_every_commune_has_its_police_and_committee(self) -> None:
        assert Agency.objects.filter(level="commune", kind="police").count() == 75
        assert Agency.objects.filter(level="commune", kind="commune_committee").count() == 75

    def test_judicial_records_move_to_the_police_on_1_july_2026(self) -> None:
        records = NeedType.objects.get(code="judicial_record")
        assert (
            need_type_responsibility(need_type=records, on=dt.date(2026, 6, 30)).agency_kind
            == "justice"
        )
        assert (
            need_type_responsibility(need_type=records, on=dt.date(2026, 7, 1)).agency_kind
            == "police_records"
        )

    def test_agencies_proposed_for_a_need(self) -> None:
        alice = factories.UserFactory(username="alice")
        case = factories.make_case(alice, commune_name="Mường Lạn")
        residence = factories.make_need(alice, case, "residence")
        proposed = list(agencies_for_need(need=residence, on=dt.date(2026, 11, 27)))
        assert proposed[0].jurisdiction == case.commune and proposed[0].kind == "police"
        job = factories.make_need(alice, case, "job")
        assert [a.code for a in agencies_for_need(need=job, on=dt.date(2026, 11, 27))] == [
            "so-noi-vu"
        ]
        assert [a.code for a in agencies_for_need(need=job, on=dt.date(2025, 1, 10))] == [
            "so-ldtbxh"
        ]


class WorkingDayTests:
    @pytest.mark.parametrize(
        ("start", "days", "due"),
        [
            (dt.date(2026, 11, 23), 3, dt.date(2026, 11, 26)),  # Monday + 3 → Thursday
            (dt.date(2026, 11, 26), 3, dt.date(2026, 12, 1)),  # Thursday + 3 skips the weekend
            (dt.date(2026, 11, 28), 1, dt.date(2026, 11, 30)),  # from a Saturday
            (dt.date(2026, 4, 29), 2, dt.date(2026, 5, 5)),  # 30/4 and 1/5 are holidays
            (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 23)),  # the Tết week is off
            (dt.date(2026, 11, 23), 0, dt.date(2026, 11, 23)),
        ],
    )
    def test_deadlines_skip_weekends_and_holidays(self, start, days, due) -> None:
        assert add_working_days(start, days) == due

    def test_holidays_are_data(self) -> None:
        assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 25)
        PublicHoliday.objects.create(date=dt.date(2026, 12, 25), name="Ngày nghỉ thử")
        assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)

    def test_months_are_added_with_month_end_clamping(self) -> None:
        assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
        assert add_months(dt.date(2023, 3, 1), 24) == dt.date(2025, 3, 1)
