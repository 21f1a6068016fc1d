"""Outreach: campaign content, segments, campaigns, the outbox, opt-outs and inbound messages.

Every status-bearing model draws its lifecycle in its docstring; only ``outreach.services`` move
it. Destinations and message bodies are personal data: encrypted, searched through blind indexes
(a phone's index uses the same purpose as ``Person.phone_index``, so an opt-out recorded for a
number matches every message to it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models import NeedType, Person
from registry.models.base import BaseModel, PublicModel

PHONE_INDEX_PURPOSE = "person.phone"
ZALO_USER_INDEX_PURPOSE = "zalo.user"


class Channel(models.TextChoices):
    """Where a message goes. Zalo ZNS reaches a phone number with an approved template; Zalo OA
    reaches a follower of the Official Account; SMS reaches a phone (without diacritics)."""

    ZALO_ZNS = "zalo_zns", _("Zalo ZNS (tin mẫu)")
    ZALO_OA = "zalo_oa", _("Zalo OA (người quan tâm)")
    SMS = "sms", _("SMS")


class ContentItem(PublicModel):
    """A piece of the province's campaign content, with its renderings per channel.

    DRAFT ──submit──> IN_REVIEW ──approve──> APPROVED ──publish──> PUBLISHED ──archive──> ARCHIVED
      ^                  │ reject                            (APPROVED may be archived too)
      └──────────────────┘
    Editing an approved or published item sends it back to DRAFT with a new version number. Each
    approval snapshots a ``ContentVersion``; every message records the version it carried. Approval
    is refused while the discretion check flags words that reveal a past conviction, unless the
    approver overrides it with a reason."""

    class Kind(models.TextChoices):
        NEWS = "news", _("Tin tức")
        POLICY = "policy", _("Chính sách, pháp luật")
        GUIDANCE = "guidance", _("Hướng dẫn thủ tục")
        QA = "qa", _("Hỏi – đáp")
        WARNING = "warning", _("Cảnh báo thủ đoạn lôi kéo")
        REBUTTAL = "rebuttal", _("Phản bác thông tin sai")
        STORY = "story", _("Gương điển hình")
        VIDEO = "video", _("Video")
        OFFER = "offer", _("Ưu đãi (vay vốn, học nghề)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        IN_REVIEW = "in_review", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        PUBLISHED = "published", _("Đã đăng")
        ARCHIVED = "archived", _("Lưu trữ")

    slug = models.SlugField(_("đường dẫn"), max_length=120, unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("tiêu đề"), max_length=200)
    summary = models.CharField(_("tóm tắt"), max_length=300, blank=True)
    body = models.TextField(_("nội dung (web, Zalo)"))
    sms_text = models.TextField(
        _("nội dung SMS (không dấu)"),
        blank=True,
        help_text=_("Đọc lại bằng tay: chữ không dấu dễ hiểu nhầm (bán / bạn / bàn → ban)."),
    )
    zalo_text = models.TextField(_("nội dung Zalo OA"), blank=True)
    zns_template_id = models.CharField(_("mã mẫu ZNS"), max_length=40, blank=True)
    zns_params = models.JSONField(
        _("tham số mẫu ZNS"), default=dict, blank=True, help_text=_('Ví dụ {"ten": "((ten))"}')
    )
    video_url = models.URLField(_("đường dẫn video"), blank=True)
    story_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nhân vật (câu chuyện)"),
        help_text=_("Câu chuyện chỉ được đăng khi người này đã đồng ý cho đăng."),
    )
    need_types = models.ManyToManyField(NeedType, blank=True, verbose_name=_("nhu cầu liên quan"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    discretion_flags = models.JSONField(_("từ ngữ cần xem lại"), default=list, blank=True)
    discretion_override = models.TextField(_("lý do vẫn duyệt"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    review_note = models.TextField(_("ý kiến người duyệt"), blank=True)
    published_at = models.DateTimeField(_("đăng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("nội dung tuyên truyền")
        verbose_name_plural = _("nội dung tuyên truyền")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_offer(self) -> bool:
        return self.kind == self.Kind.OFFER


class ContentVersion(BaseModel):
    """The text of a content item as it was submitted for review (immutable)."""

    content = models.ForeignKey(ContentItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    title = models.CharField(max_length=200)
    body = models.TextField()
    sms_text = models.TextField(blank=True)
    zalo_text = models.TextField(blank=True)
    zns_template_id = models.CharField(max_length=40, blank=True)
    zns_params = models.JSONField(default=dict, blank=True)
    is_offer = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("phiên bản nội dung")
        constraints = [
            models.UniqueConstraint(fields=["content", "number"], name="one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Segment(PublicModel):
    """A saved, typed filter over the registry (see ``outreach.segments.SegmentFilters``).
    Outreach staff see how many people match, never who."""

    name = models.CharField(_("tên nhóm"), max_length=150)
    filters = models.JSONField(_("điều kiện"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("nhóm người nhận")
        verbose_name_plural = _("nhóm người nhận")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Campaign(PublicModel):
    """One content item sent to one segment over channels in order of preference.

    DRAFT ──submit──> PENDING_APPROVAL ──approve──> APPROVED ──launch──> RUNNING ──> COMPLETED
      ^                     │ reject                                    │  ^
      └─────────────────────┘                                  pause    v  │ resume
                                                                      PAUSED
    Any state before COMPLETED may be CANCELLED (queued messages are skipped). A one-off campaign
    completes when none of its messages is waiting; a campaign relative to the release date keeps
    running (new people reach their day) until it is cancelled or its ``ends_on`` passes.
    Sandbox campaigns reach only the staff test numbers (``TestRecipient``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        PENDING_APPROVAL = "pending_approval", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        RUNNING = "running", _("Đang gửi")
        PAUSED = "paused", _("Tạm dừng")
        COMPLETED = "completed", _("Đã xong")
        CANCELLED = "cancelled", _("Đã hủy")

    class Schedule(models.TextChoices):
        ONCE = "once", _("Gửi một lần")
        RELATIVE = "relative", _("Theo ngày chấp hành xong án")

    name = models.CharField(_("tên chiến dịch"), max_length=150)
    content = models.ForeignKey(
        ContentItem, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("nội dung")
    )
    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("nhóm nhận")
    )
    channels = models.JSONField(_("kênh theo thứ tự ưu tiên"), default=list, blank=True)
    schedule = models.CharField(
        _("lịch gửi"), max_length=10, choices=Schedule.choices, default=Schedule.ONCE
    )
    send_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    relative_days = models.JSONField(_("các ngày sau khi về"), default=list, blank=True)
    send_hour = models.PositiveSmallIntegerField(_("giờ gửi"), default=9)
    ends_on = models.DateField(_("kết thúc ngày"), null=True, blank=True)
    sandbox = models.BooleanField(_("chạy thử (chỉ số của cán bộ)"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("ý kiến người duyệt"), blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outbox_written_at = models.DateTimeField(null=True, blank=True)
    planned_recipients = models.PositiveIntegerField(default=0)
    # The explained count at the moment the outbox was written (outreach.audience).
    audience = models.JSONField(default=dict, blank=True)
    # Why a campaign stopped by itself (PAUSED without a person pressing "pause"): "budget"
    # when a channel's monthly budget was reached; cleared on resume.
    paused_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("chiến dịch")
        verbose_name_plural = _("chiến dịch")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class TestRecipient(PublicModel):
    """A staff member's own number or Zalo id that sandbox campaigns reach instead of people."""

    name = models.CharField(_("tên cán bộ"), max_length=150)
    phone = EncryptedTextField(_("số điện thoại"))
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    zalo_user_id = models.CharField(_("Zalo user id (OA)"), max_length=64, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("số thử nghiệm của cán bộ")
        verbose_name_plural = _("số thử nghiệm của cán bộ")

    def __str__(self) -> str:
        return self.name


class Message(PublicModel):
    """The outbox: one row per campaign × event × person × channel (or per single message).

    CREATED ──claim──> SENDING ──provider accepted──> SENT ──receipt──> DELIVERED
       ^  │               │ │                           └──receipt──> PERMANENT_FAILURE
       │  │ rules fail    │ │ permanent error                        TEMPORARY_FAILURE
       │  v               │ └──────────────> PERMANENT_FAILURE
       │ SKIPPED(reason)  │ transient error past the retry window ──> TECHNICAL_FAILURE
       └──────────────────┘ transient error: back to CREATED with ``next_attempt_at`` (backoff);
                            lease expired with no provider id and no callback (sweeper) — but a
                            row whose call may have reached the provider (a timeout; the one a
                            dead worker was sending) is asked about first: found → SENT; the
                            provider cannot tell → SENDING for a grace (error_code "unknown")
    Terminal: DELIVERED, PERMANENT_FAILURE, TEMPORARY_FAILURE, TECHNICAL_FAILURE, SKIPPED — never
    overwritten. A provider is called only for a row this worker moved from CREATED to SENDING (the
    lease is proof); a row with a provider id or a callback is never sent again. Our ``uuid``
    travels to the provider (Twilio callback URL, Zalo ``tracking_id``) so receipts find the row."""

    class Status(models.TextChoices):
        CREATED = "created", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Nhà mạng đã nhận")
        DELIVERED = "delivered", _("Đã đến máy")
        PERMANENT_FAILURE = "permanent_failure", _("Không gửi được (số/tài khoản)")
        TEMPORARY_FAILURE = "temporary_failure", _("Máy không nhận được (tạm thời)")
        TECHNICAL_FAILURE = "technical_failure", _("Lỗi kỹ thuật")
        SKIPPED = "skipped", _("Bỏ qua")

    class SkipReason(models.TextChoices):
        NO_CONSENT = "no_consent", _("Chưa đồng ý nhận tin qua kênh này")
        OPTED_OUT = "opted_out", _("Đã từ chối nhận tin")
        DAILY_CAP = "daily_cap", _("Đã nhận đủ 3 tin trong 24 giờ")
        QUOTA = "quota", _("Hết hạn mức gửi trong ngày của kênh")
        NO_DESTINATION = "no_destination", _("Không có số/tài khoản nhận")
        CANCELLED = "cancelled", _("Chiến dịch đã hủy")
        DEMO_PERSON = "demo_person", _("Người giả lập (không gửi thật)")
        CASE_CLOSED = "case_closed", _("Hồ sơ đã kết thúc")
        BUDGET = "budget", _("Hết ngân sách tháng của kênh")

    TERMINAL = frozenset(
        {
            Status.DELIVERED,
            Status.PERMANENT_FAILURE,
            Status.TEMPORARY_FAILURE,
            Status.TECHNICAL_FAILURE,
            Status.SKIPPED,
        }
    )

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,  # message_progress_idx leads with the campaign
    )
    event = models.SmallIntegerField(
        default=0, help_text="Day after release for relative campaigns; 0 for one-off sends."
    )
    # No index of its own: message_person_sent_idx leads with the person (every index here is
    # written on each change of status; issue 19's dispatch speed).
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    test_recipient = models.ForeignKey(
        TestRecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    destination = EncryptedTextField()
    destination_index = models.CharField(max_length=64)  # indexed in Meta (no LIKE index)
    body = EncryptedTextField()
    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    segments = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED)
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    sender = models.CharField(max_length=40, blank=True)
    # The backend that carries (or carried) the row: "esms", "speedsms", "twilio", "zalo",
    # "console". Blank until routing picks one at send time; a gateway refusal that another
    # route may overcome sets it to the fallback route and queues the row again.
    provider = models.CharField(max_length=20, blank=True)
    # The carrier of the destination: from the number's prefix when written (portability makes
    # it a hint), then from the gateway's delivery report (eSMS ``telcoid``).
    carrier = models.CharField(max_length=20, blank=True)
    cost = models.PositiveIntegerField(default=0, help_text="VND, charged against the budget.")
    # When this row took one of the person's daily slots (the strict cap): set under the
    # person's advisory lock, cleared again if the provider never accepted the message.
    counted_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)  # indexed in Meta (no LIKE index)
    provider_status = models.CharField(max_length=30, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tin nhắn")
        verbose_name_plural = _("tin nhắn")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "event", "person", "channel"],
                condition=Q(campaign__isnull=False, person__isnull=False),
                name="one_message_per_campaign_event_person_channel",
            ),
            models.UniqueConstraint(
                fields=["campaign", "event", "test_recipient", "channel"],
                condition=Q(campaign__isnull=False, test_recipient__isnull=False),
                name="one_message_per_campaign_event_tester_channel",
            ),
        ]
        indexes = [
            # The claim: due rows in order (partial, so it stays small while campaigns finish).
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="created"),
                name="message_due_idx",
            ),
            models.Index(
                fields=["lease_until"], condition=Q(status="sending"), name="message_leased_idx"
            ),
            # A person's message history; the strict cap counts slots taken in 24 hours.
            models.Index(fields=["person", "sent_at"], name="message_person_sent_idx"),
            models.Index(
                fields=["person", "counted_at"],
                condition=Q(counted_at__isnull=False),
                name="message_person_counted_idx",
            ),
            # Gateway messages still waiting for a final status (delivery report polling).
            models.Index(
                fields=["provider", "sent_at"], condition=Q(status="sent"), name="message_poll_idx"
            ),
            # Also the campaign's own index (it leads), which the foreign key therefore lacks.
            models.Index(fields=["campaign", "status", "channel"], name="message_progress_idx"),
            # Opt-outs by number; receipts by the provider's id. Equality only: no LIKE index.
            models.Index(fields=["destination_index"], name="message_destination_idx"),
            models.Index(fields=["provider_id"], name="message_provider_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.uuid}"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class DeliveryReceipt(BaseModel):
    """Each status a provider reported for a message, once (callbacks repeat and arrive out of
    order; the unique key drops the repeats)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="receipts")
    provider_status = models.CharField(max_length=30)
    error_code = models.CharField(max_length=20, blank=True)
    applied = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("báo cáo phát tin")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "provider_status"], name="one_receipt_per_status"
            )
        ]


class OptOut(BaseModel):
    """A destination that must not be messaged, on one channel or all. Active until revoked (a
    citizen may opt back in on the website). ``destination_index`` is the blind index of the
    phone (or Zalo user id for OA unfollows)."""

    class Source(models.TextChoices):
        OFFICER = "officer", _("Cán bộ ghi nhận người dân từ chối")
        HOTLINE = "hotline", _("Đường dây nóng")
        ZALO_UNFOLLOW = "zalo_unfollow", _("Bỏ quan tâm Zalo OA")
        SMS_KEYWORD = "sms_keyword", _("Tin nhắn trả lời (TU CHOI, HUY, STOP)")
        ZALO_KEYWORD = "zalo_keyword", _("Tin nhắn Zalo (TU CHOI, HUY, STOP)")
        PROVIDER = "provider", _("Nhà mạng báo người nhận đã hủy đăng ký")
        WEBSITE = "website", _("Trang web (xác thực bằng mã OTP)")

    ALL_CHANNELS = "all"

    destination_index = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=10)  # a Channel value, "zalo" for both Zalo, or "all"
    source = models.CharField(max_length=16, choices=Source.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="opt_outs"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    CHANNEL_LABELS = {
        ALL_CHANNELS: _("mọi kênh"),
        "zalo": _("Zalo (ZNS và OA)"),
        **dict(Channel.choices),
    }

    @property
    def channel_label(self) -> str:
        return str(self.CHANNEL_LABELS.get(self.channel, self.channel))

    class Meta:
        verbose_name = _("từ chối nhận tin")
        verbose_name_plural = _("từ chối nhận tin")
        indexes = [
            models.Index(
                fields=["destination_index", "channel"],
                condition=Q(revoked_at__isnull=True),
                name="optout_active_idx",
            )
        ]


class InboundMessage(PublicModel):
    """A message a citizen sent us (SMS reply where the route allows, Zalo OA chat)."""

    channel = models.CharField(max_length=10, choices=Channel.choices)
    sender_index = models.CharField(max_length=64, db_index=True)
    body = EncryptedTextField()
    provider_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, blank=True)  # e.g. "opt_out"

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"

    class Meta:
        verbose_name = _("tin nhắn đến")


class ZaloFollower(BaseModel):
    """A follower of the Official Account (ids are OA-scoped), linked to a person when they send
    the OA a one-time link code (``ZaloLinkCode``); unlinked when they unfollow."""

    user_id = models.CharField(max_length=64, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="zalo_followers"
    )
    following = models.BooleanField(default=True)
    last_interaction_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)
    link_attempts = models.PositiveSmallIntegerField(default=0)
    link_attempts_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người theo dõi Zalo OA")


class ZaloLinkCode(BaseModel):
    """A one-time code that links a person's Zalo to the registry: issued by their officer
    (shown on the page, printed as a QR code, or sent to the person by SMS), then sent by the
    person to the Official Account. Stored as a keyed hash; ``used_at`` or ``expires_at`` ends
    it. The officer who issued it is the one who records the OA consent it carries."""

    class Delivery(models.TextChoices):
        SHOWN = "shown", _("Cán bộ đưa mã (hoặc mã QR) trực tiếp")
        SMS = "sms", _("Gửi mã qua SMS")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    delivery = models.CharField(max_length=8, choices=Delivery.choices, default=Delivery.SHOWN)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    follower = models.ForeignKey(
        ZaloFollower, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mã liên kết Zalo")


class SmsRate(BaseModel):
    """Contract data per SMS route and carrier: the price of one segment (VND) and whether the
    province's brandname is registered on that carrier (a gateway cannot reach a carrier where
    it is not: eSMS error 177). ``carrier`` blank is the route's price for any carrier."""

    provider = models.CharField(_("nhà cung cấp"), max_length=20)
    carrier = models.CharField(_("nhà mạng"), max_length=20, blank=True)
    price_per_segment = models.PositiveIntegerField(_("giá mỗi phần tin (đồng)"))
    brandname_registered = models.BooleanField(_("đã đăng ký brandname"), default=True)

    class Meta:
        verbose_name = _("giá tin nhắn theo nhà mạng")
        verbose_name_plural = _("giá tin nhắn theo nhà mạng")
        constraints = [
            models.UniqueConstraint(fields=["provider", "carrier"], name="one_rate_per_route")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.carrier or '*'}: {self.price_per_segment} đ"


