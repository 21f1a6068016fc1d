"""The periodic reports the commune and provincial police owe (Circular 10/2024 Art. 5(1)):
HCD-12, monthly statistics, and HCD-13, the quarterly, 6-month and yearly work report.

A period is a calendar month, quarter, half or year; its data window ends on the rule's cut-off
day of the period's last month and starts the day after the previous window's cut-off (Decree
09/2019/NĐ-CP art. 12: the 14th, seeded as data; an empty cut-off means calendar bounds). The
report is due ``due_days`` after the cut-off and goes to the rule's recipient — all of it dated
data (``ReportingRule``), because district police ended on 01/03/2025.

Figures are counts only, read under the viewer's access scope (``access.report_rows_for_user``)
and the report's place (a commune, or the province).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, FilteredRelation, Q
from django.utils import timezone

from registry import access
from registry.documents.forms import DEFAULT_RECIPIENT
from registry.models import (
    AdministrativeUnit,
    Case,
    CaseMilestone,
    CustodyRecord,
    Need,
    Referral,
    ReportingRule,
    ReportSubmission,
    User,
)
from registry.models.loans import LoanApplication
from registry.models.training import Enrollment, JobPlacement
from registry.reports.periods import Scope

KINDS = {  # kind → (periods in a year, months in a period, the label)
    "month": (12, 1, "Tháng {n}/{y}"),
    "quarter": (4, 3, "Quý {n}/{y}"),
    "half": (2, 6, "6 tháng {half} năm {y}"),
    "year": (1, 12, "Năm {y}"),
}
FORM_KINDS = {"HCD-12": ("month",), "HCD-13": ("quarter", "half", "year")}


@dataclass(frozen=True)
class Rule:
    cutoff_day: int | None
    due_days: int
    recipient: str


# The rules migration 0017 seeds (kept here too for a database emptied by a test's flush).
DISTRICT_RECIPIENT = "Công an cấp huyện (đơn vị thi hành án hình sự và hỗ trợ tư pháp)"
DISTRICT_POLICE_ENDED = dt.date(2025, 3, 1)


def ensure_default_rules() -> None:
    """The seeded rules, if the table is empty: cut-off on the 14th, 5 days to send, to the
    district police until 28/02/2025 and to the provincial police from 01/03/2025."""
    if ReportingRule.objects.exists():
        return
    for form, kinds in FORM_KINDS.items():
        for kind in kinds:
            common = {"form": form, "period_kind": kind, "cutoff_day": 14, "due_days": 5}
            ReportingRule.objects.create(
                **common, recipient=DISTRICT_RECIPIENT, valid_from=dt.date(2024, 7, 1),
                valid_to=DISTRICT_POLICE_ENDED - dt.timedelta(days=1),
            )  # fmt: skip
            ReportingRule.objects.create(
                **common, recipient=DEFAULT_RECIPIENT, valid_from=DISTRICT_POLICE_ENDED
            )


def all_rules() -> list[ReportingRule]:
    """Every rule (a few rows): read once, then chosen in Python for each period."""
    return list(ReportingRule.objects.order_by("-valid_from"))


def rule_for(form: str, kind: str, on: dt.date, rules: list[ReportingRule] | None = None) -> Rule:
    """The rule in force on ``on``; the seeded default if none is."""
    for found in all_rules() if rules is None else rules:
        if found.form == form and found.period_kind == kind and found.is_valid_on(on):
            return Rule(found.cutoff_day, found.due_days, found.recipient)
    return Rule(14, 5, DEFAULT_RECIPIENT)


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class ReportPeriod:
    form: str
    kind: str
    year: int
    number: int  # month 1–12, quarter 1–4, half 1–2, year 1
    start: dt.date  # the data window, inclusive
    end: dt.date
    due: dt.date
    recipient: str

    @property
    def label(self) -> str:
        pattern = KINDS[self.kind][2]
        half = "đầu" if self.number == 1 else "cuối"
        return pattern.format(n=self.number, y=self.year, half=half)

    @property
    def key(self) -> str:
        return f"{self.form}/{self.kind}/{self.year}/{self.number}"

    @property
    def slug(self) -> str:
        return f"{self.form.lower()}-{self.kind}-{self.year}-{self.number}"

    def status(self, submission: ReportSubmission | None, today: dt.date) -> str:
        if submission is not None:
            return "sent"
        if today > self.due:
            return "overdue"
        return "due" if today > self.end else "open"


def report_period(
    form: str, kind: str, year: int, number: int, rules: list[ReportingRule] | None = None
) -> ReportPeriod:
    """The period's data window, due date and recipient; ValueError for a period that is not."""
    if form not in FORM_KINDS or kind not in FORM_KINDS[form]:
        raise ValueError("no such report")
    count, months, _label = KINDS[kind]
    if not (1 <= number <= count and 2000 <= year <= 2100):
        raise ValueError("no such period")
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    calendar_end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
    rules = all_rules() if rules is None else rules
    rule = rule_for(form, kind, calendar_end, rules)
    if rule.cutoff_day:
        end = dt.date(year, last_month, rule.cutoff_day)
        before_year, before_month = _shift(year, first_month, -1)
        start = dt.date(before_year, before_month, rule.cutoff_day) + dt.timedelta(days=1)
    else:
        start, end = dt.date(year, first_month, 1), calendar_end
    due = end + dt.timedelta(days=rule.due_days)
    return ReportPeriod(
        form, kind, year, number, start, end, due, rule_for(form, kind, due, rules).recipient
    )


