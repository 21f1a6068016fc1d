"""Reads of the registry that do not depend on who asks: places and the old→new map, need-type
responsibilities, agencies proposed for a need, blind-index lookups and consent checks.

Scoped reads for a signed-in user (``case_list_for_user`` …) live in the access policy and call
these; nothing here returns personal data to a view by itself.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TypeVar

from django.db.models import Case as Switch
from django.db.models import IntegerField, Model, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from registry import crypto, validation
from registry.errors import ApplicationError
from registry.models import (
    AdministrativeUnit,
    Agency,
    Consent,
    Need,
    NeedType,
    NeedTypeResponsibility,
    Person,
    Referral,
)

M = TypeVar("M", bound=Model)

U = AdministrativeUnit
_UNIT_PREFIXES = ("thi tran ", "phuong ", "xa ", "huyen ", "thanh pho ", "thi xa ", "tp ", "tx ")


def _folded_unit_name(text: str) -> str:
    return _split_unit_name(text)[1]


def _accented(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _split_unit_name(text: str) -> tuple[str, str]:
    """("phuong", "chieng an") from "Phường Chiềng An"; ("", name) without a unit type."""
    folded = validation.fold(text)
    for prefix in _UNIT_PREFIXES:
        if folded.startswith(prefix):
            return prefix.strip(), folded[len(prefix) :]
    return "", folded


def unit_communes_current() -> QuerySet[AdministrativeUnit]:
    return U.objects.filter(unit_list=U.List.Y2025, level=U.Level.COMMUNE)


def unit_responsible_today(*, commune: str, district: str | None = None) -> AdministrativeUnit:
    """Which commune is responsible today for ``commune`` (of ``district``) as on a document.

    Accepts a current commune name, a pre-2025 commune name (with its district when the name
    exists in several districts) or a pre-2025 commune code; diacritics, case and the words
    "xã / phường / thị trấn" are ignored. Raises ApplicationError naming the ambiguity."""
    return UnitMatcher().responsible_today(commune=commune, district=district)


class UnitMatcher:
    """``unit_responsible_today`` with every unit read once, for many lookups (an import)."""

    def __init__(self) -> None:
        units = list(U.objects.filter(level=U.Level.COMMUNE).select_related("parent", "successor"))
        self.old_by_name: dict[str, list[AdministrativeUnit]] = {}
        self.old_by_accented: dict[str, list[AdministrativeUnit]] = {}
        self.old_by_code: dict[str, list[AdministrativeUnit]] = {}
        self.current_by_name: dict[str, AdministrativeUnit] = {}
        for unit in units:
            if unit.unit_list == U.List.PRE_2025:
                self.old_by_name.setdefault(unit.folded_name, []).append(unit)
                self.old_by_accented.setdefault(_accented(unit.name), []).append(unit)
                self.old_by_code.setdefault(unit.code, []).append(unit)
            elif unit.unit_list == U.List.Y2025:
                self.current_by_name.setdefault(unit.folded_name, unit)

    def responsible_today(self, *, commune: str, district: str | None = None) -> AdministrativeUnit:
        unit_type, wanted = _split_unit_name(commune)
        if wanted.isdigit():
            old = self.old_by_code.get(wanted.zfill(5), [])
        else:
            # Written with diacritics, "Chiềng Ân" is not "Chiềng An"; without, either may be meant.
            accented = _accented(commune).split(" ", len(unit_type.split())) if unit_type else []
            name = accented[-1] if accented else _accented(commune)
            old = self.old_by_accented.get(name) or self.old_by_name.get(wanted, [])
        same_type = [u for u in old if validation.fold(u.unit_type) == unit_type]
        if unit_type and same_type:  # "Xã Chiềng An" is not "Phường Chiềng An"
            old = same_type
        if district:
            district_name = _folded_unit_name(district)
            old = [u for u in old if u.parent and u.parent.folded_name == district_name]
        successors = {u.successor_id: u.successor for u in old if u.successor_id}
        if len(successors) == 1:
            return next(iter(successors.values()))  # type: ignore[return-value]
        current = self.current_by_name.get(wanted)
        if len(successors) > 1 and current is not None and not district:
            return current  # a name shared by old communes but also a commune today: today's
        if len(successors) > 1:
            districts = ", ".join(sorted(u.parent.full_name for u in old if u.parent))
            raise ApplicationError(
                _("Có nhiều xã tên “%(name)s” trước 01/07/2025 (%(districts)s): cần ghi rõ huyện.")
                % {"name": commune, "districts": districts},
                extra={"code": "unit_ambiguous"},
            )
        if current is not None and not district:
            return current
        raise ApplicationError(
            _(
                "Không tìm thấy xã “%(name)s”%(district)s trong danh mục đơn vị hành chính tỉnh "
                "Sơn La."
            )
            % {"name": commune, "district": f" ({district})" if district else ""},
            extra={"code": "unit_not_found"},
        )


def need_type_responsibility(*, need_type: NeedType, on: dt.date) -> NeedTypeResponsibility | None:
    """The rule in force on ``on`` for who handles ``need_type`` (latest start wins)."""
    return (
        NeedTypeResponsibility.objects.filter(
            NeedTypeResponsibility.valid_on_q(on), need_type=need_type
        )
        .order_by("-valid_from")
        .first()
    )


def agencies_for_need(*, need: Need, on: dt.date) -> QuerySet[Agency]:
    """Agencies that may receive ``need`` on ``on``, the responsible kind first, then the ones
    whose area is the case's commune before province-wide ones."""
    rule = need_type_responsibility(need_type=need.need_type, on=on)
    agencies = Agency.objects.filter(Agency.valid_on_q(on), need_types=need.need_type).filter(
        Q(jurisdiction=need.case.commune)
        | Q(level__in=[Agency.Level.PROVINCE, Agency.Level.CENTRAL])
    )
    if rule is not None:
        agencies = agencies.filter(kind=rule.agency_kind)
    local_first = Switch(
        When(jurisdiction=need.case.commune, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return agencies.annotate(local_first=local_first).order_by("local_first", "name")


def person_find_by_national_id(raw: str) -> Person | None:
    """Exact match through the blind index; the plain ID never reaches the database."""
    normalised = validation.normalize_national_id(raw)
    digest = crypto.keyring().blind_index("person.national_id", normalised)
    return Person.objects.filter(national_id_index=digest).first()


def person_find_by_phone(raw: str) -> QuerySet[Person]:
    normalised = validation.normalize_phone(raw)
    return Person.objects.filter(
        phone_index=crypto.keyring().blind_index("person.phone", normalised)
    )


def _consent_q(*, person: Person, agency: Agency, need_type: NeedType, on: dt.date) -> Q:
    return (
        Q(
            person=person,
            purpose=Consent.Purpose.REFERRAL,
            status=Consent.Status.GIVEN,
            given_on__lte=on,
        )
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        & (Q(agency__isnull=True) | Q(agency=agency))
        & (Q(need_type__isnull=True) | Q(need_type=need_type))
    )


def consent_valid_for_referral(
    *, person: Person, agency: Agency, need_type: NeedType, on: dt.date
) -> Consent | None:
    return Consent.objects.filter(
        _consent_q(person=person, agency=agency, need_type=need_type, on=on)
    ).first()


def consent_covers_referral(
    consent: Consent, *, person: Person, agency: Agency, need_type: NeedType, on: dt.date
) -> bool:
    return Consent.objects.filter(
        _consent_q(person=person, agency=agency, need_type=need_type, on=on), pk=consent.pk
    ).exists()


def referrals_overdue(*, on: dt.date) -> QuerySet[Referral]:
    return Referral.objects.filter(Referral.overdue_q(on))


def shown_only(queryset: QuerySet[M], fields: tuple[str, ...]) -> QuerySet[M]:
    """``queryset`` loading only ``fields``, for a list that shows a few columns of each row
    (``a__b__c`` joins ``a`` and ``a__b``). The scoped selectors join whole rows of every relation
    a page might use; a list of 50 rows built six full models a row (issue 20)."""
    related = sorted(
        {name.rsplit("__", 1)[0] for name in fields if "__" in name},
    )
    return queryset.select_related(None).select_related(*related).only(*fields)