class ChannelBudget(BaseModel):
    """A monthly spending limit (VND) for one sending route. Sending through it stops — the
    message waits and its campaign pauses with reason "budget" — once the month's spend would
    pass the limit. The spend is counted in ``BudgetSpend`` by a conditional UPDATE, so two
    workers can never both take the last đồng."""

    provider = models.CharField(_("nhà cung cấp"), max_length=20, unique=True)
    monthly_limit = models.PositiveBigIntegerField(_("ngân sách mỗi tháng (đồng)"))
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("ngân sách gửi tin")
        verbose_name_plural = _("ngân sách gửi tin")

    def __str__(self) -> str:
        return f"{self.provider}: {self.monthly_limit} đ/tháng"


class BudgetSpend(BaseModel):
    """What one route has spent in one month (Asia/Ho_Chi_Minh), in VND."""

    provider = models.CharField(max_length=20)
    month = models.DateField()  # the first day of the month
    spent = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("chi phí gửi tin")
        constraints = [
            models.UniqueConstraint(fields=["provider", "month"], name="one_spend_per_month")
        ]


class ProviderToken(PublicModel):
    """The OAuth token pair of a provider (Zalo). One row; refreshed under a row lock because the
    refresh token is single-use: the new pair is saved in the same transaction that used it."""

    provider = models.CharField(max_length=20, unique=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    access_expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    refreshes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.provider

    class Meta:
        verbose_name = _("mã truy cập nhà cung cấp")


class Question(PublicModel):
    """A citizen's question from the public website (Hỏi đáp – Tư vấn).

    NEW ──answer privately──> ANSWERED (the answer goes to the phone through the outreach
     │                                  channels; the question never becomes public)
     ├──publish──> PUBLISHED (staff write an anonymised question and answer as Q&A content)
     └──reject──> REJECTED (spam, abuse)
    The question and the phone are personal data: encrypted; staff see them in the queue."""

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        ANSWERED = "answered", _("Đã trả lời riêng")
        PUBLISHED = "published", _("Đã đăng hỏi – đáp")
        REJECTED = "rejected", _("Bỏ qua (spam)")

    body = EncryptedTextField(_("câu hỏi"))
    phone = EncryptedTextField(_("số điện thoại"))
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    answer = EncryptedTextField(_("trả lời"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published_item = models.ForeignKey(
        ContentItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("câu hỏi của người dân")
        verbose_name_plural = _("câu hỏi của người dân")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.created_at:%d/%m/%Y}"


class PhoneCode(BaseModel):
    """A one-time code sent to a phone for the "manage my messages" page: stored as an HMAC,
    expiring, with a limited number of attempts. ``used_at`` ends it."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác minh số điện thoại")
