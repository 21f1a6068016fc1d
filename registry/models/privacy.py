"""Requests of data subjects under the personal-data law (PDP Law 91/2025, Decree 356/2025) and
the deadlines that apply to them — data with validity dates, never constants (LAW.md §5 marks
the day counts per kind as third-party: edit the rows when the text is confirmed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models.base import BaseModel, PublicModel, ValidityPeriod
from registry.models.people import Person


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Xem, nhận bản sao dữ liệu")
    CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
    DELETION = "deletion", _("Xóa dữ liệu")
    RESTRICTION = "restriction", _("Hạn chế xử lý")
    OBJECTION = "objection", _("Phản đối xử lý")
    WITHDRAWAL = "withdrawal", _("Rút lại sự đồng ý")


class DataSubjectRequestRule(ValidityPeriod, BaseModel):
    """How long each kind of request may take, in working days: acknowledge, complete, complete
    when a processor or third party is involved."""

    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=RequestKind.choices)
    acknowledge_working_days = models.PositiveSmallIntegerField(
        _("xác nhận đã nhận (ngày làm việc)")
    )
    complete_working_days = models.PositiveSmallIntegerField(_("giải quyết (ngày làm việc)"))
    complete_with_processor_working_days = models.PositiveSmallIntegerField(
        _("giải quyết khi có bên xử lý, bên thứ ba (ngày làm việc)")
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=200)

    class Meta:
        verbose_name = _("thời hạn giải quyết yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("thời hạn giải quyết yêu cầu của chủ thể dữ liệu")
        ordering = ["kind", "-valid_from"]

    def __str__(self) -> str:
        days = f"{self.complete_working_days}/{self.complete_with_processor_working_days}"
        return f"{self.get_kind_display()}: {days}"


class DataSubjectRequest(PublicModel):
    """A request from the person the data is about.

    RECEIVED ──acknowledge──> ACKNOWLEDGED ──complete(response)──> COMPLETED
        └────────────────────────┴──refuse(reason, legal ground)──> REFUSED
    COMPLETED and REFUSED are terminal. Deadlines are fixed when the request is recorded, from the
    rule valid on the day it was received. A withdrawal of consent takes effect when recorded
    (the person's consents for the named purposes are withdrawn in the same transaction).
    Only ``registry.services.privacy`` moves it.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        ACKNOWLEDGED = "acknowledged", _("Đã xác nhận với người yêu cầu")
        COMPLETED = "completed", _("Đã giải quyết")
        REFUSED = "refused", _("Từ chối (có căn cứ)")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("Trực tiếp")
        LETTER = "letter", _("Văn bản, thư")
        PHONE = "phone", _("Điện thoại")
        ONLINE = "online", _("Trực tuyến")

    OPEN = frozenset({Status.RECEIVED, Status.ACKNOWLEDGED})

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="data_requests", verbose_name=_("người")
    )
    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=RequestKind.choices)
    channel = models.CharField(_("hình thức nhận"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("ngày nhận"))
    involves_processor = models.BooleanField(
        _("có bên xử lý dữ liệu hoặc bên thứ ba"), default=False
    )
    consent_purposes = models.JSONField(
        _("mục đích rút lại đồng ý"), default=list, blank=True
    )  # for WITHDRAWAL: Consent.Purpose values
    details = EncryptedTextField(_("nội dung yêu cầu"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    acknowledge_due = models.DateField(_("hạn xác nhận"))
    complete_due = models.DateField(_("hạn giải quyết"), db_index=True)
    acknowledged_on = models.DateField(_("ngày xác nhận"), null=True, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    response = EncryptedTextField(_("kết quả, trả lời"))
    rule = models.ForeignKey(DataSubjectRequestRule, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["complete_due", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — hạn {self.complete_due:%d/%m/%Y}"

    def is_overdue(self, today) -> bool:  # type: ignore[no-untyped-def]
        """The same test as ``overdue_q``, on a loaded request."""
        return (
            self.status in self.OPEN
            and self.complete_due < today
            or (self.status == self.Status.RECEIVED and self.acknowledge_due < today)
        )

    @classmethod
    def overdue_q(cls, today) -> Q:  # type: ignore[no-untyped-def]
        """Open past its completion deadline, or still unacknowledged past that deadline."""
        return Q(status__in=cls.OPEN, complete_due__lt=today) | Q(
            status=cls.Status.RECEIVED, acknowledge_due__lt=today
        )
