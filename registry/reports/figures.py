"""The figures of the province's report (the plan's section IV): reads only, each one a handful
of aggregate queries over rows already narrowed by the viewer's access scope and the report's
scope. Nothing here returns a person: only counts, sums and averages.

Definitions (also printed under each table):
- notified: a prison notice received in the period (milestone ``notice_received``);
- received: the person reported to the commune police in the period (milestone ``presented``);
- managed in the period: reported by the end of the period and not closed before its start;
- active at the end: reported by the end and not closed by then;
- needs: identified in the period; referrals: sent in the period (status as of today);
- overdue: answered after the response deadline, or still unanswered past it;
- training: courses starting in the period; loans: applied for in the period (disbursed: paid
  out in the period); certificates: requested in the period.

Other apps add sections with ``register_section`` (the outreach app adds messages, opt-outs and
content), so that the registry never imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, F, FilteredRelation, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import access
from registry.models import (
    Agency,
    Case,
    CaseMilestone,
    Need,
    NeedType,
    Referral,
    User,
)
from registry.models.loans import JudicialRecordRequest, LoanApplication
from registry.models.training import Enrollment, JobFollowUp, JobPlacement
from registry.reports.periods import Period, Scope

Number = int | float | None


@dataclass
class Row:
    key: str
    label: str
    values: list[Number]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # the header of each value column (the row label column comes first)
    rows: list[Row]
    note: str = ""
    chart_column: int | None = None  # draw a bar chart of this value column

    def value(self, row_key: str, column: int = 0) -> Number:
        for row in self.rows:
            if row.key == row_key:
                return row.values[column]
        raise KeyError(row_key)


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclass
class Report:
    period: Period
    scope: Scope
    generated_at: dt.datetime
    generated_by: str
    sections: list[Section] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Báo cáo kết quả hỗ trợ tái hòa nhập cộng đồng")

    def table(self, section_key: str, table_key: str) -> Table:
        for section in self.sections:
            if section.key == section_key:
                for table in section.tables:
                    if table.key == table_key:
                        return table
        raise KeyError(f"{section_key}.{table_key}")

    def value(self, section_key: str, table_key: str, row_key: str, column: int = 0) -> Number:
        return self.table(section_key, table_key).value(row_key, column)


@dataclass(frozen=True)
class ReportContext:
    """What a section builder needs: who asks, the period, the scope and the filters for both."""

    user: User
    period: Period
    scope: Scope
    today: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return _local_midnight(self.period.start)

    @property
    def end_before(self) -> dt.datetime:
        return _local_midnight(self.period.end + dt.timedelta(days=1))

    @property
    def whole_province(self) -> bool:
        """The report covers the province and the viewer sees all of it."""
        return self.scope.kind == "province" and access.sees_whole_province(
            self.user, "report.view"
        )

    def rows(self, queryset: QuerySet[Any], scope_q: Q) -> QuerySet[Any]:
        """``queryset`` narrowed by the viewer's access scope, then by the report's scope."""
        return access.report_rows_for_user(self.user, queryset).filter(scope_q)


SectionBuilder = Callable[[ReportContext], Section | None]
_SECTIONS: list[SectionBuilder] = []


def register_section(builder: SectionBuilder) -> SectionBuilder:
    if builder not in _SECTIONS:
        _SECTIONS.append(builder)
    return builder


def build_report(
    *, user: User, period: Period, scope: Scope, today: dt.date | None = None
) -> Report:
    context = ReportContext(user, period, scope, today or timezone.localdate())
    report = Report(period, scope, timezone.now(), user.get_username())
    for builder in _SECTIONS:
        section = builder(context)
        if section is not None:
            report.sections.append(section)
    return report


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _pct(part: Number, whole: Number) -> float | None:
    if not whole:
        return None
    return round(100.0 * float(part or 0) / float(whole), 1)


def _days(value: dt.timedelta | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # microseconds (SQLite)


def _choice_rows(
    choices: Iterable[tuple[str, str]], counts: dict[str, list[Number]], width: int = 1
) -> list[Row]:
    """One row per choice, in the choices' order; a choice with no rows counts zero."""
    return [Row(value, str(label), counts.get(value, [0] * width)) for value, label in choices]


# --- sections ------------------------------------------------------------------------------------


