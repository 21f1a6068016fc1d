"""Places, agencies, need types and the calendar: reference data an administrator edits.

Rules that change with the law (who handles a need, deadlines, holidays, expungement periods) are
rows with validity dates, chosen by the date of the event, never constants in code.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models.base import BaseModel, ValidityPeriod


class AdministrativeUnit(ValidityPeriod, BaseModel):
    """A province, district or commune of one official list.

    Codes are reused between lists (17 of the 75 codes of 2025 name another place than before), so
    a unit is identified by (list, level, code), never by its code alone. A pre-2025 commune points
    to the 2025 unit it was merged into through ``successor``.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")

    class List(models.TextChoices):
        PRE_2025 = "pre2025", _("Trước 01/07/2025")
        Y2025 = "2025", _("Từ 01/07/2025")

    code = models.CharField(_("mã"), max_length=8)
    name = models.CharField(_("tên"), max_length=100)
    full_name = models.CharField(_("tên đầy đủ"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    unit_type = models.CharField(
        _("loại"), max_length=20, help_text=_("Xã, Phường, Thị trấn, Huyện …")
    )
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    unit_list = models.CharField(_("danh mục"), max_length=10, choices=List.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )
    folded_name = models.CharField(max_length=120, editable=False, db_index=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["unit_list", "level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_list", "level", "code"], name="unit_code_per_list"
            ),
        ]

    def __str__(self) -> str:
        if (
            self.unit_list == self.List.PRE_2025
            and self.parent_id
            and self.level == self.Level.COMMUNE
        ):
            return f"{self.full_name}, {self.parent.full_name} ({self.get_unit_list_display()})"
        return self.full_name


class Agency(ValidityPeriod, BaseModel):
    """A body that takes part in reintegration: police, commune committees, departments, the bank.

    The 2025 restructuring is modelled with validity dates and ``successor`` (Labour → Home Affairs,
    Information and Communications → Science and Technology); a retired agency keeps its history.
    """

    class Kind(models.TextChoices):
        POLICE = "police", _("Công an")
        POLICE_RECORDS = "police_records", _("Hồ sơ nghiệp vụ Công an (lý lịch tư pháp)")
        COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân")
        HOME_AFFAIRS = "home_affairs", _("Nội vụ (lao động, việc làm)")
        LABOUR = "labour", _("Lao động - Thương binh và Xã hội")
        BANK = "bank", _("Ngân hàng Chính sách xã hội")
        JUSTICE = "justice", _("Tư pháp")
        EDUCATION = "education", _("Giáo dục và Đào tạo")
        HEALTH = "health", _("Y tế")
        CULTURE = "culture", _("Văn hóa, Thể thao và Du lịch")
        INFORMATION = "information", _("Thông tin và Truyền thông")
        SCIENCE = "science", _("Khoa học và Công nghệ")
        FINANCE = "finance", _("Tài chính")
        MEDIA = "media", _("Báo chí, phát thanh, truyền hình")
        CIVIL_ENFORCEMENT = "civil_enforcement", _("Thi hành án dân sự")
        MASS_ORGANISATION = "mass_org", _("Mặt trận, đoàn thể")

    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại cơ quan"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    jurisdiction = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name=_("địa bàn"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("cơ quan kế thừa"),
    )
    need_types = models.ManyToManyField(
        "NeedType",
        blank=True,
        related_name="agencies",
        verbose_name=_("nhu cầu phụ trách"),
    )

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["level", "kind", "name"]
        indexes = [models.Index(fields=["kind", "level"])]

    def __str__(self) -> str:
        return self.name


class NeedType(BaseModel):
    """A kind of support a person may need (training, job, loan …) and its response deadline."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120)
    response_working_days = models.PositiveSmallIntegerField(
        _("hạn trả lời (ngày làm việc)"),
        help_text=_("Số ngày làm việc để cơ quan nhận trả lời một đề nghị hỗ trợ."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    ordering = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("loại nhu cầu")
        verbose_name_plural = _("loại nhu cầu")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name


class NeedTypeResponsibility(ValidityPeriod, BaseModel):
    """Which kind of agency handles a need type over a period, and on what legal basis.

    ``legal_duty`` means the receiving agency has a statutory duty for this need, so a referral
    needs no consent (PDP Law art. 19(1)(c)); otherwise the person's consent is required.
    Example: judicial record certificates go to Justice until 30/06/2026 and to the police records
    unit from 01/07/2026 (Law 107/2025).
    """

    need_type = models.ForeignKey(
        NeedType,
        on_delete=models.CASCADE,
        related_name="responsibilities",
        verbose_name=_("loại nhu cầu"),
    )
    agency_kind = models.CharField(_("loại cơ quan"), max_length=20, choices=Agency.Kind.choices)
    legal_duty = models.BooleanField(_("cơ quan có nghĩa vụ luật định"), default=False)
    legal_basis = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("phân công xử lý nhu cầu")
        verbose_name_plural = _("phân công xử lý nhu cầu")
        ordering = ["need_type", "valid_from"]

    def __str__(self) -> str:
        return f"{self.need_type} → {self.get_agency_kind_display()}"


class PublicHoliday(BaseModel):
    """A day off (Labour Code 2019 art. 112 and the yearly announcements): not a working day."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên"), max_length=120)

    class Meta:
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class ExpungementPeriod(ValidityPeriod, BaseModel):
    """Waiting period before a conviction is expunged (Penal Code art. 70(2), 71(2), 107(2)).

    The band follows the main penalty as pronounced (art. 73): band a is non-custodial, bands b–d
    are prison terms up to ``max_prison_months`` (empty = no upper bound, life, commuted death).
    """

    class Article(models.TextChoices):
        AUTOMATIC = "70", _("Điều 70 — đương nhiên xóa án tích")
        COURT = "71", _("Điều 71 — xóa án tích theo quyết định của Tòa án")
        JUVENILE = "107", _("Điều 107 — người dưới 18 tuổi")

    article = models.CharField(_("điều"), max_length=3, choices=Article.choices)
    band = models.CharField(_("khung"), max_length=1, help_text=_("a, b, c hoặc d"))
    description = models.CharField(_("mô tả"), max_length=200)
    max_prison_months = models.PositiveIntegerField(_("tù tối đa (tháng)"), null=True, blank=True)
    custodial = models.BooleanField(_("hình phạt tù"), default=True)
    wait_months = models.PositiveIntegerField(_("thời gian chờ (tháng)"))

    class Meta:
        verbose_name = _("thời hạn xóa án tích")
        verbose_name_plural = _("thời hạn xóa án tích")
        ordering = ["article", "band"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "band", "valid_from"], name="expungement_band"
            ),
        ]

    def __str__(self) -> str:
        return f"Điều {self.article} khung {self.band}: {self.wait_months} tháng"
