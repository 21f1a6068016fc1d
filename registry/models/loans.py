"""Social-policy credit for released people (Decision 22/2023/QĐ-TTg; LAW.md §3).

The caps, the application window, the warning period and the interest rate are a programme row an
administrator edits (the law and the rates change), never constants in code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.base import BaseModel, PublicModel, ValidityPeriod
from registry.models.cases import Case, Referral
from registry.models.transitions import Step, sources, steps


class LoanProgramme(ValidityPeriod, BaseModel):
    """The rules of one lending programme over a period (Decision 22/2023 art. 3, 6, 9)."""

    code = models.SlugField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ"), max_length=200)
    window_years = models.PositiveSmallIntegerField(
        _("thời hạn đề nghị vay (năm từ ngày chấp hành xong)"), default=5
    )
    warn_days = models.PositiveSmallIntegerField(_("cảnh báo trước khi hết hạn (ngày)"), default=90)
    training_cap_per_month = models.PositiveBigIntegerField(_("mức vay học nghề / tháng (đồng)"))
    production_cap_per_person = models.PositiveBigIntegerField(
        _("mức vay sản xuất, kinh doanh / người")
    )
    business_cap_per_project = models.PositiveBigIntegerField(_("mức vay doanh nghiệp / dự án"))
    business_cap_per_employee = models.PositiveBigIntegerField(
        _("mức vay doanh nghiệp / người lao động là người chấp hành xong án")
    )
    interest_rate_percent = models.DecimalField(
        _("lãi suất (%/năm)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Bằng lãi suất cho vay hộ nghèo từng thời kỳ; cập nhật khi thay đổi."),
    )
    overdue_rate_percent = models.PositiveSmallIntegerField(
        _("lãi quá hạn (% lãi trong hạn)"), default=130
    )

    class Meta:
        verbose_name = _("chương trình cho vay")
        verbose_name_plural = _("chương trình cho vay")

    def __str__(self) -> str:
        return self.name


class LoanApplication(PublicModel):
    """A loan for a released person (or a business employing them), worked by the bank branch.

    DRAFT ──submit (rules pass, Form 01/02 confirmed)──> SUBMITTED ──approve──> APPROVED
                                                            └──reject(reason)──> REJECTED
    APPROVED ──disburse──> DISBURSED ──start repaying──> REPAYING ──> REPAID
                                                            └──> OVERDUE ──> REPAYING | REPAID
    REJECTED and REPAID are terminal. Only ``registry.services.loans`` moves it.
    """

    class Purpose(models.TextChoices):
        TRAINING = "training", _("Học nghề")
        PRODUCTION = "production", _("Sản xuất, kinh doanh (cá nhân)")
        BUSINESS = "business", _("Doanh nghiệp, hợp tác xã, hộ kinh doanh sử dụng lao động")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang lập")
        SUBMITTED = "submitted", _("Đã nộp")
        APPROVED = "approved", _("Đã phê duyệt")
        REJECTED = "rejected", _("Từ chối")
        DISBURSED = "disbursed", _("Đã giải ngân")
        REPAYING = "repaying", _("Đang trả nợ")
        OVERDUE = "overdue", _("Quá hạn")
        REPAID = "repaid", _("Đã trả hết")

    TRANSITIONS = steps(
        ("confirm-form", Step(_("xác nhận mẫu 01/02"), sources(Status.DRAFT), Status.DRAFT)),
        ("submit", Step(_("nộp hồ sơ vay"), sources(Status.DRAFT), Status.SUBMITTED)),
        ("approve", Step(_("phê duyệt"), sources(Status.SUBMITTED), Status.APPROVED)),
        (
            "reject",
            Step(
                _("từ chối"),
                sources(Status.SUBMITTED),
                Status.REJECTED,
                needs_reason=True,
                destructive=True,
            ),
        ),
        ("disburse", Step(_("giải ngân"), sources(Status.APPROVED), Status.DISBURSED)),
        (
            "repaying",
            Step(_("bắt đầu trả nợ"), sources(Status.DISBURSED, Status.OVERDUE), Status.REPAYING),
        ),
        ("overdue", Step(_("ghi nhận quá hạn"), sources(Status.REPAYING), Status.OVERDUE)),
        (
            "repaid",
            Step(_("ghi nhận trả hết"), sources(Status.REPAYING, Status.OVERDUE), Status.REPAID),
        ),
    )

    programme = models.ForeignKey(
        LoanProgramme, on_delete=models.PROTECT, verbose_name=_("chương trình")
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="loans")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="loans"
    )
    purpose = models.CharField(_("mục đích"), max_length=12, choices=Purpose.choices)
    amount = models.PositiveBigIntegerField(_("số tiền đề nghị (đồng)"))
    course_months = models.PositiveSmallIntegerField(_("số tháng học"), null=True, blank=True)
    released_employees = models.PositiveSmallIntegerField(
        _("số lao động là người chấp hành xong án"), null=True, blank=True
    )
    term_months = models.PositiveSmallIntegerField(_("thời hạn vay (tháng)"), null=True, blank=True)
    applied_on = models.DateField(_("ngày đề nghị"))
    form_confirmed_on = models.DateField(
        _("ngày UBND xã xác nhận mẫu 01/02"), null=True, blank=True
    )
    form_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    approved_amount = models.PositiveBigIntegerField(_("số tiền phê duyệt"), null=True, blank=True)
    approved_on = models.DateField(_("ngày phê duyệt"), null=True, blank=True)
    disbursed_amount = models.PositiveBigIntegerField(
        _("số tiền đã giải ngân"), null=True, blank=True
    )
    disbursed_on = models.DateField(_("ngày giải ngân"), null=True, blank=True)
    repaid_on = models.DateField(_("ngày trả hết"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hồ sơ vay vốn")
        verbose_name_plural = _("hồ sơ vay vốn")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["status", "applied_on"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount:,} đ"


class JudicialRecordRule(ValidityPeriod, BaseModel):
    """Time limits and fees for judicial record certificates over a period (Law 28/2009 art. 48 and
    Circular 244/2016 until 30/06/2026; from 01/07/2026 Law 107/2025 and Decree 216/2026, whose day
    counts are not yet confirmed — edit the row when they are)."""

    legal_basis = models.CharField(_("căn cứ"), max_length=200)
    normal_working_days = models.PositiveSmallIntegerField(_("thời hạn (ngày làm việc)"))
    complex_working_days = models.PositiveSmallIntegerField(
        _("thời hạn trường hợp phức tạp (ngày làm việc)"),
        help_text=_(
            "Nhiều nơi cư trú, thời gian ở nước ngoài, người nước ngoài, cần xác minh xóa án tích."
        ),
    )
    fee = models.PositiveIntegerField(_("lệ phí (đồng)"))
    reduced_fee = models.PositiveIntegerField(_("lệ phí giảm (đồng)"))

    class Meta:
        verbose_name = _("quy định cấp phiếu lý lịch tư pháp")
        verbose_name_plural = _("quy định cấp phiếu lý lịch tư pháp")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.legal_basis


class JudicialRecordRequest(PublicModel):
    """A request for a judicial record certificate (phiếu lý lịch tư pháp) made by the person.

    REQUESTED ──issue──> ISSUED;  REQUESTED ──refuse(reason)──> REFUSED. Both are terminal.
    The person asks for their own certificate; the registry never asks anyone for a Type 2.
    """

    class CertificateType(models.TextChoices):
        TYPE_1 = "1", _("Phiếu số 1")
        TYPE_2 = "2", _("Phiếu số 2")

    class FeeCategory(models.TextChoices):
        STANDARD = "standard", _("Lệ phí thường")
        REDUCED = "reduced", _("Giảm lệ phí (học sinh, sinh viên, người có công …)")
        WAIVED = "waived", _("Miễn lệ phí (hộ nghèo, xã đặc biệt khó khăn …)")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Đã tiếp nhận")
        ISSUED = "issued", _("Đã cấp")
        REFUSED = "refused", _("Từ chối cấp")

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="judicial_record_requests"
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="judicial_record_requests",
    )
    rule = models.ForeignKey(JudicialRecordRule, on_delete=models.PROTECT)
    certificate_type = models.CharField(
        _("loại phiếu"), max_length=1, choices=CertificateType.choices
    )
    is_complex = models.BooleanField(_("trường hợp phức tạp"), default=False)
    fee_category = models.CharField(_("lệ phí"), max_length=10, choices=FeeCategory.choices)
    fee_amount = models.PositiveIntegerField(_("số tiền lệ phí (đồng)"))
    waiver_reason = models.CharField(_("lý do miễn, giảm"), max_length=300, blank=True)
    requested_on = models.DateField(_("ngày tiếp nhận"))
    due_on = models.DateField(_("hạn trả kết quả"), db_index=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    issued_on = models.DateField(_("ngày cấp"), null=True, blank=True)
    reason = models.CharField(_("lý do từ chối"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("yêu cầu cấp phiếu lý lịch tư pháp")
        verbose_name_plural = _("yêu cầu cấp phiếu lý lịch tư pháp")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_certificate_type_display()} — hạn {self.due_on:%d/%m/%Y}"