def periods_around(today: dt.date, back_days: int = 370) -> list[ReportPeriod]:
    """Every HCD-12 and HCD-13 period that started by today and ended within ``back_days``,
    the latest due first."""
    found, rules = [], all_rules()
    for year in (today.year - 1, today.year):
        for form, kinds in FORM_KINDS.items():
            for kind in kinds:
                for number in range(1, KINDS[kind][0] + 1):
                    period = report_period(form, kind, year, number, rules)
                    if period.start <= today and period.end >= today - dt.timedelta(back_days):
                        found.append(period)
    return sorted(found, key=lambda p: (p.due, p.form, p.kind), reverse=True)


def latest_closed(form: str, kind: str, today: dt.date) -> ReportPeriod:
    """The latest period of this kind whose window has ended."""
    rules = all_rules()
    candidates = [
        report_period(form, kind, year, number, rules)
        for year in (today.year - 1, today.year)
        for number in range(1, KINDS[kind][0] + 1)
    ]
    return max((p for p in candidates if p.end < today), key=lambda p: p.end)


# --- figures -----------------------------------------------------------------------------------


def _scope(commune: AdministrativeUnit | None) -> Scope:
    if commune is None:
        return Scope.province()
    return Scope("commune", commune.full_name, commune_ids=frozenset({commune.pk}))


def statistics(
    user: User, commune: AdministrativeUnit | None, start: dt.date, end: dt.date
) -> list[tuple[str, Any]]:
    """HCD-12: the month's statistics of released and amnestied people, as (label, count)."""
    scope = _scope(commune)
    K, R = CaseMilestone.Kind, CustodyRecord.ReleaseKind  # noqa: N806
    arrivals = (
        access.report_rows_for_user(user, CaseMilestone.objects.all())
        .filter(scope.case_q("case__"))
        .filter(kind__in=[K.NOTICE_RECEIVED, K.PRESENTED], date__range=(start, end))
        .values_list("kind", "case__custody_record__release_kind")
        .annotate(n=Count("id"))
    )
    by_kind: dict[tuple[str, str | None], int] = {(k, r): n for k, r, n in arrivals}

    def arrived(kind: str, release: str | None = None) -> int:
        return sum(n for (k, r), n in by_kind.items() if k == kind and release in (None, r))

    reported = Q(presented__date__lte=end)
    open_at_end = reported & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    closed_in = Q(closed_on__range=(start, end))
    groups = {g: Count("id", filter=open_at_end & Q(classification=g)) for g in "ABCD"}
    reasons = {
        reason: Count("id", filter=closed_in & Q(close_reason=reason))
        for reason in Case.CloseReason.values
    }
    cases = (
        access.report_rows_for_user(user, Case.objects.all())
        .filter(scope.case_q())
        # Every figure below is about cases still open at the start or closed since.
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .annotate(
            presented=FilteredRelation("milestones", condition=Q(milestones__kind=K.PRESENTED))
        )
        .aggregate(
            active_end=Count("id", filter=open_at_end),
            closed=Count("id", filter=closed_in),
            not_reported=Count(
                "id",
                filter=Q(
                    status__in=[Case.Status.EXPECTED, Case.Status.AWAITING_ARRIVAL],
                    reporting_deadline__lt=end,
                ),
            ),
            **{f"group_{g}": q for g, q in groups.items()},
            **{f"closed_{r}": q for r, q in reasons.items()},
        )
    )
    rows: list[tuple[str, Any]] = [
        ("Số người được trại giam thông báo sắp chấp hành xong án", arrived(K.NOTICE_RECEIVED)),
        ("Số người đã trình diện, được tiếp nhận trong kỳ", arrived(K.PRESENTED)),
        ("— trong đó: chấp hành xong án phạt tù", arrived(K.PRESENTED, R.COMPLETED)),
        ("— trong đó: được đặc xá", arrived(K.PRESENTED, R.AMNESTY)),
        ("— trong đó: tha tù trước thời hạn có điều kiện", arrived(K.PRESENTED, R.CONDITIONAL)),
        ("Số người đang quản lý cuối kỳ", cases["active_end"]),
        *((f"— nhóm {g}", cases[f"group_{g}"]) for g in "ABCD"),
        ("Số người quá hạn chưa trình diện", cases["not_reported"]),
        ("Số người chấm dứt quản lý trong kỳ", cases["closed"]),
        *((f"— {label}", cases[f"closed_{reason}"]) for reason, label in Case.CloseReason.choices),
    ]
    return rows


