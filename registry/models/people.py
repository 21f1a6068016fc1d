"""Staff users, released people and their custody records.

Every field that identifies or describes a person beyond name, gender and birth year is encrypted
(DESIGN.md section 5); exact search goes through blind indexes.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.fields import (
    BlindIndexField,
    EncryptedBooleanField,
    EncryptedDateField,
    EncryptedIntegerField,
    EncryptedTextField,
)
from registry.models.base import PublicModel


class User(AbstractUser):
    """A staff member. Roles and scope arrive with memberships (the access issue)."""

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")


class Person(PublicModel):
    """Someone who has finished a prison term (or was amnestied), until expungement."""

    class Gender(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    full_name = models.CharField(_("họ và tên"), max_length=150)
    folded_name = models.CharField(max_length=150, editable=False, db_index=True)
    gender = models.CharField(_("giới tính"), max_length=6, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)

    national_id = EncryptedTextField(_("số định danh cá nhân"))
    national_id_index = BlindIndexField(
        source="national_id",
        purpose="person.national_id",
        unique=True,
        normalizer="registry.validation.normalize_national_id",
    )
    date_of_birth = EncryptedDateField(_("ngày sinh"))
    phone = EncryptedTextField(_("số điện thoại"))
    phone_index = BlindIndexField(
        source="phone",
        purpose="person.phone",
        db_index=True,
        normalizer="registry.validation.normalize_phone",
    )
    address = EncryptedTextField(_("địa chỉ chi tiết"))
    ethnicity = EncryptedTextField(_("dân tộc"))
    family_contact = EncryptedTextField(_("người thân liên hệ"))

    is_demo = models.BooleanField(
        _("dữ liệu mẫu"), default=False, help_text=_("Người giả lập do seed_demo tạo ra.")
    )
    minimised_at = models.DateTimeField(
        _("đã giảm thiểu dữ liệu lúc"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("người chấp hành xong án")
        verbose_name_plural = _("người chấp hành xong án")
        ordering = ["folded_name", "id"]
        indexes = [
            # Import's duplicate check by name for people registered without a national ID.
            models.Index(
                fields=["folded_name", "birth_year"],
                condition=models.Q(national_id_index__isnull=True),
                name="person_without_id_name_idx",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class CustodyRecord(PublicModel):
    """The judgment and the term served. The sentence is encrypted; the release date and kind and
    the computed expungement-eligible date (Penal Code art. 70) are plain for deadlines and lists.
    """

    class ReleaseKind(models.TextChoices):
        COMPLETED = "completed", _("Chấp hành xong án phạt tù")
        AMNESTY = "amnesty", _("Đặc xá")
        CONDITIONAL = "conditional", _("Tha tù trước thời hạn có điều kiện")

    class PenaltyKind(models.TextChoices):
        # Bands of Penal Code art. 70(2): a = non-custodial, b–d = prison by length.
        WARNING = "warning", _("Cảnh cáo")
        FINE = "fine", _("Phạt tiền")
        NON_CUSTODIAL = "non_custodial", _("Cải tạo không giam giữ")
        SUSPENDED = "suspended", _("Tù cho hưởng án treo")
        PRISON = "prison", _("Tù có thời hạn")
        LIFE = "life", _("Tù chung thân")
        DEATH_COMMUTED = "death_commuted", _("Tử hình được ân giảm")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="custody_records", verbose_name=_("người")
    )
    release_date = models.DateField(_("ngày chấp hành xong"), db_index=True)
    release_kind = models.CharField(_("hình thức"), max_length=12, choices=ReleaseKind.choices)

    court = EncryptedTextField(_("tòa án xét xử"))
    judgment_number = EncryptedTextField(_("số bản án"))
    judgment_date = EncryptedDateField(_("ngày bản án"))
    offence = EncryptedTextField(_("tội danh"))
    penal_code_articles = EncryptedTextField(_("điều luật áp dụng"), help_text=_("Ví dụ: 173, 249"))
    main_penalty = EncryptedTextField(
        _("hình phạt chính"), help_text=_("Một trong các loại hình phạt chính.")
    )
    sentence_months = EncryptedIntegerField(_("thời hạn tù (tháng)"))
    offence_date = EncryptedDateField(_("ngày phạm tội"))
    prison = EncryptedTextField(_("trại giam"))
    certificate_number = EncryptedTextField(_("số giấy chứng nhận"))
    certificate_date = EncryptedDateField(_("ngày cấp giấy chứng nhận"))
    certificate_issuer = EncryptedTextField(
        _("nơi cấp giấy chứng nhận"),
        help_text=_("Trại giam, trại tạm giam hoặc cơ quan thi hành án"),
    )
    additional_penalties = EncryptedTextField(_("hình phạt bổ sung"))
    additional_penalty_months = EncryptedIntegerField(_("thời hạn hình phạt bổ sung (tháng)"))
    civil_obligations = EncryptedTextField(_("nghĩa vụ dân sự, án phí"))
    obligations_fulfilled = EncryptedBooleanField(_("đã hoàn thành nghĩa vụ dân sự"))
    expungement_explanation = EncryptedTextField(_("cách tính ngày xóa án tích"))

    expungement_eligible_date = models.DateField(
        _("ngày đủ điều kiện xóa án tích"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Tính từ hồ sơ theo Điều 70 BLHS; để trống khi chưa đủ điều kiện tính."),
    )

    class Meta:
        verbose_name = _("hồ sơ thi hành án")
        verbose_name_plural = _("hồ sơ thi hành án")
        ordering = ["-release_date", "id"]
        indexes = [
            # A case's record probed for its eligible date without reading the table's page
            # (an index-only scan: the expungement window, case_active_custody_idx).
            models.Index(
                fields=["id"],
                include=["expungement_eligible_date"],
                name="custody_expungement_idx",
            ),
        ]

    def __str__(self) -> str:
        # No related lookup here: lists of cases show their custody record without another join.
        return f"{self.get_release_kind_display()} {self.release_date:%d/%m/%Y}"
