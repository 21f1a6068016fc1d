"""Reintegration cases, their milestones, needs, referrals, notes and consents.

Status fields move only through ``registry.services`` (one transaction, the acting user recorded);
each model's docstring draws its state machine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models.base import BaseModel, PublicModel
from registry.models.people import CustodyRecord, Person
from registry.models.places import AdministrativeUnit, Agency, NeedType
from registry.models.transitions import Step, sources, steps

# Columns the database keeps as copies for its indexes: never shown, exported or served.
INDEX_COPIES = frozenset({"sort_name", "expungement_eligible_on"})


class Case(PublicModel):
    """The management of one person in one commune after one release (Circular 10/2024).

    EXPECTED ──address verified──> AWAITING_ARRIVAL ──presented──> ACTIVE ──> CLOSED(reason)
        └───────────────────────────────┴───────────────────────────────────> CLOSED(reason)

    EXPECTED: the prison's notice is registered; the commune police check the address within
        3 working days. AWAITING_ARRIVAL: the address is verified; the person has not reported yet.
    ACTIVE: the person reported (trình diện) and an officer manages the case.
    CLOSED: terminal; ``close_reason`` says why (Circ. 10/2024 art. 14(1)).
    At most one case per person is not closed. Only ``registry.services.case_*`` change status.
    """

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Chờ người về (đã có thông báo)")
        AWAITING_ARRIVAL = "awaiting_arrival", _("Đã xác minh nơi cư trú, chờ trình diện")
        ACTIVE = "active", _("Đang quản lý")
        CLOSED = "closed", _("Đã kết thúc")

    class CloseReason(models.TextChoices):
        EXPUNGED = "expunged", _("Đã được xóa án tích")
        MOVED_AWAY = "moved_away", _("Chuyển nơi cư trú")
        SETTLED_ABROAD = "abroad", _("Định cư ở nước ngoài")
        MISSING = "missing", _("Bị tuyên bố mất tích")
        DECEASED = "deceased", _("Đã chết")
        REOFFENDED = "reoffended", _("Chấp hành án phạt tù mới")
        OTHER = "other", _("Lý do khác")

    class Classification(models.TextChoices):
        # Circular 10/2024 art. 12, form HCD-09, reviewed each quarter.
        A = "A", _("A — chấp hành tốt pháp luật, ổn định cuộc sống")
        B = "B", _("B — chấp hành pháp luật, còn khó khăn")
        C = "C", _("C — không chấp hành pháp luật hoặc có nguy cơ vi phạm")
        D = "D", _("D — đang bị tạm giữ, tạm giam, giáo dục, cai nghiện")

    OPEN = (Status.EXPECTED, Status.AWAITING_ARRIVAL, Status.ACTIVE)
    TRANSITIONS = steps(
        (
            "verify-address",
            Step(_("xác minh nơi cư trú"), sources(Status.EXPECTED), Status.AWAITING_ARRIVAL),
        ),
        (
            "present",
            Step(
                _("ghi nhận trình diện"),
                sources(Status.EXPECTED, Status.AWAITING_ARRIVAL),
                Status.ACTIVE,
            ),
        ),
        (
            "close",
            Step(_("kết thúc hồ sơ"), sources(*OPEN), Status.CLOSED, destructive=True),
        ),
    )

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("người")
    )
    custody_record = models.ForeignKey(
        CustodyRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("hồ sơ thi hành án"),
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"unit_list": "2025", "level": "commune"},
        verbose_name=_("xã, phường"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.EXPECTED
    )
    close_reason = models.CharField(
        _("lý do kết thúc"), max_length=12, choices=CloseReason.choices, blank=True
    )
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("cán bộ phụ trách"),
    )
    helper = EncryptedTextField(_("người được phân công giúp đỡ"))
    helper_assigned_on = models.DateField(_("ngày phân công giúp đỡ"), null=True, blank=True)
    # The date of the latest note (visit, call, meeting): kept by case_note_add so that the
    # worklist finds the visits due with an index instead of aggregating every note.
    last_contact_on = models.DateField(
        _("lần liên hệ gần nhất"), null=True, blank=True, editable=False
    )
    classification = models.CharField(
        _("phân loại"), max_length=1, choices=Classification.choices, blank=True
    )
    classified_on = models.DateField(_("ngày phân loại"), null=True, blank=True)
    reporting_deadline = models.DateField(
        _("hạn trình diện"),
        null=True,
        blank=True,
        help_text=_("Ghi theo giấy chứng nhận (PT70, PT72) của từng người."),
    )
    address_check_due = models.DateField(_("hạn xác minh nơi cư trú"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người mở hồ sơ"),
    )
    # The person's folded name, copied here by the database (triggers in migration 0022, kept in
    # step when the name changes or the case changes person) so that a commune's case list reads
    # its page in name order, and search by name its matches, from one index of the commune's
    # cases instead of probing each person's row (issue 20). Never written by Python.
    sort_name = models.CharField(max_length=150, editable=False, default="")
    # Its custody record's expungement eligibility date, copied the same way (migration 0023) so
    # that the expungement window of the worklist and home is a range of one index.
    expungement_eligible_on = models.DateField(null=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Retention (registry.services.retention): a case closed by expungement is archived — its
    # outreach data deleted — and its person's fields minimised after a configurable period.
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("hồ sơ tái hòa nhập")
        verbose_name_plural = _("hồ sơ tái hòa nhập")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=~Q(status="closed"), name="one_open_case_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False) & ~Q(close_reason="")
                | (~Q(status="closed") & Q(close_reason="")),
                name="closed_case_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "status", "-created_at"]),
            # People awaited (the worklist's first list, home's and the header's counts): a
            # commune's new notices by the address-check deadline (11 → 0.1 ms).
            models.Index(
                fields=["commune", "address_check_due", "id"],
                condition=Q(status__in=["expected", "awaiting_arrival"]),
                name="case_arrivals_idx",
            ),
            # Visits due read a commune's active cases in order — never seen first, then the
            # longest unseen — from case_visits_order_idx (migration 0023, in SQL: SQLite has no
            # NULLS FIRST in an index, and sorts nulls first anyway).
            # The expungement window (home's card, the worklist): a range of this index (issue
            # 20: 65 ms joining every active case to its record → 22 ms index-only → < 1 ms).
            models.Index(
                fields=["commune", "expungement_eligible_on", "id"],
                condition=Q(status="active", expungement_eligible_on__isnull=False),
                name="case_expungement_window_idx",
            ),
            # The case list in name order and search by name: a commune's cases by name, with
            # what search orders by first, read from this index alone.
            models.Index(
                fields=["commune", "sort_name", "id"],
                include=["closed_on"],
                name="case_commune_name_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.commune}"


class CaseMilestone(PublicModel):
    """A dated step of the case (notice, address check, presentation, reception meeting …)."""

    class Kind(models.TextChoices):
        NOTICE_RECEIVED = "notice_received", _("Nhận thông báo của trại giam")
        ADDRESS_VERIFIED = "address_verified", _("Xác minh nơi cư trú")
        PRESENTED = "presented", _("Trình diện")
        RECEPTION_MEETING = "reception_meeting", _("Gặp mặt, cam kết (HCD-05)")
        HELPER_ASSIGNED = "helper_assigned", _("Phân công người giúp đỡ (HCD-07)")
        DOSSIER_OPENED = "dossier_opened", _("Lập hồ sơ (HCD-01)")
        RESIDENCE_REGISTERED = "residence_registered", _("Đăng ký cư trú")
        ID_ISSUED = "id_issued", _("Cấp căn cước")
        JUDICIAL_RECORD = "judicial_record", _("Cấp phiếu lý lịch tư pháp")
        EXPUNGED = "expunged", _("Xóa án tích")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(_("mốc"), max_length=24, choices=Kind.choices)
    date = models.DateField(_("ngày"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = EncryptedTextField(_("ghi chú"))

    class Meta:
        verbose_name = _("mốc hồ sơ")
        verbose_name_plural = _("mốc hồ sơ")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="one_milestone_per_kind")
        ]
        # Reports count milestones of a kind in a period (arrivals, presentations) and join each
        # case to its presentation date: both read this index, not the whole table.
        indexes = [models.Index(fields=["kind", "date", "case"], name="milestone_kind_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class Need(PublicModel):
    """A support need of a case.

    IDENTIFIED ──referral sent──> REFERRED ──referral completed──> MET | UNMET
        │  ^                          │
        │  └── referral rejected, failed or cancelled (may be referred again)
        └──> WITHDRAWN (person no longer wants it); IDENTIFIED ──> UNMET (nothing available)
    MET, UNMET and WITHDRAWN are terminal.
    """

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Đã xác định")
        REFERRED = "referred", _("Đã chuyển cơ quan")
        MET = "met", _("Đã đáp ứng")
        UNMET = "unmet", _("Không đáp ứng được")
        WITHDRAWN = "withdrawn", _("Không còn nhu cầu")

    class Priority(models.TextChoices):
        LOW = "low", _("Thấp")
        NORMAL = "normal", _("Bình thường")
        HIGH = "high", _("Cao")
        URGENT = "urgent", _("Khẩn cấp")

    OPEN = (Status.IDENTIFIED, Status.REFERRED)
    TRANSITIONS = steps(
        ("refer", Step(_("chuyển cơ quan"), sources(Status.IDENTIFIED), Status.REFERRED)),
        (
            "withdraw",
            Step(_("bỏ nhu cầu"), sources(Status.IDENTIFIED), Status.WITHDRAWN, destructive=True),
        ),
        (
            "unmet",
            Step(_("ghi nhận không đáp ứng được"), sources(Status.IDENTIFIED), Status.UNMET),
        ),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="needs")
    need_type = models.ForeignKey(NeedType, on_delete=models.PROTECT, verbose_name=_("nhu cầu"))
    priority = models.CharField(
        _("mức ưu tiên"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED
    )
    note = EncryptedTextField(_("ghi chú"))
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("nhu cầu")
        verbose_name_plural = _("nhu cầu")
        ordering = ["case", "need_type__ordering"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "need_type"],
                condition=Q(status__in=["identified", "referred"]),
                name="one_open_need_per_type",
            )
        ]
        indexes = [models.Index(fields=["need_type", "status"])]

    def __str__(self) -> str:
        return f"{self.need_type} ({self.get_status_display()})"


class Referral(PublicModel):
    """A need sent to the agency responsible for it: the closed loop.

    REQUESTED ──accept──> ACCEPTED ──start──> IN_PROGRESS ──complete(outcome)──> COMPLETED
        │                    │                 │    ^
        ├─reject(reason)─> REJECTED            hold(reason) resume
        │                    │                 v    │
        │                    │               ON_HOLD
        └─cancel(reason)─> CANCELLED <── accepted, in_progress, on_hold (by the sender)
    fail(reason) ─> FAILED from accepted, in_progress or on_hold.
    COMPLETED, REJECTED, FAILED and CANCELLED are terminal. Each step is a ReferralTransition.
    A referral needs a lawful basis: the receiver's legal duty, or the person's consent.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Chờ tiếp nhận")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        REJECTED = "rejected", _("Từ chối")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        ON_HOLD = "on_hold", _("Tạm dừng")
        COMPLETED = "completed", _("Hoàn thành")
        FAILED = "failed", _("Không thực hiện được")
        CANCELLED = "cancelled", _("Đã hủy")

    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("Đạt")
        PARTLY = "partly", _("Đạt một phần")
        NOT_ACHIEVED = "not_achieved", _("Không đạt")

    class LawfulBasis(models.TextChoices):
        LEGAL_DUTY = "legal_duty", _("Nhiệm vụ luật định của cơ quan nhận")
        CONSENT = "consent", _("Sự đồng ý của người được hỗ trợ")

    TERMINAL = frozenset({Status.COMPLETED, Status.REJECTED, Status.FAILED, Status.CANCELLED})
    _WORKING = (Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD)
    # The agency's steps, then the sender's cancellation.
    TRANSITIONS = steps(
        ("accept", Step(_("tiếp nhận"), sources(Status.REQUESTED), Status.ACCEPTED)),
        (
            "reject",
            Step(
                _("từ chối"),
                sources(Status.REQUESTED),
                Status.REJECTED,
                needs_reason=True,
                destructive=True,
            ),
        ),
        ("start", Step(_("bắt đầu thực hiện"), sources(Status.ACCEPTED), Status.IN_PROGRESS)),
        (
            "hold",
            Step(_("tạm dừng"), sources(Status.IN_PROGRESS), Status.ON_HOLD, needs_reason=True),
        ),
        ("resume", Step(_("tiếp tục"), sources(Status.ON_HOLD), Status.IN_PROGRESS)),
        ("complete", Step(_("hoàn thành"), sources(Status.IN_PROGRESS), Status.COMPLETED)),
        (
            "fail",
            Step(
                _("ghi nhận không thực hiện được"),
                sources(*_WORKING),
                Status.FAILED,
                needs_reason=True,
                destructive=True,
            ),
        ),
        (
            "cancel",
            Step(
                _("hủy"),
                sources(Status.REQUESTED, *_WORKING),
                Status.CANCELLED,
                needs_reason=True,
                destructive=True,
            ),
        ),
    )
    AGENCY_ACTIONS = ("accept", "reject", "start", "hold", "resume", "complete", "fail")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="referrals")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("cơ quan nhận"),
    )
    sender_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
        verbose_name=_("cơ quan gửi"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    outcome = models.CharField(_("kết quả"), max_length=12, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    lawful_basis = models.CharField(_("căn cứ chia sẻ"), max_length=10, choices=LawfulBasis.choices)
    consent = models.ForeignKey(
        "Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    program = models.CharField(_("chương trình"), max_length=200, blank=True)
    note = EncryptedTextField(_("ghi chú gửi kèm"))
    sent_at = models.DateTimeField(_("ngày gửi"))
    response_due = models.DateField(_("hạn trả lời"), db_index=True)
    responded_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày kết thúc"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("đã báo Công an tỉnh lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("đề nghị hỗ trợ")
        verbose_name_plural = _("đề nghị hỗ trợ")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "response_due"]),
            # The provincial police's overdue list: unanswered referrals by deadline.
            models.Index(
                fields=["response_due", "id"],
                condition=Q(status="requested"),
                name="referral_unanswered_idx",
            ),
            # An agency's inbox of open referrals by deadline: read straight from the index (it
            # walked the whole deadline index filtering other agencies' and finished rows: 51 ms
            # at 470,000 referrals, 0.1 ms with this). The statuses are TERMINAL's, sorted
            # (a test holds them equal).
            models.Index(
                fields=["agency", "response_due", "id"],
                condition=~Q(status__in=["cancelled", "completed", "failed", "rejected"]),
                name="referral_open_by_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | Q(consent__isnull=False),
                name="consent_basis_names_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need.need_type} → {self.agency}"

    @classmethod
    def overdue_q(cls, today) -> Q:  # type: ignore[no-untyped-def]
        """Still waiting for the receiver's answer after the response deadline."""
        return Q(status=cls.Status.REQUESTED, response_due__lt=today)


class ReferralTransition(BaseModel):
    """One step of a referral: who moved it, when, from which status to which, and why.

    ``event`` names the agency's work behind the step (an enrolment, a job, a loan disbursed, a
    certificate issued …) when there is one; a step with an event may leave the status unchanged
    (a follow-up of a job, a loan approved). ``happened_on`` is the day the agency records for it.
    These rows are the police case's timeline of the referral.
    """

    class Event(models.TextChoices):
        ENROLLED = "enrolled", _("Ghi danh khóa đào tạo")
        COURSE_COMPLETED = "course_completed", _("Hoàn thành khóa đào tạo")
        DROPPED = "dropped", _("Bỏ học")
        JOB_PLACED = "job_placed", _("Có việc làm")
        FOLLOW_UP = "follow_up", _("Theo dõi việc làm")
        LOAN_SUBMITTED = "loan_submitted", _("Nộp hồ sơ vay vốn")
        LOAN_APPROVED = "loan_approved", _("Phê duyệt khoản vay")
        LOAN_REJECTED = "loan_rejected", _("Từ chối cho vay")
        LOAN_DISBURSED = "loan_disbursed", _("Giải ngân khoản vay")
        LOAN_OVERDUE = "loan_overdue", _("Khoản vay quá hạn")
        CERTIFICATE_ISSUED = "certificate_issued", _("Cấp phiếu lý lịch tư pháp")
        CERTIFICATE_REFUSED = "certificate_refused", _("Từ chối cấp phiếu lý lịch tư pháp")
        LEGAL_AID_GIVEN = "legal_aid_given", _("Đã trợ giúp pháp lý")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    event = models.CharField(
        _("việc"), max_length=20, choices=Event.choices, blank=True, default="", db_default=""
    )
    happened_on = models.DateField(_("ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("bước xử lý đề nghị")
        verbose_name_plural = _("bước xử lý đề nghị")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return str(Referral.Status(self.to_status).label)


class CaseNote(PublicModel):
    """A visit, call or meeting recorded by an officer; the text is encrypted."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Thăm gặp")
        CALL = "call", _("Gọi điện")
        MEETING = "meeting", _("Làm việc")
        OTHER = "other", _("Khác")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    happened_on = models.DateField(_("ngày"))
    text = EncryptedTextField(_("nội dung"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ghi chép")
        verbose_name_plural = _("ghi chép")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on:%d/%m/%Y}"


class Consent(PublicModel):
    """A person's consent for one purpose (PDP Law 91/2025 art. 9), optionally for one channel or
    one receiving agency. GIVEN ──withdraw──> WITHDRAWN (terminal; a new consent is a new row).
    A consent counts only while given, not expired, and matching the purpose and target."""

    class Purpose(models.TextChoices):
        REFERRAL = "referral", _("Chia sẻ thông tin để hỗ trợ")
        OUTREACH = "outreach", _("Nhận tin nhắn tuyên truyền")
        PUBLISH_STORY = "publish_story", _("Đăng câu chuyện")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")

    class Status(models.TextChoices):
        GIVEN = "given", _("Đồng ý")
        WITHDRAWN = "withdrawn", _("Đã rút lại")

    TRANSITIONS = steps(
        (
            "withdraw",
            Step(_("rút lại sự đồng ý"), sources(Status.GIVEN), Status.WITHDRAWN, destructive=True),
        ),
    )

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("mục đích"), max_length=16, choices=Purpose.choices)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices, blank=True)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("cơ quan được chia sẻ"),
    )
    need_type = models.ForeignKey(
        NeedType, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nhu cầu")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.GIVEN
    )
    evidence = EncryptedTextField(_("bằng chứng"), help_text=_("Biên bản, phiếu đồng ý …"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_on = models.DateField(_("ngày đồng ý"))
    expires_on = models.DateField(_("hết hạn"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "status"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_status_display()})"