@register_section
def people_section(ctx: ReportContext) -> Section:
    p, scope = ctx.period, ctx.scope
    milestones = (
        ctx.rows(CaseMilestone.objects.all(), scope.case_q("case__"))
        .filter(
            kind__in=[CaseMilestone.Kind.NOTICE_RECEIVED, CaseMilestone.Kind.PRESENTED],
            date__range=(p.start, p.end),
        )
        .values("kind")
        .annotate(n=Count("id"))
    )
    by_kind = {row["kind"]: row["n"] for row in milestones}
    reported = Q(presented__date__lte=p.end)
    cases = (
        ctx.rows(Case.objects.all(), scope.case_q())
        .annotate(
            presented=FilteredRelation("milestones", condition=Q(milestones__kind="presented"))
        )
        .aggregate(
            managed=Count(
                "id", filter=reported & (Q(closed_on__isnull=True) | Q(closed_on__gte=p.start))
            ),
            active_end=Count(
                "id", filter=reported & (Q(closed_on__isnull=True) | Q(closed_on__gt=p.end))
            ),
            closed=Count("id", filter=Q(closed_on__range=(p.start, p.end))),
        )
    )
    closed_by_reason = dict(
        ctx.rows(Case.objects.all(), scope.case_q())
        .filter(closed_on__range=(p.start, p.end))
        .values_list("close_reason")
        .annotate(n=Count("id"))
    )
    reoffended = closed_by_reason.get(Case.CloseReason.REOFFENDED, 0)
    flow = Table(
        "flow",
        _("Tiếp nhận và quản lý"),
        [_("Số người")],
        [
            Row(
                "notified",
                _("Được trại giam thông báo trong kỳ"),
                [by_kind.get("notice_received", 0)],
            ),
            Row("received", _("Đã trình diện, tiếp nhận trong kỳ"), [by_kind.get("presented", 0)]),
            Row("managed", _("Được quản lý trong kỳ"), [cases["managed"]]),
            Row("active_end", _("Đang quản lý cuối kỳ"), [cases["active_end"]]),
            Row("closed", _("Kết thúc quản lý trong kỳ"), [cases["closed"]]),
            Row("reoffended", _("Tái phạm (chấp hành án phạt tù mới)"), [reoffended]),
            Row("reoffending_rate", _("Tỷ lệ tái phạm (%)"), [_pct(reoffended, cases["managed"])]),
        ],
        note=_(
            "Được quản lý trong kỳ: đã trình diện trước cuối kỳ và chưa kết thúc trước đầu kỳ. "
            "Tỷ lệ tái phạm = số tái phạm / số được quản lý trong kỳ."
        ),
    )
    closed = Table(
        "closed_by_reason",
        _("Kết thúc quản lý theo lý do"),
        [_("Số người")],
        _choice_rows(Case.CloseReason.choices, {k: [v] for k, v in closed_by_reason.items()}),
        chart_column=0,
    )
    return Section("people", _("Người chấp hành xong án phạt tù"), [flow, closed])


@register_section
def needs_section(ctx: ReportContext) -> Section:
    statuses = Need.Status.choices
    counts = (
        ctx.rows(Need.objects.all(), ctx.scope.case_q("case__"))
        .filter(created_at__gte=ctx.start_at, created_at__lt=ctx.end_before)
        .values_list("need_type_id", "status")
        .annotate(n=Count("id"))
    )
    grid: dict[int, dict[str, int]] = {}
    for need_type_id, status, n in counts:
        grid.setdefault(need_type_id, {})[status] = n
    rows = []
    for need_type in NeedType.objects.order_by("ordering", "id"):
        cells = grid.get(need_type.pk, {})
        values: list[Number] = [cells.get(s, 0) for s, _label in statuses]
        rows.append(Row(need_type.code, need_type.name, [sum(cells.values()), *values]))
    table = Table(
        "by_type",
        _("Nhu cầu hỗ trợ theo loại và trạng thái"),
        [_("Tổng"), *(str(label) for _s, label in statuses)],
        rows,
        note=_("Nhu cầu được xác định trong kỳ; trạng thái tính đến ngày lập báo cáo."),
        chart_column=0,
    )
    return Section("needs", _("Nhu cầu hỗ trợ"), [table])


