"""Bulk import of prison release notices: one ``ImportBatch`` per uploaded file (the import log)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models.base import BaseModel, PublicModel


class ImportField(models.TextChoices):
    """The facts a release notice gives, one per column of the template (the label is its header).
    ``registry.imports.columns`` says which are required and gives the template's examples;
    the two "by gender" columns are read, never offered in the template."""

    FULL_NAME = "full_name", _("Họ và tên")
    GENDER = "gender", _("Giới tính")
    DATE_OF_BIRTH = "date_of_birth", _("Ngày sinh")
    BIRTH_YEAR = "birth_year", _("Năm sinh")
    # Lists that write the year (or date) of birth under "Nam" or "Nữ", which gives the gender.
    BIRTH_MALE = "birth_male", _("Năm sinh — cột Nam")
    BIRTH_FEMALE = "birth_female", _("Năm sinh — cột Nữ")
    NATIONAL_ID = "national_id", _("Số định danh cá nhân")
    PHONE = "phone", _("Số điện thoại")
    ETHNICITY = "ethnicity", _("Dân tộc")
    ADDRESS = "address", _("Địa chỉ cư trú")
    COMMUNE = "commune", _("Xã, phường về cư trú")
    DISTRICT = "district", _("Huyện (trước 01/07/2025)")
    RELEASE_DATE = "release_date", _("Ngày chấp hành xong án")
    RELEASE_KIND = "release_kind", _("Hình thức")
    MAIN_PENALTY = "main_penalty", _("Hình phạt chính")
    SENTENCE_MONTHS = "sentence_months", _("Thời hạn tù")
    OFFENCE = "offence", _("Tội danh")
    PENAL_CODE_ARTICLES = "penal_code_articles", _("Điều luật")
    COURT = "court", _("Tòa án xét xử")
    JUDGMENT_NUMBER = "judgment_number", _("Số bản án")
    JUDGMENT_DATE = "judgment_date", _("Ngày bản án")
    PRISON = "prison", _("Trại giam")
    CERTIFICATE_NUMBER = "certificate_number", _("Số giấy chứng nhận")
    CERTIFICATE_DATE = "certificate_date", _("Ngày cấp giấy chứng nhận")
    REPORTING_DEADLINE = "reporting_deadline", _("Hạn trình diện")
    NOTICE_RECEIVED_ON = "notice_received_on", _("Ngày nhận thông báo")


class ImportEncoding(models.TextChoices):
    """The text encodings a CSV from a Vietnamese office comes in (XLSX files carry their own)."""

    UTF_8 = "utf-8", _("UTF-8")
    UTF_16_LE = "utf-16-le", _("UTF-16 (Unicode, Little Endian)")
    UTF_16_BE = "utf-16-be", _("UTF-16 (Unicode, Big Endian)")
    CP1258 = "cp1258", _("Windows-1258 (tiếng Việt)")


class ImportBatch(PublicModel):
    """One uploaded file of release notices and what became of it.

    UPLOADED ──check──> CHECKING ──> CHECKED (dry run done: rows to create, duplicates, errors)
                                 └─> REFUSED (the file itself is unreadable or unsafe)
    CHECKED ──commit (no row in error)──> COMMITTING ──> COMMITTED   (all rows or none)
                                                     └─> FAILED       (nothing written)
    CHECKED ──another mapping──> CHECKING (checked again)
    REFUSED, COMMITTED and FAILED are terminal; a corrected file is a new batch. Only
    ``registry.services.imports`` moves it. The file is kept encrypted until the batch ends and
    then erased (``content`` set to empty): the log keeps counts and messages, never values.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Đã tải lên")
        CHECKING = "checking", _("Đang kiểm tra")
        CHECKED = "checked", _("Đã kiểm tra (chạy thử)")
        REFUSED = "refused", _("Tệp bị từ chối")
        COMMITTING = "committing", _("Đang nhập")
        COMMITTED = "committed", _("Đã nhập")
        FAILED = "failed", _("Nhập không thành công")

    TERMINAL = frozenset({Status.REFUSED, Status.COMMITTED, Status.FAILED})

    file_name = models.CharField(_("tên tệp"), max_length=200)
    file_kind = models.CharField(_("loại tệp"), max_length=4)  # csv | xlsx
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_size = models.PositiveIntegerField(_("dung lượng (byte)"))
    content = EncryptedTextField(_("nội dung tệp (mã hóa, xóa khi xong)"))
    headers = models.JSONField(_("tên các cột của tệp"), default=list, blank=True)
    mapping = models.JSONField(_("ghép cột"), default=dict, blank=True)
    # CSV only: the encoding the dry run read the file with, and the one a person chose over it.
    encoding = models.CharField(_("bảng mã đã đọc"), max_length=12, blank=True)
    encoding_chosen = models.CharField(
        _("bảng mã chọn tay"), max_length=12, choices=ImportEncoding.choices, blank=True
    )
    # Where the table was found: {"header_rows": [5, 6], "first_row": 7, "last_row": 66,
    # "footer_row": 68, "footer": "signature", "skipped_rows": [40], "header_found": true, …}.
    layout = models.JSONField(_("vị trí bảng trong tệp"), default=dict, blank=True)
    # The rows the dry run found valid, normalised (encrypted like the file, erased with it): the
    # commit of the same day writes them after checking duplicates again instead of re-reading
    # the file. ``plan_key`` says what they were checked against (day, file, mapping).
    plan = EncryptedTextField(_("các dòng đã kiểm tra (mã hóa, xóa khi xong)"))
    plan_key = models.CharField(max_length=300, blank=True, editable=False)
    source = models.ForeignKey(
        "ImportSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nguồn (cách ghép đã lưu)"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    refusal = models.CharField(_("lý do từ chối"), max_length=2000, blank=True)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    rows_new = models.PositiveIntegerField(_("dòng sẽ tạo mới"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("dòng trùng (bỏ qua)"), default=0)
    rows_error = models.PositiveIntegerField(_("dòng lỗi"), default=0)
    # [{"row": 7, "column": "Số định danh cá nhân", "message": "…", "kind": "error|duplicate"}]
    # Messages name the row and the column, never the value (the log holds no personal data).
    problems = models.JSONField(_("lỗi và dòng trùng"), default=list, blank=True)
    cases_created = models.PositiveIntegerField(_("số hồ sơ đã tạo"), default=0)
    checked_at = models.DateTimeField(_("kiểm tra lúc"), null=True, blank=True)
    committed_at = models.DateTimeField(_("nhập lúc"), null=True, blank=True)
    seconds = models.FloatField(_("thời gian xử lý (giây)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("lượt nhập thông báo của trại giam")
        verbose_name_plural = _("lượt nhập thông báo của trại giam")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class ImportSource(BaseModel):
    """A sender of release-notice files (a prison, a detention camp, a police unit) whose column
    names were remembered from the mapping page: the aliases tied to it (``ImportColumnAlias``)
    are used again for its next files, which are recognised by those column names. Retired with
    ``is_active``, never deleted while files name it."""

    name = models.CharField(_("tên nguồn (trại giam, đơn vị gửi)"), max_length=200, unique=True)
    encoding = models.CharField(
        _("bảng mã chọn tay"),
        max_length=12,
        choices=ImportEncoding.choices,
        blank=True,
        help_text=_("Để trống: tự nhận biết. Chỉ dùng cho tệp CSV."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("nguồn tệp thông báo")
        verbose_name_plural = _("nguồn tệp thông báo")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportColumnAlias(BaseModel):
    """Another name for a column of the template, as files write it ("Nơi cư trú (xã)",
    "Nơi cư trú / Xã" for a two-row header). Without a source it is recognised in every file;
    with one, in that source's files. Matched without diacritics, case or punctuation."""

    field = models.CharField(_("thông tin"), max_length=24, choices=ImportField.choices)
    alias = models.CharField(_("tên cột trong tệp"), max_length=200)
    source = models.ForeignKey(
        ImportSource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name=_("chỉ cho nguồn"),
    )

    class Meta:
        verbose_name = _("tên cột khác")
        verbose_name_plural = _("tên cột khác")
        ordering = ["field", "alias"]
        constraints = [
            models.UniqueConstraint(
                fields=["alias", "source"],
                name="import_alias_unique_per_source",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.get_field_display()}"


class ImportTerm(BaseModel):
    """A word prisons write in a cell and what it means to the registry: a release kind ("Hết
    án" → completed), a main penalty ("Chung thân" → life; also found inside a sentence such as
    "Tử hình, ân giảm xuống chung thân"), a gender, or a unit of a sentence written as words
    ("năm" → 12 months, "tháng" → 1; "day" for days, which round the term up to the next month).
    Matched without diacritics or case: the whole cell first, else the longest term it contains."""

    class Kind(models.TextChoices):
        RELEASE_KIND = "release_kind", _("Hình thức ra trại")
        MAIN_PENALTY = "main_penalty", _("Hình phạt chính")
        GENDER = "gender", _("Giới tính")
        SENTENCE_UNIT = "sentence_unit", _("Đơn vị của thời hạn tù")

    kind = models.CharField(_("loại"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("cách ghi trong tệp"), max_length=200)
    value = models.CharField(
        _("nghĩa trong sổ theo dõi"),
        max_length=20,
        help_text=_(
            "Hình thức: completed, amnesty, conditional. Hình phạt: prison, life, "
            "death_commuted, suspended, non_custodial, fine, warning. Giới tính: male, female. "
            "Đơn vị thời hạn: số tháng của một đơn vị (năm = 12, tháng = 1) hoặc day (ngày)."
        ),
    )

    class Meta:
        verbose_name = _("từ ngữ trong tệp thông báo")
        verbose_name_plural = _("từ ngữ trong tệp thông báo")
        ordering = ["kind", "text"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "text"], name="import_term_unique_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.text} → {self.value}"

    def clean(self) -> None:
        from registry.models.people import CustodyRecord, Person

        allowed: dict[str, set[str]] = {
            self.Kind.RELEASE_KIND: set(CustodyRecord.ReleaseKind.values),
            self.Kind.MAIN_PENALTY: set(CustodyRecord.PenaltyKind.values),
            self.Kind.GENDER: set(Person.Gender.values),
        }
        value = (self.value or "").strip()
        if self.kind == self.Kind.SENTENCE_UNIT:
            valid = value == "day" or (value.isdigit() and 1 <= int(value) <= 360)
        else:
            valid = value in allowed.get(self.kind, set())
        if not valid:
            raise ValidationError({"value": _("Giá trị không hợp lệ cho loại từ ngữ này.")})
