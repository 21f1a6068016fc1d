"""The HCD forms of Circular 10/2024 as data (Art. 3: the Ministry's department may change a
form's fields, so no layout is fixed in code), and the periodic reports' dated rules and
submissions (HCD-12 monthly, HCD-13 quarterly, 6-monthly, yearly).

- ``DocumentTemplate``: a DOCX template (docxtpl) for one form, valid between two dates; the one
  valid on a document's date is used, else the clean default built by
  ``registry.documents.defaults``.
- ``ReportingRule``: for a periodic form, the cut-off day, how many days after it the report is
  due and to whom it goes — dated, because the recipients changed when district police ended on
  01/03/2025 and may change again.
- ``ReportSubmission``: a commune (or the province) sent a periodic report for a period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry.models.base import BaseModel, PublicModel, ValidityPeriod
from registry.models.places import AdministrativeUnit


class FormCode(models.TextChoices):
    HCD01 = "HCD-01", _("HCD-01 — Bìa hồ sơ quản lý, giám sát, giáo dục")
    HCD02 = "HCD-02", _("HCD-02 — Phiếu thông tin")
    HCD03 = "HCD-03", _("HCD-03 — Văn bản thông báo thay đổi, sai địa chỉ")
    HCD04 = "HCD-04", _("HCD-04 — Báo cáo người không trình diện, không về nơi cư trú")
    HCD05 = "HCD-05", _("HCD-05 — Biên bản làm việc, cam kết")
    HCD06 = "HCD-06", _("HCD-06 — Đề xuất phân công người giúp đỡ")
    HCD07 = "HCD-07", _("HCD-07 — Quyết định phân công người giúp đỡ")
    HCD08 = "HCD-08", _("HCD-08 — Báo cáo kết quả quản lý, giám sát, giáo dục, giúp đỡ")
    HCD09 = "HCD-09", _("HCD-09 — Danh sách phân loại hằng quý (A, B, C, D)")
    HCD10 = "HCD-10", _("HCD-10 — Đề xuất chấm dứt quản lý")
    HCD11 = "HCD-11", _("HCD-11 — Quyết định chấm dứt quản lý")
    HCD12 = "HCD-12", _("HCD-12 — Thống kê số liệu hằng tháng")
    HCD13 = "HCD-13", _("HCD-13 — Báo cáo quý, 6 tháng, năm")


class DocumentTemplate(PublicModel):
    """One version of a form's DOCX template. Versions of a form may not overlap in time."""

    form = models.CharField(_("biểu mẫu"), max_length=6, choices=FormCode.choices)
    title = models.CharField(_("tên biểu mẫu"), max_length=300)
    content = models.BinaryField(_("tệp DOCX"))
    file_name = models.CharField(_("tên tệp"), max_length=200)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    note = models.CharField(_("căn cứ thay đổi"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )

    class Meta:
        verbose_name = _("mẫu giấy tờ")
        verbose_name_plural = _("mẫu giấy tờ")
        ordering = ["form", "-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="document_template_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["form", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.form} ({self.valid_from:%d/%m/%Y})"


class ReportingRule(BaseModel, ValidityPeriod):
    """When a periodic report is cut and due, and who receives it, between two dates."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Tháng")
        QUARTER = "quarter", _("Quý")
        HALF = "half", _("6 tháng")
        YEAR = "year", _("Năm")

    form = models.CharField(_("biểu mẫu"), max_length=6, choices=FormCode.choices)
    period_kind = models.CharField(_("kỳ báo cáo"), max_length=8, choices=PeriodKind.choices)
    cutoff_day = models.PositiveSmallIntegerField(
        _("ngày chốt số liệu"),
        null=True,
        blank=True,
        help_text=_(
            "Ngày trong tháng cuối kỳ chốt số liệu (kỳ tính từ ngày kế tiếp của kỳ trước); "
            "để trống: ngày cuối tháng."
        ),
    )
    due_days = models.PositiveSmallIntegerField(_("số ngày phải gửi sau ngày chốt"), default=5)
    recipient = models.CharField(_("nơi nhận"), max_length=300)

    class Meta:
        verbose_name = _("quy định kỳ báo cáo")
        verbose_name_plural = _("quy định kỳ báo cáo")
        ordering = ["form", "period_kind", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cutoff_day__isnull=True) | Q(cutoff_day__gte=1, cutoff_day__lte=28),
                name="reporting_rule_cutoff_day_1_28",
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.get_period_kind_display()} → {self.recipient}"


class ReportSubmission(PublicModel):
    """A periodic report sent for one period by a commune's police, or by the province's when
    ``commune`` is empty."""

    form = models.CharField(_("biểu mẫu"), max_length=6, choices=FormCode.choices)
    period_kind = models.CharField(
        _("kỳ báo cáo"), max_length=8, choices=ReportingRule.PeriodKind.choices
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("xã, phường"),
    )
    recipient = models.CharField(_("nơi nhận"), max_length=300)
    submitted_on = models.DateField(_("ngày gửi"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("số văn bản"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("báo cáo đã gửi")
        verbose_name_plural = _("báo cáo đã gửi")
        ordering = ["-period_start", "form"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "period_kind", "period_start", "commune"],
                name="one_submission_per_period",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"
