"""Who may see what, and the record of who saw and changed what (DESIGN.md section 4).

Roles live on memberships (user × agency × role, with the user's administrative units); the rules
that turn them into rows and fields are in ``registry.access``. Per-object grants that the rules do
not cover are django-guardian rows on a direct foreign key, with an expiry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from registry.fields import EncryptedTextField
from registry.models.base import BaseModel, PublicModel
from registry.models.cases import Case
from registry.models.places import AdministrativeUnit, Agency


class Role(models.TextChoices):
    """Roles, from the widest view of personal data to none (DESIGN.md section 4).

    Provincial police see the whole province; commune roles see the cases of their units; agency
    roles see what was referred to their agency; content editors, outreach managers and auditors
    see no personal data at all (auditors see the access log instead)."""

    PROVINCIAL_POLICE = "provincial_police", _("Công an tỉnh")
    COMMUNE_POLICE = "commune_police", _("Công an xã")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã")
    HOME_AFFAIRS = "home_affairs", _("Nội vụ (việc làm, đào tạo)")
    SOCIAL_POLICY_BANK = "social_policy_bank", _("Ngân hàng Chính sách xã hội")
    JUSTICE = "justice", _("Tư pháp; hồ sơ lý lịch tư pháp")
    # The police records unit issues judicial record certificates from 01/07/2026 (Law 107/2025).
    RECORDS_UNIT = "records_unit", _("Hồ sơ nghiệp vụ Công an (lý lịch tư pháp)")
    CONTENT_EDITOR = "content_editor", _("Biên tập nội dung")
    OUTREACH_MANAGER = "outreach_manager", _("Quản lý truyền thông")
    AUDITOR = "auditor", _("Kiểm tra, bảo vệ dữ liệu")


class Membership(BaseModel):
    """A user's role in an agency, over the administrative units they cover (commune roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    units = models.ManyToManyField(
        AdministrativeUnit,
        blank=True,
        related_name="memberships",
        verbose_name=_("địa bàn"),
        limit_choices_to={"unit_list": "2025", "level": "commune"},
    )
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """An explicit grant on one case (a move between communes, a loan to an inspector), until
    ``expires_at``. Checked by the access policy after the rules."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    expires_at = models.DateTimeField(_("hết hạn"))
    reason = models.CharField(_("lý do"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("quyền truy cập hồ sơ")
        verbose_name_plural = _("quyền truy cập hồ sơ")
        indexes = [models.Index(fields=["user", "expires_at"])]


class AccessEvent(models.Model):
    """One read or write of personal data, a sign-in event or a refusal. Append-only: the runtime
    database role may only SELECT and INSERT, and a trigger refuses UPDATE, DELETE and TRUNCATE
    even to the owner. Written in the same transaction as what it records.

    Tamper-evident: each writer (a thread of a process) keeps its own gapless chain — ``chain``,
    ``seq`` 1, 2, 3 … — and ``digest`` is an HMAC, under a key kept outside the database, of the
    previous row's digest and this row (``registry.audit``); ``manage.py verify_audit_chain``
    recomputes it. A row changed, deleted or inserted by anyone without the key breaks it."""

    class Action(models.TextChoices):
        VIEW = "view", _("Xem")
        LIST = "list", _("Danh sách")
        SEARCH = "search", _("Tìm kiếm")
        EXPORT = "export", _("Xuất dữ liệu")
        CREATE = "create", _("Tạo")
        UPDATE = "update", _("Sửa")
        TRANSITION = "transition", _("Chuyển trạng thái")
        LOGIN = "login", _("Đăng nhập")
        FAILED_LOGIN = "failed_login", _("Đăng nhập sai")
        DENIED = "denied", _("Bị từ chối")

    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=100, blank=True)
    action = models.CharField(_("hành động"), max_length=12, choices=Action.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=40, blank=True)
    object_ids = models.JSONField(_("mã đối tượng"), default=list)
    person_ids = models.JSONField(_("người liên quan"), default=list)
    purpose = models.CharField(_("mục đích"), max_length=200, blank=True)
    # Ours (random, from the server); the client's own X-Request-ID only when well formed.
    request_id = models.CharField(max_length=64, blank=True)
    client_request_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    chain = models.CharField(max_length=32, blank=True)
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"],
                condition=models.Q(seq__isnull=False),
                name="access_event_one_row_per_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.action} {self.object_type}"


class ChangeLog(PublicModel):
    """A change to a legally significant field (custody record, case status, national ID, phone),
    with its required reason. Old and new values are encrypted when the field is."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=40)
    object_uuid = models.UUIDField(db_index=True)
    field = models.CharField(max_length=60)
    old_value = EncryptedTextField(_("giá trị cũ"))
    new_value = EncryptedTextField(_("giá trị mới"))
    reason = models.CharField(_("lý do"), max_length=500)

    class Meta:
        verbose_name = _("lịch sử thay đổi")
        verbose_name_plural = _("lịch sử thay đổi")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.field} ({self.created_at:%d/%m/%Y})"


class RecoveryCode(BaseModel):
    """A single-use recovery code for the second factor, stored hashed (like a password)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=200)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã khôi phục")
        verbose_name_plural = _("mã khôi phục")

    def __str__(self) -> str:
        return f"{self.user} ({'đã dùng' if self.used_at else 'còn hiệu lực'})"


class ApiToken(PublicModel):
    """A per-user token for integrations. Only a SHA-256 hash of the secret is stored; the secret is
    shown once when issued. ACTIVE until ``expires_at`` or revocation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8, help_text=_("Phần đầu của mã, để nhận ra mã."))
    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Notification(BaseModel):
    """An in-app message to a staff user (a referral changed, an overdue referral escalated)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("nội dung"), max_length=300)
    url = models.CharField(_("đường dẫn"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