def work_report(
    user: User, commune: AdministrativeUnit | None, start: dt.date, end: dt.date
) -> list[tuple[str, Any]]:
    """HCD-13: the statistics, then the support given in the period — needs identified,
    referrals sent (and how they ended), training, jobs and loans — one aggregate each, under the
    same access rule as the province report (``access.report_rows_for_user``)."""
    rows = statistics(user, commune, start, end)
    scope = _scope(commune)
    midnight = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    next_midnight = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(1), dt.time.min))
    needs = (
        access.report_rows_for_user(user, Need.objects.all())
        .filter(scope.case_q("case__"), created_at__gte=midnight, created_at__lt=next_midnight)
        .count()
    )
    S = Referral.Status  # noqa: N806
    today = timezone.localdate()
    referrals = (
        access.report_rows_for_user(user, Referral.objects.all())
        .filter(scope.referral_q(), sent_at__gte=midnight, sent_at__lt=next_midnight)
        .aggregate(
            sent=Count("id"),
            achieved=Count("id", filter=Q(status=S.COMPLETED, outcome=Referral.Outcome.ACHIEVED)),
            overdue=Count(
                "id",
                filter=Q(responded_at__isnull=True, status=S.REQUESTED, response_due__lt=today)
                | Q(responded_at__date__gt=F("response_due")),
            ),
        )
    )
    work = scope.referral_q("referral__")
    enrolled = (
        access.report_rows_for_user(user, Enrollment.objects.all())
        .filter(work, course__starts_on__range=(start, end))
        .count()
    )
    placed = (
        access.report_rows_for_user(user, JobPlacement.objects.all())
        .filter(work, started_on__range=(start, end))
        .count()
    )
    loans = access.report_rows_for_user(user, LoanApplication.objects.all()).filter(
        scope.work_q("referral__", "case__"),
        Q(applied_on__range=(start, end)) | Q(disbursed_on__range=(start, end)),
    )
    loan_counts = loans.aggregate(
        applied=Count("id", filter=Q(applied_on__range=(start, end))),
        disbursed=Count("id", filter=Q(disbursed_on__range=(start, end))),
    )
    rows += [
        ("Nhu cầu hỗ trợ được xác định", needs),
        ("Đề nghị hỗ trợ đã gửi cơ quan chức năng", referrals["sent"]),
        ("— hoàn thành, đạt", referrals["achieved"]),
        ("— quá hạn trả lời", referrals["overdue"]),
        ("Người tham gia học nghề", enrolled),
        ("Người có việc làm (bắt đầu trong kỳ)", placed),
        ("Hồ sơ vay vốn đề nghị", loan_counts["applied"]),
        ("Hồ sơ vay vốn được giải ngân", loan_counts["disbursed"]),
    ]
    return rows


def report_extra(
    period: ReportPeriod, user: User, commune: AdministrativeUnit | None
) -> dict[str, Any]:
    """What the HCD-12 / HCD-13 provider takes: the figures and the period's labels."""
    build = statistics if period.form == "HCD-12" else work_report
    return {
        "figures": build(user, commune, period.start, period.end),
        "period": period.label,
        "period_start": period.start,
        "period_end": period.end,
        "recipient": period.recipient,
    }
