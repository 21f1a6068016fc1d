"""What a report covers: a period (month, quarter, year or custom dates) and a scope (the
province, one commune, a former district through the old→new map, or one agency).

Both are parsed from query parameters with Vietnamese messages; a bad value raises
``ValidationError`` and the page shows it instead of a report.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from registry.models import AdministrativeUnit, Agency, Referral

U = AdministrativeUnit


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | custom
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("Năm %(y)s") % {"y": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)s") % {
                "q": (self.start.month - 1) // 3 + 1,
                "y": self.start.year,
            }
        if self.kind == "month":
            return _("Tháng %(m)s/%(y)s") % {"m": self.start.month, "y": self.start.year}
        return _("Từ %(a)s đến %(b)s") % {
            "a": self.start.strftime("%d/%m/%Y"),
            "b": self.end.strftime("%d/%m/%Y"),
        }

    @property
    def slug(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @classmethod
    def year(cls, year: int) -> Period:
        return cls("year", dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        last_day = calendar.monthrange(year, first + 2)[1]
        return cls("quarter", dt.date(year, first, 1), dt.date(year, first + 2, last_day))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(
            "month",
            dt.date(year, month, 1),
            dt.date(year, month, calendar.monthrange(year, month)[1]),
        )

    @classmethod
    def parse(cls, params: dict[str, str], today: dt.date) -> Period:
        kind = params.get("period") or "year"
        try:
            year = int(params.get("year") or today.year)
            if not 2000 <= year <= 2100:
                raise ValueError
            if kind == "year":
                return cls.year(year)
            if kind == "quarter":
                quarter = int(params.get("quarter") or (today.month - 1) // 3 + 1)
                if not 1 <= quarter <= 4:
                    raise ValueError
                return cls.quarter(year, quarter)
            if kind == "month":
                month = int(params.get("month") or today.month)
                if not 1 <= month <= 12:
                    raise ValueError
                return cls.month(year, month)
        except ValueError as error:
            raise ValidationError(_("Năm, quý hoặc tháng không hợp lệ.")) from error
        if kind == "custom":
            try:
                start = dt.date.fromisoformat(params.get("start", ""))
                end = dt.date.fromisoformat(params.get("end", ""))
            except ValueError as error:
                raise ValidationError(
                    _("Nhập ngày bắt đầu và ngày kết thúc (ngày/tháng/năm).")
                ) from error
            if end < start:
                raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
            if (end - start).days > 366 * 5:
                raise ValidationError(_("Một báo cáo tối đa 5 năm."))
            return cls("custom", start, end)
        raise ValidationError(_("Chọn kỳ báo cáo: tháng, quý, năm hoặc tùy chọn."))


@dataclass(frozen=True)
class Scope:
    """The place or agency a report is about. ``commune_ids`` (2025 communes) or ``agency_id``
    narrow every figure; the province scope narrows nothing. The viewer's own access scope is
    applied on top of this one (``registry.reports.figures``)."""

    kind: str  # province | commune | district | agency
    label: str
    commune_ids: frozenset[int] | None = None
    agency_id: int | None = None

    @property
    def slug(self) -> str:
        """For file names: Vietnamese without diacritics, never a database id
        ("tinh", "xa-to-hieu", "huyen-cu-mai-son", "co-quan-so-noi-vu")."""
        from django.utils.text import slugify

        from registry.validation import fold

        prefix = {"province": "tinh", "commune": "xa", "district": "huyen-cu", "agency": "co-quan"}
        if self.kind == "province":
            return prefix["province"]
        return f"{prefix.get(self.kind, 'pham-vi')}-{slugify(fold(self.label))}"[:80]

    def case_q(self, prefix: str = "") -> Q:
        """Cases (reached through ``prefix``) inside this scope."""
        if self.commune_ids is not None:
            return Q(**{f"{prefix}commune_id__in": self.commune_ids})
        if self.agency_id is not None:
            case_ref = f"{prefix}pk" if prefix else "pk"
            return Q(
                Exists(
                    Referral.objects.filter(need__case=OuterRef(case_ref), agency_id=self.agency_id)
                )
            )
        return Q()

    def referral_q(self, prefix: str = "") -> Q:
        """Referrals (reached through ``prefix``) inside this scope: an agency scope keeps the
        referrals sent to that agency, a place scope those about cases of its communes."""
        if self.agency_id is not None:
            return Q(**{f"{prefix}agency_id": self.agency_id})
        return self.case_q(f"{prefix}need__case__")

    def work_q(self, referral_prefix: str, case_prefix: str) -> Q:
        """Agency work (a loan, a certificate) tied to a referral: an agency scope keeps its own
        work, a place scope the work about cases of its communes."""
        if self.agency_id is not None:
            return Q(**{f"{referral_prefix}agency_id": self.agency_id})
        return self.case_q(case_prefix)

    @classmethod
    def province(cls) -> Scope:
        return cls("province", _("Toàn tỉnh Sơn La"))

    @classmethod
    def parse(cls, params: dict[str, str]) -> Scope:
        kind = params.get("scope") or "province"
        if kind == "province":
            return cls.province()
        value = (params.get({"commune": "unit"}.get(kind, kind)) or "").strip()
        if kind == "commune":
            unit = U.objects.filter(
                unit_list=U.List.Y2025, level=U.Level.COMMUNE, code=value
            ).first()
            if unit is None:
                raise ValidationError(_("Không tìm thấy xã, phường có mã này (danh mục 2025)."))
            return cls("commune", unit.full_name, commune_ids=frozenset({unit.pk}))
        if kind == "district":
            district = U.objects.filter(
                unit_list=U.List.PRE_2025, level=U.Level.DISTRICT, code=value
            ).first()
            if district is None:
                raise ValidationError(_("Không tìm thấy huyện cũ có mã này (danh mục trước 2025)."))
            communes = frozenset(
                U.objects.filter(parent=district, successor__isnull=False).values_list(
                    "successor_id", flat=True
                )
            )
            return cls(
                "district",
                _("%(name)s (cũ) — các xã, phường kế thừa") % {"name": district.full_name},
                commune_ids=communes,
            )
        if kind == "agency":
            agency = Agency.objects.filter(code=value).first()
            if agency is None:
                raise ValidationError(_("Không tìm thấy cơ quan có mã này."))
            return cls("agency", agency.name, agency_id=agency.pk)
        raise ValidationError(_("Chọn phạm vi: toàn tỉnh, xã, huyện cũ hoặc cơ quan."))
