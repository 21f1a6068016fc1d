"""The home page of each role: what needs me today, as figures that link to the work, then the
other places the role goes. Figures are counts through the access policy (no personal data on
this page, so nothing to audit). Outreach adds its own figures through ``register_card`` — the
registry never imports outreach."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.counts import kept as counts_kept
from registry.models import (
    Case,
    DataSubjectRequest,
    JudicialRecordRequest,
    LoanApplication,
    Referral,
    User,
)
from registry.models.training import JobFollowUp
from registry.navigation import places_for
from registry.views.common import verified_required
from registry.worklists import commune_worklist


@dataclass(frozen=True)
class Card:
    label: Any
    count: int
    url: str
    alert: bool = False  # the figure is a problem to solve (drawn red), not just work


CardBuilder = Callable[[User, dt.date], list[Card]]
_EXTRA: list[CardBuilder] = []


def register_card(builder: CardBuilder) -> None:
    """Another app adds figures to the home pages (outreach: content and campaigns waiting)."""
    _EXTRA.append(builder)


def _commune_police(user: User, today: dt.date) -> list[Card]:
    if not (access.has(user, "case.create") and access.units_for(user, "case.view")):
        return []
    work = commune_worklist(user=user, on=today)
    worklist = reverse("worklist")
    cases = reverse("case-list")
    return [
        Card(
            _("Người sắp về: quá hạn xác minh nơi cư trú"),
            work.expected_arrivals.filter(address_check_due__lt=today).count(),
            f"{cases}?due=address_overdue",
            alert=True,
        ),
        Card(_("Người sắp về, chờ trình diện"), work.expected_arrivals.count(), worklist),
        Card(_("Đến hạn thăm gặp"), work.visits_due.count(), f"{cases}?due=visit_due"),
        Card(
            _("Sắp đủ điều kiện xóa án tích"),
            work.expungements_coming.count(),
            f"{cases}?due=expungement_soon",
        ),
    ]


def _agency(user: User, today: dt.date) -> list[Card]:
    agencies = access.agencies_for(user, "referral.act")
    if not agencies:
        return []
    mine = Referral.objects.filter(agency_id__in=agencies)
    inbox = reverse("inbox")
    soon = today + dt.timedelta(days=3)
    return [
        Card(_("Đề nghị mới chờ tiếp nhận"), mine.filter(status="requested").count(), inbox),
        Card(
            _("Sắp hết hạn trả lời (3 ngày tới)"),
            mine.filter(status="requested", response_due__range=(today, soon)).count(),
            inbox,
        ),
        Card(
            _("Quá hạn trả lời"),
            mine.filter(Referral.overdue_q(today)).count(),
            inbox,
            alert=True,
        ),
        Card(
            _("Đang thực hiện"),
            mine.filter(status__in=["accepted", "in_progress", "on_hold"]).count(),
            inbox,
        ),
    ]


def _bank(user: User, today: dt.date) -> list[Card]:
    if not access.has(user, "loan.manage"):
        return []
    loans = access.loan_list_for_user(user)
    return [
        Card(
            _("Hồ sơ vay đang chờ duyệt hoặc giải ngân"),
            loans.filter(status__in=["submitted", "approved"]).count(),
            reverse("loans"),
        )
    ]


def _committee(user: User, today: dt.date) -> list[Card]:
    if not access.has(user, "loan.confirm_form") or access.has(user, "loan.manage"):
        return []
    waiting = access.loan_list_for_user(user).filter(
        status=LoanApplication.Status.DRAFT, form_confirmed_on__isnull=True
    )
    return [Card(_("Hồ sơ vay chờ UBND xã xác nhận mẫu 01/02"), waiting.count(), reverse("loans"))]


def _training(user: User, today: dt.date) -> list[Card]:
    if not access.has(user, "training.manage"):
        return []
    agencies = access.agencies_for(user, "training.manage")
    due = JobFollowUp.objects.filter(
        placement__referral__agency_id__in=agencies,
        outcome=JobFollowUp.Outcome.DUE,
        due_on__lte=today,
    )
    return [Card(_("Theo dõi việc làm đến hạn"), due.count(), reverse("follow-ups"))]


def _records(user: User, today: dt.date) -> list[Card]:
    if not access.has(user, "records.manage"):
        return []
    agencies = access.agencies_for(user, "records.manage")
    pending = JudicialRecordRequest.objects.filter(
        referral__agency_id__in=agencies, status=JudicialRecordRequest.Status.REQUESTED
    )
    return [Card(_("Phiếu lý lịch tư pháp chờ cấp"), pending.count(), reverse("inbox"))]


def _province(user: User, today: dt.date) -> list[Card]:
    if not access.has(user, "case.grant"):
        return []
    return [
        Card(
            _("Đề nghị quá hạn trả lời trong tỉnh"),
            access.referral_list_for_user(user).filter(Referral.overdue_q(today)).count(),
            reverse("overdue"),
            alert=True,
        ),
        Card(
            _("Hồ sơ đang quản lý"),
            access.case_list_for_user(user).filter(status=Case.Status.ACTIVE).count(),
            f"{reverse('case-list')}?status=active",
        ),
    ]


def _privacy(user: User, today: dt.date) -> list[Card]:
    if not (access.has(user, "dsr.view") or access.has(user, "dsr.oversee")):
        return []
    requests = access.data_request_list_for_user(user)
    url = reverse("privacy-requests")
    return [
        Card(
            _("Yêu cầu về dữ liệu cá nhân quá hạn"),
            requests.filter(DataSubjectRequest.overdue_q(today)).count(),
            f"{url}?overdue=1",
            alert=True,
        )
    ]


BUILDERS: list[CardBuilder] = [
    _commune_police,
    _agency,
    _bank,
    _committee,
    _training,
    _records,
    _province,
    _privacy,
]

# Places beyond the header's, each with the capabilities that open it.
MORE = (
    (_("Nhập danh sách từ trại giam (CSV, Excel)"), "imports", ("case.import",)),
    (_("Đề nghị quá hạn trả lời"), "overdue", ("referral.view",)),
    (_("Hồ sơ vay vốn"), "loans", ("loan.view",)),
    (_("Khóa đào tạo nghề"), "courses", ("training.manage",)),
    (_("Theo dõi việc làm"), "follow-ups", ("training.manage",)),
    (_("Yêu cầu về dữ liệu cá nhân"), "privacy-requests", ("dsr.view", "dsr.oversee")),
    (
        _("Truyền thông: nội dung, chiến dịch SMS và Zalo"),
        "outreach-home",
        ("content.view", "campaign.view"),
    ),
    (_("Câu hỏi của người dân"), "outreach-questions", ("question.answer",)),
    (_("Báo cáo, thống kê"), "reports", ("report.view",)),
    (_("Báo cáo định kỳ HCD-12, HCD-13"), "periodic-reports", ("case.export",)),
    (_("Nhật ký truy cập"), "audit-events", ("audit.view",)),
)


@verified_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    cards = counts_kept(
        user, "home", lambda: [c for build in [*BUILDERS, *_EXTRA] for c in build(user, today)]
    )
    in_header = {p.url_name for p in places_for(user)}
    more = [
        (label, reverse(name))
        for label, name, capabilities in MORE
        if name not in in_header and any(access.has(user, c) for c in capabilities)
    ]
    return render(
        request,
        "home.html",
        {
            "cards": cards,
            "more": more,
            "today": today,
            "can_register": access.has(user, "case.create"),
            "can_cases": access.has(user, "case.view"),
        },
    )
