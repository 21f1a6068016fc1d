"""The commune police's legal workflow after the reception meeting (Circular 10/2024 art. 9–15):
helpers and their assignment (HCD-06 → HCD-07), the helper's quarterly report (HCD-08), the
quarter's group A/B/C/D (HCD-09), failure to report (art. 9(2)–(3), HCD-04), moving to another
commune (art. 15(2)), detention (art. 15(4)) and the end of management (HCD-10 → HCD-11).

Every status field moves only through ``registry.services.supervision`` (one transaction, the row
locked, the step checked against the model's ``TRANSITIONS``, the acting user recorded). Each
model's docstring draws its state machine and names the form it feeds: the document generator
(HCD forms) reads these fields by the names given here.

Personal text (names and contact details of helpers, reasons, addresses, plans) is encrypted at
rest with ``EncryptedTextField``; it can be read, never filtered on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.fields import EncryptedTextField
from registry.models.base import PublicModel
from registry.models.cases import Case
from registry.models.places import AdministrativeUnit
from registry.models.transitions import Step, sources, steps

_USER = settings.AUTH_USER_MODEL


def quarter_label(year: int, quarter: int) -> str:
    return f"Quý {quarter}/{year}"


class Helper(PublicModel):
    """An organisation or individual who may be assigned to help a person (art. 10(1)).

    Fields: ``form`` (individual | organisation), ``kind`` (family | mass_org | employer | other),
    ``name``, ``phone``, ``address``, ``relationship`` (to the person, for family members: "vợ",
    "bố" …), ``position`` (for an organisation: its representative's role) — all five encrypted —
    and ``commune`` (where the commune police registered the helper). A helper is a directory row;
    what they do for one case is a ``HelperAssignment``.
    """

    class Form(models.TextChoices):
        INDIVIDUAL = "individual", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức")

    class Kind(models.TextChoices):
        FAMILY = "family", _("Gia đình, người thân")
        MASS_ORGANISATION = "mass_org", _("Mặt trận, đoàn thể")
        EMPLOYER = "employer", _("Cơ quan, doanh nghiệp nơi làm việc")
        OTHER = "other", _("Khác")

    form = models.CharField(_("hình thức"), max_length=12, choices=Form.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    name = EncryptedTextField(_("tên người, tổ chức"))
    phone = EncryptedTextField(_("số điện thoại"))
    address = EncryptedTextField(_("địa chỉ"))
    relationship = EncryptedTextField(_("quan hệ với người được giúp đỡ"))
    position = EncryptedTextField(_("chức vụ, người đại diện"))
    commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="helpers",
        limit_choices_to={"unit_list": "2025", "level": "commune"},
        verbose_name=_("xã, phường"),
    )
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("người, tổ chức giúp đỡ")
        verbose_name_plural = _("người, tổ chức giúp đỡ")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name or '—'} ({self.get_kind_display()})"


class HelperAssignment(PublicModel):
    """One helper assigned to one case (art. 10(2)–(3)): the police's proposal (HCD-06), the commune
    PC chair's decision (HCD-07), the supervision plan, and its end.

    PROPOSED ──decide──> ACTIVE ──end──> ENDED
        └──withdraw (chair refuses or police withdraw)──> WITHDRAWN
    A case has at most one PROPOSED and at most one ACTIVE assignment. Deciding a new helper while
    another is ACTIVE ends the old one (``end_reason`` "replaced"): the change of helper keeps its
    history as rows. ENDED and WITHDRAWN are terminal.

    Fields for the forms: ``proposed_on``, ``proposed_by`` (HCD-06), ``decision_due`` (3 working
    days after the reception meeting, HCD-05), ``decided_on``, ``decided_by``, ``decision_number``
    (HCD-07), ``supervision_plan`` (encrypted), ``ended_on``, ``end_reason``.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đã đề xuất (HCD-06), chờ quyết định")
        ACTIVE = "active", _("Đang giúp đỡ (HCD-07)")
        ENDED = "ended", _("Đã thôi giúp đỡ")
        WITHDRAWN = "withdrawn", _("Không được phân công")

    class EndReason(models.TextChoices):
        REPLACED = "replaced", _("Thay người giúp đỡ")
        MOVED = "moved", _("Người được giúp đỡ chuyển nơi cư trú")
        CLOSED = "closed", _("Kết thúc quản lý")
        OTHER = "other", _("Lý do khác")

    TRANSITIONS = steps(
        ("decide", Step(_("ghi quyết định phân công"), sources(Status.PROPOSED), Status.ACTIVE)),
        (
            "withdraw",
            Step(
                _("không phân công"),
                sources(Status.PROPOSED),
                Status.WITHDRAWN,
                needs_reason=True,
                destructive=True,
            ),
        ),
        (
            "end",
            Step(
                _("thôi giúp đỡ"),
                sources(Status.ACTIVE),
                Status.ENDED,
                needs_reason=True,
                destructive=True,
            ),
        ),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="helper_assignments")
    helper = models.ForeignKey(
        Helper,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("người giúp đỡ"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_on = models.DateField(_("ngày đề xuất (HCD-06)"))
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decision_due = models.DateField(_("hạn quyết định"), null=True, blank=True)
    decided_on = models.DateField(_("ngày quyết định (HCD-07)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    supervision_plan = EncryptedTextField(_("kế hoạch quản lý, giúp đỡ"))
    ended_on = models.DateField(_("ngày thôi giúp đỡ"), null=True, blank=True)
    end_reason = models.CharField(
        _("lý do thôi"), max_length=10, choices=EndReason.choices, blank=True
    )
    reason = models.CharField(_("lý do"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("phân công giúp đỡ")
        verbose_name_plural = _("phân công giúp đỡ")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="proposed"), name="one_helper_proposal"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="active"), name="one_active_helper"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} — {self.get_status_display()}"


class HelperReport(PublicModel):
    """The helper's quarterly report (HCD-08, art. 10(4)(a)), recorded by the commune police.

    Due in the first 5 days of the first month of the quarter after the one it reports on
    (``due_on``; the day is ``SUPERVISION["helper_report_due_day"]``). One per case and quarter.
    Fields: ``assignment`` (the helper), ``year``, ``quarter``, ``received_on``, ``due_on``,
    ``summary`` (encrypted), ``suggested_group`` (the helper's view, A–D, may be empty).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="helper_reports")
    assignment = models.ForeignKey(
        HelperAssignment, on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    received_on = models.DateField(_("ngày nhận báo cáo"))
    due_on = models.DateField(_("hạn báo cáo"))
    summary = EncryptedTextField(_("nội dung báo cáo"))
    suggested_group = models.CharField(
        _("đề xuất phân loại"), max_length=1, choices=Case.Classification.choices, blank=True
    )
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("báo cáo của người giúp đỡ (HCD-08)")
        verbose_name_plural = _("báo cáo của người giúp đỡ (HCD-08)")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "year", "quarter"], name="one_helper_report_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="helper_report_quarter_1_4"
            ),
        ]

    @property
    def late(self) -> bool:
        return self.received_on > self.due_on


class QuarterlyGroup(PublicModel):
    """The case's group A/B/C/D for one quarter (art. 12; listed on HCD-09), with its reason.

    History, not one field: classifying a quarter again adds a row and marks the earlier one
    ``superseded_at``; the current row of (case, year, quarter) is the one not superseded. The
    case's ``classification`` / ``classified_on`` mirror the latest current row for the older
    pages. While a detention (``DetentionPeriod``) is open the group can only be D.
    Fields: ``year``, ``quarter``, ``group``, ``reason`` (encrypted), ``set_on``, ``set_by``,
    ``helper_report`` (the HCD-08 it followed, if any), ``superseded_at``.
    """

    Group = Case.Classification

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="quarterly_groups")
    year = models.PositiveSmallIntegerField(_("năm"))
    quarter = models.PositiveSmallIntegerField(_("quý"))
    group = models.CharField(_("loại"), max_length=1, choices=Case.Classification.choices)
    reason = EncryptedTextField(_("lý do phân loại"))
    set_on = models.DateField(_("ngày phân loại"))
    set_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    helper_report = models.ForeignKey(
        HelperReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(_("được thay lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân loại theo quý")
        verbose_name_plural = _("phân loại theo quý")
        ordering = ["-year", "-quarter", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "year", "quarter"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_group_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="group_quarter_1_4"
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter", "group"])]

    def __str__(self) -> str:
        return f"{quarter_label(self.year, self.quarter)}: {self.group}"


class DetentionPeriod(PublicModel):
    """The person is held (art. 15(4)): management pauses, the commune keeps the dossier, and
    resumes on return. While ``ended_on`` is empty the case's quarterly group is D.

    HELD ──resume──> ENDED (terminal). One HELD period per case.
    Fields: ``place_kind``, ``place`` (name of the facility), ``started_on``, ``ended_on``,
    ``note`` (encrypted).
    """

    class Status(models.TextChoices):
        HELD = "held", _("Đang tạm dừng quản lý")
        ENDED = "ended", _("Đã tiếp tục quản lý")

    class PlaceKind(models.TextChoices):
        CUSTODY = "custody", _("Tạm giữ, tạm giam")
        COMPULSORY_EDUCATION = "education", _("Cơ sở giáo dục bắt buộc")
        REFORMATORY = "reformatory", _("Trường giáo dưỡng")
        DRUG_REHAB = "rehab", _("Cơ sở cai nghiện bắt buộc")

    TRANSITIONS = steps(
        ("resume", Step(_("tiếp tục quản lý"), sources(Status.HELD), Status.ENDED)),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="detentions")
    status = models.CharField(
        _("trạng thái"), max_length=6, choices=Status.choices, default=Status.HELD
    )
    place_kind = models.CharField(_("nơi bị giữ"), max_length=12, choices=PlaceKind.choices)
    place = models.CharField(_("tên cơ sở"), max_length=200, blank=True)
    started_on = models.DateField(_("từ ngày"))
    ended_on = models.DateField(_("đến ngày"), null=True, blank=True)
    note = EncryptedTextField(_("ghi chú"))
    recorded_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("thời gian tạm dừng quản lý")
        verbose_name_plural = _("thời gian tạm dừng quản lý")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="held"), name="one_open_detention"
            )
        ]


class ReportingFailure(PublicModel):
    """The person did not report by the certificate's deadline (art. 9(2)–(3)).

    VERIFYING ──home_absent──> HOME_ABSENT ──summon──> SUMMONED ──report (HCD-04)──> REPORTED
        │──not_home──> NOT_HOME ──report (HCD-04, after asking the relatives)──> REPORTED
        └──elsewhere (lawful residence in another commune, art. 9(3))──> ELSEWHERE
    resolve (the person reported after all) from VERIFYING, HOME_ABSENT, SUMMONED, NOT_HOME,
    REPORTED ─> RESOLVED. ELSEWHERE and RESOLVED are terminal.

    Created by ``reporting_failures_open`` the day after ``Case.reporting_deadline`` for cases not
    yet ACTIVE; the person's presentation resolves it. Fields for HCD-04: ``deadline``,
    ``verified_on``, ``summons_on``, ``summons_appear_by``, ``hcd04_on``, ``hcd04_recipient``
    (configurable: the recipient after 01/07/2026 is unknown), ``other_commune``, ``findings``
    (encrypted), ``resolved_on``.
    """

    class Status(models.TextChoices):
        VERIFYING = "verifying", _("Cần xác minh")
        HOME_ABSENT = "home_absent", _("Có mặt ở nơi cư trú, chưa trình diện")
        SUMMONED = "summoned", _("Đã triệu tập")
        NOT_HOME = "not_home", _("Không có mặt ở nơi cư trú")
        REPORTED = "reported", _("Đã báo cáo (HCD-04)")
        ELSEWHERE = "elsewhere", _("Trình diện ở xã khác (Điều 9(3))")
        RESOLVED = "resolved", _("Đã trình diện")

    OPEN = (
        Status.VERIFYING,
        Status.HOME_ABSENT,
        Status.SUMMONED,
        Status.NOT_HOME,
        Status.REPORTED,
    )
    TRANSITIONS = steps(
        (
            "home_absent",
            Step(_("ghi nhận có ở nhà, chưa trình diện"), sources(Status.VERIFYING), "home_absent"),
        ),
        ("not_home", Step(_("ghi nhận không có ở nhà"), sources(Status.VERIFYING), "not_home")),
        (
            "elsewhere",
            Step(_("ghi nhận trình diện ở xã khác"), sources(Status.VERIFYING), "elsewhere"),
        ),
        ("summon", Step(_("triệu tập"), sources(Status.HOME_ABSENT), "summoned")),
        (
            "report",
            Step(_("báo cáo HCD-04"), sources(Status.SUMMONED, Status.NOT_HOME), "reported"),
        ),
        ("resolve", Step(_("ghi nhận đã trình diện"), sources(*OPEN), "resolved")),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reporting_failures")
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.VERIFYING
    )
    deadline = models.DateField(_("hạn trình diện"))
    opened_on = models.DateField(_("ngày phát sinh"))
    verified_on = models.DateField(_("ngày xác minh"), null=True, blank=True)
    summons_on = models.DateField(_("ngày triệu tập"), null=True, blank=True)
    summons_appear_by = models.DateField(_("hẹn có mặt"), null=True, blank=True)
    hcd04_on = models.DateField(_("ngày báo cáo HCD-04"), null=True, blank=True)
    hcd04_recipient = models.CharField(_("nơi nhận HCD-04"), max_length=200, blank=True)
    other_commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("xã nơi trình diện"),
    )
    findings = EncryptedTextField(_("kết quả xác minh"))
    resolved_on = models.DateField(_("ngày trình diện"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("không trình diện")
        verbose_name_plural = _("không trình diện")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(
                    status__in=["verifying", "home_absent", "summoned", "not_home", "reported"]
                ),
                name="one_open_reporting_failure",
            )
        ]


class Transfer(PublicModel):
    """The person moves to another commune (art. 14(1)(b), 15(2)).

    PROPOSED ──accept (receiving commune, within 5 working days)──> ACCEPTED
        ├──refuse(reason)──> REFUSED
        └──cancel(reason, sending commune)──> CANCELLED
    OUT_OF_PROVINCE: a move outside the province is recorded with the transfer letter and closes
    the case at once (``Case.CloseReason.MOVED_AWAY``). ACCEPTED, REFUSED, CANCELLED and
    OUT_OF_PROVINCE are terminal. One PROPOSED transfer per case.

    On acceptance the case's ``commune`` becomes ``to_commune``: the case, its needs, open
    referrals, notes and milestones (the dossier) follow, and so does access — the receiving
    commune's roles see it, the sending commune's no longer do (they keep this row, which names the
    person, the communes and the dates). A proposal still unanswered after ``due_on`` is overdue
    and reported once to the provincial police (``escalated_at``).
    Fields: ``from_commune``, ``to_commune``, ``destination`` (out of province: the place),
    ``new_address`` (encrypted), ``proposed_on``, ``proposed_by``, ``due_on``, ``decided_on``,
    ``decided_by``, ``reason``, ``letter_number``, ``letter_date``, ``escalated_at``.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Chờ xã nơi đến tiếp nhận")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        REFUSED = "refused", _("Xã nơi đến từ chối")
        CANCELLED = "cancelled", _("Đã hủy")
        OUT_OF_PROVINCE = "out", _("Chuyển ra ngoài tỉnh")

    TRANSITIONS = steps(
        ("accept", Step(_("tiếp nhận"), sources(Status.PROPOSED), Status.ACCEPTED)),
        (
            "refuse",
            Step(
                _("từ chối"),
                sources(Status.PROPOSED),
                Status.REFUSED,
                needs_reason=True,
                destructive=True,
            ),
        ),
        (
            "cancel",
            Step(
                _("hủy đề nghị chuyển"),
                sources(Status.PROPOSED),
                Status.CANCELLED,
                needs_reason=True,
                destructive=True,
            ),
        ),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transfers")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    from_commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("xã nơi đi"),
    )
    to_commune = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        limit_choices_to={"unit_list": "2025", "level": "commune"},
        verbose_name=_("xã nơi đến"),
    )
    destination = models.CharField(_("nơi đến (ngoài tỉnh)"), max_length=200, blank=True)
    new_address = EncryptedTextField(_("địa chỉ mới"))
    proposed_on = models.DateField(_("ngày đề nghị"))
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("hạn tiếp nhận"), null=True, blank=True, db_index=True)
    decided_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    letter_number = models.CharField(_("số công văn chuyển"), max_length=60, blank=True)
    letter_date = models.DateField(_("ngày công văn"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("đã báo Công an tỉnh lúc"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("chuyển nơi cư trú")
        verbose_name_plural = _("chuyển nơi cư trú")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="proposed"), name="one_proposed_transfer"
            ),
            models.CheckConstraint(
                condition=Q(status="out") | Q(to_commune__isnull=False),
                name="transfer_names_commune",
            ),
        ]
        indexes = [models.Index(fields=["to_commune", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.from_commune} → {self.to_commune or self.destination}"

    @classmethod
    def overdue_q(cls, today) -> Q:  # type: ignore[no-untyped-def]
        return Q(status=cls.Status.PROPOSED, due_on__lt=today)


class EndOfManagement(PublicModel):
    """Ending management (art. 14): the police's proposal (HCD-10) and the chair's decision
    (HCD-11), on one ground of art. 14(1).

    PROPOSED ──decide──> DECIDED (the case is closed with ``ground`` as its close reason)
        ├──reject(reason, the chair refuses)──> REJECTED
        └──withdraw(reason, the police)──> WITHDRAWN
    DECIDED, REJECTED and WITHDRAWN are terminal; one PROPOSED per case.

    Grounds (art. 14(1)): a expunged, b moved (out of the province; within it a ``Transfer``),
    c settled abroad, d declared missing, đ dead, e new prison sentence. An expungement is founded
    on the date computed from the custody record (Penal Code art. 70, ``basis`` "date") or on a
    court decision (art. 71–72, ``basis`` "court") or a judicial record certificate ("certificate")
    with ``reference`` and ``reference_date``: checked by ``services.case_close_check``.
    Fields for the forms: ``ground``, ``facts`` (encrypted), ``proposed_on``, ``proposed_by``
    (HCD-10), ``decided_on``, ``decided_by``, ``decision_number`` (HCD-11), ``reason``.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đã đề nghị (HCD-10), chờ quyết định")
        DECIDED = "decided", _("Đã quyết định kết thúc (HCD-11)")
        REJECTED = "rejected", _("Không đồng ý kết thúc")
        WITHDRAWN = "withdrawn", _("Đã rút đề nghị")

    class Ground(models.TextChoices):
        EXPUNGED = "expunged", _("a) Đã được xóa án tích")
        MOVED_AWAY = "moved_away", _("b) Thay đổi nơi cư trú")
        SETTLED_ABROAD = "abroad", _("c) Định cư ở nước ngoài")
        MISSING = "missing", _("d) Bị Tòa án tuyên bố mất tích")
        DECEASED = "deceased", _("đ) Đã chết")
        REOFFENDED = "reoffended", _("e) Đang chấp hành án phạt tù mới")

    TRANSITIONS = steps(
        (
            "decide",
            Step(
                _("ghi quyết định kết thúc"),
                sources(Status.PROPOSED),
                Status.DECIDED,
                destructive=True,
            ),
        ),
        (
            "reject",
            Step(
                _("không đồng ý"),
                sources(Status.PROPOSED),
                Status.REJECTED,
                needs_reason=True,
                destructive=True,
            ),
        ),
        (
            "withdraw",
            Step(_("rút đề nghị"), sources(Status.PROPOSED), Status.WITHDRAWN, needs_reason=True),
        ),
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="end_proposals")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    ground = models.CharField(_("căn cứ kết thúc"), max_length=12, choices=Ground.choices)
    facts = EncryptedTextField(_("căn cứ, tài liệu kèm theo"))
    basis = models.CharField(_("căn cứ xóa án tích"), max_length=12, blank=True)
    reference = models.CharField(_("số quyết định, số phiếu"), max_length=100, blank=True)
    reference_date = models.DateField(_("ngày quyết định, ngày phiếu"), null=True, blank=True)
    proposed_on = models.DateField(_("ngày đề nghị (HCD-10)"))
    proposed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("ngày quyết định (HCD-11)"), null=True, blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("đề nghị kết thúc quản lý")
        verbose_name_plural = _("đề nghị kết thúc quản lý")
        ordering = ["-proposed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="proposed"), name="one_end_proposal"
            )
        ]
