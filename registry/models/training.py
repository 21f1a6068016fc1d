"""Vocational training and jobs worked by Home Affairs (Decree 49/2020 art. 11)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.base import PublicModel
from registry.models.cases import Referral
from registry.models.places import AdministrativeUnit, Agency


class TrainingCourse(PublicModel):
    """A course that referred people can join: trade, provider, place, dates, seats, support."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="courses", verbose_name=_("cơ quan")
    )
    trade = models.CharField(_("nghề"), max_length=120)
    folded_trade = models.CharField(max_length=120, editable=False, db_index=True)
    provider = models.CharField(_("cơ sở đào tạo"), max_length=200)
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("nơi học"),
    )
    starts_on = models.DateField(_("khai giảng"))
    ends_on = models.DateField(_("kết thúc"))
    seats = models.PositiveSmallIntegerField(_("số chỗ"))
    support = models.CharField(
        _("hỗ trợ"),
        max_length=300,
        blank=True,
        help_text=_("Học phí, tiền ăn, đi lại … theo quy định"),
    )
    is_active = models.BooleanField(_("đang mở"), default=True)

    class Meta:
        verbose_name = _("khóa đào tạo nghề")
        verbose_name_plural = _("khóa đào tạo nghề")
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.trade} — {self.provider} ({self.starts_on:%d/%m/%Y})"


class Enrollment(PublicModel):
    """A referred person in a course. ENROLLED ──> COMPLETED | DROPPED (terminal)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Đang học")
        COMPLETED = "completed", _("Hoàn thành")
        DROPPED = "dropped", _("Bỏ học")

    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, related_name="enrollments")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    attended_days = models.PositiveSmallIntegerField(_("số buổi có mặt"), default=0)
    finished_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("học viên")
        verbose_name_plural = _("học viên")
        constraints = [
            models.UniqueConstraint(fields=["course", "referral"], name="one_enrollment_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.course} — {self.get_status_display()}"


class JobPlacement(PublicModel):
    """A job found for a referred person, followed up 3, 6 and 12 months after it started."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    employer = models.CharField(_("nơi làm việc"), max_length=200)
    job_title = models.CharField(_("công việc"), max_length=200)
    started_on = models.DateField(_("ngày bắt đầu"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("giới thiệu việc làm")
        verbose_name_plural = _("giới thiệu việc làm")

    def __str__(self) -> str:
        return f"{self.job_title} — {self.employer}"


class JobFollowUp(PublicModel):
    """One follow-up of a placement: due at 3, 6 or 12 months; DUE ──> EMPLOYED | NOT_EMPLOYED."""

    class Outcome(models.TextChoices):
        DUE = "due", _("Chưa theo dõi")
        EMPLOYED = "employed", _("Vẫn đang làm việc")
        NOT_EMPLOYED = "not_employed", _("Không còn làm việc")

    placement = models.ForeignKey(JobPlacement, on_delete=models.PROTECT, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("sau (tháng)"))
    due_on = models.DateField(_("hạn theo dõi"), db_index=True)
    outcome = models.CharField(
        _("kết quả"), max_length=12, choices=Outcome.choices, default=Outcome.DUE
    )
    checked_on = models.DateField(_("ngày theo dõi"), null=True, blank=True)

    class Meta:
        verbose_name = _("theo dõi việc làm")
        verbose_name_plural = _("theo dõi việc làm")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "months"], name="one_follow_up_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.months} tháng — {self.get_outcome_display()}"
