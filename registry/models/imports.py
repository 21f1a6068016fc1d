"""Bulk import of prison release notices: one ``ImportBatch`` per uploaded file (the import log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models.base import PublicModel


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
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    refusal = models.CharField(_("lý do từ chối"), max_length=500, blank=True)
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