def _referral_figures(today: dt.date) -> dict[str, Any]:
    """The aggregates of one line of the referral table (for ``annotate`` or ``aggregate``)."""
    S, OUT = Referral.Status, Referral.Outcome  # noqa: N806
    overdue = Q(responded_at__isnull=True, status=S.REQUESTED, response_due__lt=today) | Q(
        responded_at__date__gt=F("response_due")
    )
    return dict(
        sent=Count("id"),
        answered=Count("id", filter=Q(responded_at__isnull=False)),
        achieved=Count("id", filter=Q(status=S.COMPLETED, outcome=OUT.ACHIEVED)),
        partly=Count("id", filter=Q(status=S.COMPLETED, outcome=OUT.PARTLY)),
        not_achieved=Count("id", filter=Q(status=S.COMPLETED, outcome=OUT.NOT_ACHIEVED)),
        rejected=Count("id", filter=Q(status=S.REJECTED)),
        failed=Count("id", filter=Q(status__in=[S.FAILED, S.CANCELLED])),
        open=Count("id", filter=Q(status__in=[S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD])),
        overdue=Count("id", filter=overdue),
        response=Avg(F("responded_at") - F("sent_at")),
    )


REFERRAL_COLUMNS = (
    ("sent", "Đã gửi"),
    ("achieved", "Hoàn thành — đạt"),
    ("partly", "Đạt một phần"),
    ("not_achieved", "Không đạt"),
    ("rejected", "Từ chối"),
    ("failed", "Không thực hiện được, hủy"),
    ("open", "Đang xử lý"),
    ("overdue", "Quá hạn trả lời"),
)


def _referral_row(key: str, label: str, figures: dict[str, Any]) -> Row:
    values: list[Number] = [figures[name] for name, _l in REFERRAL_COLUMNS]
    values.append(_pct(figures["overdue"], figures["sent"]))
    values.append(_days(figures["response"]))
    return Row(key, label, values)


def _referral_columns() -> list[str]:
    return [_(label) for _n, label in REFERRAL_COLUMNS] + [
        _("Tỷ lệ quá hạn (%)"),
        _("Thời gian trả lời TB (ngày)"),
    ]


@register_section
def referrals_section(ctx: ReportContext) -> Section:
    sent = ctx.rows(Referral.objects.all(), ctx.scope.referral_q()).filter(
        sent_at__gte=ctx.start_at, sent_at__lt=ctx.end_before
    )
    figures = _referral_figures(ctx.today)
    by_agency = {row["agency_id"]: row for row in sent.values("agency_id").annotate(**figures)}
    names = dict(Agency.objects.filter(pk__in=by_agency).values_list("pk", "name"))
    rows = [
        _referral_row(str(agency_id), names[agency_id], figures)
        for agency_id, figures in sorted(by_agency.items(), key=lambda kv: names[kv[0]])
    ]
    rows.append(_referral_row("total", _("Tổng cộng"), sent.aggregate(**figures)))
    agency_table = Table(
        "by_agency",
        _("Đề nghị hỗ trợ theo cơ quan nhận"),
        _referral_columns(),
        rows,
        note=_(
            "Đề nghị gửi trong kỳ, trạng thái tính đến ngày lập báo cáo. Quá hạn: trả lời sau "
            "hạn hoặc đến nay chưa trả lời dù đã quá hạn."
        ),
        chart_column=0,
    )
    legal = sent.filter(need__need_type__code="legal_aid").aggregate(**figures)
    legal_table = Table(
        "legal_aid",
        _("Trợ giúp pháp lý"),
        _referral_columns(),
        [_referral_row("legal_aid", _("Đề nghị trợ giúp pháp lý"), legal)],
    )
    return Section("referrals", _("Chuyển gửi và kết quả hỗ trợ"), [agency_table, legal_table])


