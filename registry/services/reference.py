"""Loading the reference data of ``fixtures/reference/`` (units, agencies, need types, holidays,
expungement periods, the words of release-notice files). Idempotent: rows are matched on their
natural keys and updated in place, so an administrator's later edits to other rows survive and
running it twice changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction

from registry.models import (
    AdministrativeUnit,
    Agency,
    DataSubjectRequestRule,
    ExpungementPeriod,
    ImportColumnAlias,
    ImportTerm,
    NeedType,
    NeedTypeResponsibility,
    PublicHoliday,
)
from registry.models.loans import JudicialRecordRule, LoanProgramme
from registry.validation import REFERENCE_DIR, fold

U = AdministrativeUnit
REFORM_DAY = dt.date(2025, 7, 1)  # Resolution 1681/NQ-UBTVQH15, Decision 19/2025/QĐ-TTg
_DISTRICT_TYPES = ("Thành phố", "Thị xã", "Huyện")
_COMMUNE_TYPES = ("Thị trấn", "Phường", "Xã")


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split_type(full_name: str, types: tuple[str, ...]) -> tuple[str, str]:
    for unit_type in types:
        if full_name.startswith(unit_type + " "):
            return unit_type, full_name[len(unit_type) + 1 :]
    raise ValueError(f"unknown unit type in {full_name!r}")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _unit(unit_list: str, level: str, code: str, **fields: Any) -> AdministrativeUnit:
    fields["folded_name"] = fold(fields["name"])
    unit, _ = U.objects.update_or_create(
        unit_list=unit_list, level=level, code=code, defaults=fields
    )
    return unit


def _load_units(directory: Path) -> dict[str, int]:
    province = _unit(
        U.List.Y2025,
        U.Level.PROVINCE,
        "14",
        name="Sơn La",
        full_name="Tỉnh Sơn La",
        name_en="Son La",
        unit_type="Tỉnh",
        parent=None,
    )
    new_units: dict[str, AdministrativeUnit] = {}
    for row in _rows(directory, "son_la_communes_2025.csv"):
        new_units[row["code"]] = _unit(
            U.List.Y2025,
            U.Level.COMMUNE,
            row["code"],
            name=row["name"],
            full_name=row["full_name"],
            name_en=row["full_name_en"],
            unit_type=row["unit_type"],
            parent=province,
            valid_from=REFORM_DAY,
            valid_to=None,
        )
    successor = {
        row["old_code"]: row["new_code"] for row in _rows(directory, "son_la_old_to_new_2025.csv")
    }
    last_old_day = REFORM_DAY - dt.timedelta(days=1)
    districts: dict[str, AdministrativeUnit] = {}
    old_count = 0
    for row in _rows(directory, "son_la_pre2025_districts_communes.csv"):
        code = row["district_code"]
        if code not in districts:
            unit_type, name = _split_type(row["district_full_name"], _DISTRICT_TYPES)
            districts[code] = _unit(
                U.List.PRE_2025,
                U.Level.DISTRICT,
                code,
                name=name,
                full_name=row["district_full_name"],
                unit_type=unit_type,
                parent=province,
                valid_to=last_old_day,
            )
        unit_type, _ = _split_type(row["commune_full_name"], _COMMUNE_TYPES)
        _unit(
            U.List.PRE_2025,
            U.Level.COMMUNE,
            row["commune_code"],
            name=row["commune_name"],
            full_name=row["commune_full_name"],
            name_en=row["commune_name_en"],
            unit_type=unit_type,
            parent=districts[code],
            valid_to=last_old_day,
            successor=new_units[successor[row["commune_code"]]],
        )
        old_count += 1
    return {
        "units_2025": len(new_units),
        "districts_pre2025": len(districts),
        "communes_pre2025": old_count,
    }


def _load_need_types(directory: Path) -> dict[str, NeedType]:
    need_types: dict[str, NeedType] = {}
    data = json.loads((directory / "need_types.json").read_text(encoding="utf-8"))
    for position, item in enumerate(data, start=1):
        need_type, _ = NeedType.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "name_en": item["name_en"],
                "ordering": position,
                "response_working_days": item["response_working_days"],
            },
        )
        need_types[need_type.code] = need_type
        for rule in item["responsibilities"]:
            NeedTypeResponsibility.objects.update_or_create(
                need_type=need_type,
                agency_kind=rule["agency_kind"],
                valid_from=_date(rule.get("valid_from")),
                defaults={
                    "legal_duty": rule["legal_duty"],
                    "legal_basis": rule["legal_basis"],
                    "valid_to": _date(rule.get("valid_to")),
                },
            )
    return need_types


def _agency(
    item: dict[str, Any],
    *,
    level: str,
    jurisdiction: AdministrativeUnit,
    need_types: dict[str, NeedType],
    **extra: Any,
) -> Agency:
    agency, _ = Agency.objects.update_or_create(
        code=item["code"],
        defaults={
            "name": item["name"],
            "kind": item["kind"],
            "level": level,
            "jurisdiction": jurisdiction,
            "valid_from": _date(item.get("valid_from")),
            "valid_to": _date(item.get("valid_to")),
            **extra,
        },
    )
    agency.need_types.set([need_types[code] for code in item["need_types"]])
    return agency


def _load_agencies(directory: Path, need_types: dict[str, NeedType]) -> int:
    data = json.loads((directory / "agencies.json").read_text(encoding="utf-8"))
    province = U.objects.get(unit_list=U.List.Y2025, level=U.Level.PROVINCE, code="14")
    created: dict[str, Agency] = {}
    for item in data["province_agencies"]:
        parent = created.get(item.get("parent", ""))
        created[item["code"]] = _agency(
            item,
            level=Agency.Level.PROVINCE,
            jurisdiction=province,
            need_types=need_types,
            parent=parent,
        )
    for item in data["province_agencies"]:
        if item.get("successor"):
            Agency.objects.filter(code=item["code"]).update(successor=created[item["successor"]])
    count = len(created)
    for commune in U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE):
        code_name = fold(commune.name).replace(" ", "-")
        for template in data["commune_agencies"]:
            item = {
                **template,
                "code": template["code"].format(code_name=f"{code_name}-{commune.code}"),
                "name": template["name"].format(full_name=commune.full_name),
            }
            _agency(item, level=Agency.Level.COMMUNE, jurisdiction=commune, need_types=need_types)
            count += 1
    return count


def _load_calendar(directory: Path) -> dict[str, int]:
    for row in _rows(directory, "public_holidays.csv"):
        PublicHoliday.objects.update_or_create(
            date=_date(row["date"]), defaults={"name": row["name"]}
        )
    for row in _rows(directory, "expungement_periods.csv"):
        ExpungementPeriod.objects.update_or_create(
            article=row["article"],
            band=row["band"],
            valid_from=None,
            defaults={
                "description": row["description"],
                "custodial": row["custodial"] == "1",
                "max_prison_months": int(row["max_prison_months"])
                if row["max_prison_months"]
                else None,
                "wait_months": int(row["wait_months"]),
            },
        )
    return {
        "holidays": PublicHoliday.objects.count(),
        "expungement_periods": ExpungementPeriod.objects.count(),
    }


def _load_loan_programmes(directory: Path) -> int:
    data = json.loads((directory / "loan_programmes.json").read_text(encoding="utf-8"))
    for item in data:
        fields = {k: v for k, v in item.items() if not k.startswith("_") and k != "code"}
        fields["valid_from"] = _date(fields.get("valid_from"))
        fields["valid_to"] = _date(fields.get("valid_to"))
        LoanProgramme.objects.update_or_create(code=item["code"], defaults=fields)
    return len(data)


def _load_judicial_record_rules(directory: Path) -> int:
    data = json.loads((directory / "judicial_record_rules.json").read_text(encoding="utf-8"))
    for item in data:
        JudicialRecordRule.objects.update_or_create(
            valid_from=_date(item["valid_from"]),
            defaults={
                **item,
                "valid_from": _date(item["valid_from"]),
                "valid_to": _date(item["valid_to"]),
            },
        )
    return len(data)


def _load_data_subject_request_rules(directory: Path) -> int:
    data = json.loads((directory / "data_subject_request_rules.json").read_text(encoding="utf-8"))
    count = 0
    for item in data:
        for kind in item["kinds"]:
            DataSubjectRequestRule.objects.update_or_create(
                kind=kind,
                valid_from=_date(item["valid_from"]),
                defaults={
                    "valid_to": _date(item["valid_to"]),
                    "legal_basis": item["legal_basis"],
                    "acknowledge_working_days": item["acknowledge_working_days"],
                    "complete_working_days": item["complete_working_days"],
                    "complete_with_processor_working_days": item[
                        "complete_with_processor_working_days"
                    ],
                },
            )
            count += 1
    return count


def _load_import_vocabulary(directory: Path) -> dict[str, int]:
    data = json.loads((directory / "import_vocabulary.json").read_text(encoding="utf-8"))
    aliases = terms = 0
    for field, names in data["column_aliases"].items():
        for alias in names:
            ImportColumnAlias.objects.update_or_create(
                alias=alias, source=None, defaults={"field": field}
            )
            aliases += 1
    for kind, values in data["terms"].items():
        for value, texts in values.items():
            for text in texts:
                ImportTerm.objects.update_or_create(kind=kind, text=text, defaults={"value": value})
                terms += 1
    return {"import_column_aliases": aliases, "import_terms": terms}


@transaction.atomic
def reference_data_load(*, directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Load or refresh every reference table; returns counts for the command to print."""
    counts = _load_units(directory)
    need_types = _load_need_types(directory)
    counts["need_types"] = len(need_types)
    counts["agencies"] = _load_agencies(directory, need_types)
    counts.update(_load_calendar(directory))
    counts["loan_programmes"] = _load_loan_programmes(directory)
    counts["judicial_record_rules"] = _load_judicial_record_rules(directory)
    counts["data_subject_request_rules"] = _load_data_subject_request_rules(directory)
    counts.update(_load_import_vocabulary(directory))
    return counts