@register_section
def training_section(ctx: ReportContext) -> Section:
    p, E = ctx.period, Enrollment.Status  # noqa: N806
    case_scope = ctx.scope.referral_q("referral__")
    enrolments = (
        ctx.rows(Enrollment.objects.all(), case_scope)
        .filter(course__starts_on__range=(p.start, p.end))
        .aggregate(
            enrolled=Count("id"),
            completed=Count("id", filter=Q(status=E.COMPLETED)),
            dropped=Count("id", filter=Q(status=E.DROPPED)),
            studying=Count("id", filter=Q(status=E.ENROLLED)),
        )
    )
    placed = (
        ctx.rows(JobPlacement.objects.all(), case_scope)
        .filter(started_on__range=(p.start, p.end))
        .count()
    )
    follow_ups = dict(
        ctx.rows(JobFollowUp.objects.all(), ctx.scope.referral_q("placement__referral__"))
        .filter(due_on__range=(p.start, p.end), outcome=JobFollowUp.Outcome.EMPLOYED)
        .values_list("months")
        .annotate(n=Count("id"))
    )
    rows = [
        Row("enrolled", _("Tham gia học nghề"), [enrolments["enrolled"]]),
        Row("completed", _("Hoàn thành khóa học"), [enrolments["completed"]]),
        Row("studying", _("Đang học"), [enrolments["studying"]]),
        Row("dropped", _("Bỏ học"), [enrolments["dropped"]]),
        Row("placed", _("Có việc làm (bắt đầu trong kỳ)"), [placed]),
        *(
            Row(
                f"employed_{m}",
                _("Còn làm việc sau %(m)s tháng") % {"m": m},
                [follow_ups.get(m, 0)],
            )
            for m in (3, 6, 12)
        ),
    ]
    table = Table(
        "training",
        _("Học nghề và việc làm"),
        [_("Số người")],
        rows,
        note=_("Khóa học khai giảng trong kỳ; theo dõi việc làm đến hạn trong kỳ."),
    )
    return Section("training", _("Đào tạo nghề, việc làm"), [table])


@register_section
def loans_section(ctx: ReportContext) -> Section:
    p = ctx.period
    loans = ctx.rows(LoanApplication.objects.all(), ctx.scope.work_q("referral__", "case__"))
    by_status = {
        row["status"]: [row["n"], row["amount"] or 0, row["approved"] or 0]
        for row in loans.filter(applied_on__range=(p.start, p.end))
        .values("status")
        .annotate(n=Count("id"), amount=Sum("amount"), approved=Sum("approved_amount"))
    }
    rows = _choice_rows(LoanApplication.Status.choices, by_status, width=3)
    total = [sum(int(r.values[i] or 0) for r in rows) for i in range(3)]
    rows.append(Row("total", _("Tổng cộng"), list(total)))
    disbursed = loans.filter(disbursed_on__range=(p.start, p.end)).aggregate(
        n=Count("id"), amount=Sum("disbursed_amount")
    )
    rows.append(
        Row("disbursed", _("Giải ngân trong kỳ"), [disbursed["n"], disbursed["amount"] or 0, None])
    )
    table = Table(
        "loans",
        _("Vay vốn Ngân hàng Chính sách xã hội"),
        [_("Số hồ sơ"), _("Số tiền đề nghị (đồng)"), _("Số tiền phê duyệt (đồng)")],
        rows,
        note=_(
            "Hồ sơ đề nghị trong kỳ theo trạng thái hiện nay; "
            "giải ngân: số tiền đã giải ngân trong kỳ."
        ),
    )
    return Section("loans", _("Vay vốn"), [table])


@register_section
def judicial_records_section(ctx: ReportContext) -> Section:
    p, S = ctx.period, JudicialRecordRequest.Status  # noqa: N806
    figures = {
        row["certificate_type"]: [
            row["n"],
            row["issued"],
            row["refused"],
            row["waiting"],
            row["late"],
        ]
        for row in ctx.rows(
            JudicialRecordRequest.objects.all(), ctx.scope.work_q("referral__", "case__")
        )
        .filter(requested_on__range=(p.start, p.end))
        .values("certificate_type")
        .annotate(
            n=Count("id"),
            issued=Count("id", filter=Q(status=S.ISSUED)),
            refused=Count("id", filter=Q(status=S.REFUSED)),
            waiting=Count("id", filter=Q(status=S.REQUESTED)),
            late=Count(
                "id",
                filter=Q(status=S.ISSUED, issued_on__gt=F("due_on"))
                | Q(status=S.REQUESTED, due_on__lt=ctx.today),
            ),
        )
    }
    table = Table(
        "certificates",
        _("Phiếu lý lịch tư pháp"),
        [_("Tiếp nhận"), _("Đã cấp"), _("Từ chối"), _("Đang giải quyết"), _("Quá hạn")],
        _choice_rows(JudicialRecordRequest.CertificateType.choices, figures, width=5),
    )
    return Section("judicial_records", _("Lý lịch tư pháp"), [table])
