"""The province's report against a small hand-built data set whose answers are known, for each
scope (province, commune, former district, agency) and for viewers with narrower access; the
Excel file read back with openpyxl, the PDF's text read back with pdftotext."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.utils import timezone

from outreach.models import Channel, ContentItem, Message, OptOut
from registry import services
from registry.models import (
    AccessEvent,
    Agency,
    Case,
    CaseMilestone,
    Membership,
    Need,
    Referral,
    Role,
    User,
)
from registry.models.loans import (
    JudicialRecordRequest,
    JudicialRecordRule,
    LoanApplication,
    LoanProgramme,
)
from registry.models.training import Enrollment, JobFollowUp, JobPlacement, TrainingCourse
from registry.reports.exports import bar_chart_svg, to_pdf, to_xlsx
from registry.reports.figures import build_report
from registry.reports.periods import Period, Scope
from tests import factories

pytestmark = pytest.mark.django_db
YEAR = Period.year(2025)
K = CaseMilestone.Kind


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def member(username: str, role: str, agency: Agency, *units) -> User:
    user = factories.UserFactory(username=username)
    Membership.objects.create(user=user, role=role, agency=agency).units.add(*units)
    return user


def case_in(actor, commune: str, notice: dt.date, presented: dt.date | None = None) -> Case:
    person = factories.make_person(actor, national_id=factories.national_id(), phone=None)
    record = factories.make_custody(actor, person)
    case = services.case_open(
        actor=actor, person=person, commune=factories.commune(commune), custody_record=record
    )
    CaseMilestone.objects.filter(case=case, kind=K.NOTICE_RECEIVED).update(date=notice)
    if presented is not None:
        case = services.case_record_presentation(actor=actor, case=case)
        CaseMilestone.objects.filter(case=case, kind=K.PRESENTED).update(date=presented)
    return case


def close(actor, case: Case, reason: str, on: dt.date) -> None:
    if reason == "expunged":
        factories.close_expunged(actor, case)
    else:
        services.case_close(actor=actor, case=case, reason=reason)
    Case.objects.filter(pk=case.pk).update(closed_on=on)


def refer(actor, case: Case, code: str, agency: Agency, sent: dt.date) -> Referral:
    services.consent_record(
        actor=actor, person=case.person, purpose="referral", agency=agency, evidence="Phiếu"
    )
    need = factories.make_need(actor, case, code)
    Need.objects.filter(pk=need.pk).update(created_at=at(sent))
    referral = services.referral_send(actor=actor, need=need, agency=agency)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=at(sent), response_due=sent + dt.timedelta(days=10)
    )
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def world():
    """Five cases in three communes (two of them in the former Thành phố Sơn La, district 116):

    c1 Tô Hiệu     notice 01/02/2025, presented 01/03/2025, active; job → Sở Nội vụ (answered in
                   2 days, completed: achieved), legal aid → Sở Tư pháp (never answered: overdue);
                   two loans, a course, a job kept at 3 months
    c2 Tô Hiệu     notice 01/11/2024, presented 01/12/2024, closed 30/06/2025: reoffended
    c3 Mường Lạn   notice 01/05/2025, presented 01/06/2025, closed 15/01/2026 (after 2025):
                   expunged;
                   a health need; a Type 1 certificate issued late; two SMS
    c4 Chiềng An   notice 20/12/2025, not presented yet
    c5 Tô Hiệu     notice and presentation in 2023, closed 31/12/2024 (before the period)
    """
    builder = factories.UserFactory(username="nguoi-lap")
    Membership.objects.create(
        user=builder, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    home_affairs = Agency.objects.get(code="so-noi-vu")
    justice = Agency.objects.get(code="so-tu-phap")
    c1 = case_in(builder, "Tô Hiệu", dt.date(2025, 2, 1), dt.date(2025, 3, 1))
    c2 = case_in(builder, "Tô Hiệu", dt.date(2024, 11, 1), dt.date(2024, 12, 1))
    close(builder, c2, "reoffended", dt.date(2025, 6, 30))
    c3 = case_in(builder, "Mường Lạn", dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    c4 = case_in(builder, "Chiềng An", dt.date(2025, 12, 20))
    c5 = case_in(builder, "Tô Hiệu", dt.date(2023, 1, 5), dt.date(2023, 6, 1))
    close(builder, c5, "expunged", dt.date(2024, 12, 31))

    job = refer(builder, c1, "job", home_affairs, dt.date(2025, 3, 5))
    services.referral_accept(actor=builder, referral=job)
    services.referral_start(actor=builder, referral=job)
    services.referral_complete(actor=builder, referral=job, outcome="achieved")
    Referral.objects.filter(pk=job.pk).update(responded_at=at(dt.date(2025, 3, 7)))
    refer(builder, c1, "legal_aid", justice, dt.date(2025, 3, 10))
    health = factories.make_need(builder, c3, "health")
    Need.objects.filter(pk=health.pk).update(created_at=at(dt.date(2025, 7, 1)))
    close(builder, c3, "expunged", dt.date(2026, 1, 15))

    programme = LoanProgramme.objects.first()
    for amount, status, disbursed in (
        (50_000_000, "disbursed", 50_000_000),
        (20_000_000, "rejected", None),
    ):
        LoanApplication.objects.create(
            programme=programme,
            case=c1,
            purpose="production",
            amount=amount,
            applied_on=dt.date(2025, 4, 1),
            status=status,
            approved_amount=disbursed,
            disbursed_amount=disbursed,
            disbursed_on=dt.date(2025, 4, 20) if disbursed else None,
            created_by=builder,
        )
    course = TrainingCourse.objects.create(
        agency=home_affairs,
        trade="May công nghiệp",
        provider="Trường Cao đẳng Sơn La",
        commune=factories.commune("Tô Hiệu"),
        starts_on=dt.date(2025, 4, 1),
        ends_on=dt.date(2025, 6, 30),
        seats=20,
    )
    Enrollment.objects.create(course=course, referral=job, status="completed", enrolled_by=builder)
    placement = JobPlacement.objects.create(
        referral=job,
        employer="Công ty may Sơn La",
        job_title="Công nhân may",
        started_on=dt.date(2025, 8, 1),
        recorded_by=builder,
    )
    JobFollowUp.objects.create(
        placement=placement, months=3, due_on=dt.date(2025, 11, 1), outcome="employed"
    )
    JudicialRecordRequest.objects.create(
        case=c3,
        rule=JudicialRecordRule.objects.first(),
        certificate_type="1",
        fee_category="waived",
        fee_amount=0,
        requested_on=dt.date(2025, 7, 1),
        due_on=dt.date(2025, 7, 15),
        status="issued",
        issued_on=dt.date(2025, 7, 20),
        created_by=builder,
    )
    for status in ("delivered", "permanent_failure"):
        message = Message.objects.create(
            person=c3.person,
            channel=Channel.SMS,
            status=status,
            destination="+84912345678",
            destination_index="i",
            next_attempt_at=at(dt.date(2025, 8, 1)),
        )
        Message.objects.filter(pk=message.pk).update(created_at=at(dt.date(2025, 8, 1)))
    opt_out = OptOut.objects.create(destination_index="x", channel="all", source="website")
    OptOut.objects.filter(pk=opt_out.pk).update(created_at=at(dt.date(2025, 9, 1)))
    for day in (dt.date(2025, 3, 1), dt.date(2026, 2, 1)):  # one in the period, one after
        ContentItem.objects.create(
            slug=f"tin-{day:%Y%m%d}",
            kind="warning",
            title="Cảnh giác",
            body="…",
            status="published",
            created_by=builder,
            published_at=at(day),
        )
    return {"builder": builder, "cases": [c1, c2, c3, c4, c5], "home_affairs": home_affairs}


FLOW = ("notified", "received", "managed", "active_end", "closed", "reoffended", "reoffending_rate")


def flow(report) -> tuple:
    return tuple(report.value("people", "flow", key) for key in FLOW)


def report_for(user, scope: Scope, period: Period = YEAR):
    return build_report(user=user, period=period, scope=scope, today=dt.date(2026, 11, 27))


class ScopeTests:
    def test_province(self, world) -> None:
        report = report_for(world["builder"], Scope.province())
        assert flow(report) == (3, 2, 3, 2, 1, 1, 33.3)
        assert report.value("people", "closed_by_reason", "reoffended") == 1
        assert report.value("people", "closed_by_reason", "expunged") == 0  # c3 closes in 2026
        needs = report.table("needs", "by_type")
        assert needs.value("job", 0) == 1 and needs.value("job", 3) == 1  # total, met
        assert needs.value("legal_aid", 0) == 1 and needs.value("legal_aid", 2) == 1  # referred
        # closing c3 withdrew its open need
        assert needs.value("health", 0) == 1 and needs.value("health", 5) == 1
        referrals = report.table("referrals", "by_agency")
        total = (
            referrals.value("total", 0),
            referrals.value("total", 1),
            referrals.value("total", 7),
        )
        assert total == (2, 1, 1)  # sent, achieved, overdue
        assert referrals.value("total", 8) == 50.0  # share overdue (%)
        assert referrals.value(str(world["home_affairs"].pk), 9) == 2.0  # days to answer
        assert report.value("referrals", "legal_aid", "legal_aid", 0) == 1
        assert report.value("referrals", "legal_aid", "legal_aid", 7) == 1
        training = report.table("training", "training")
        assert [training.value(k) for k in ("enrolled", "completed", "placed", "employed_3")] == [
            1,
            1,
            1,
            1,
        ]
        loans = report.table("loans", "loans")
        assert loans.value("total", 0) == 2 and loans.value("total", 1) == 70_000_000
        assert loans.value("disbursed", 0) == 1 and loans.value("disbursed", 1) == 50_000_000
        assert loans.value("rejected", 1) == 20_000_000
        certificates = report.table("judicial_records", "certificates")
        assert [certificates.value("1", i) for i in range(5)] == [1, 1, 0, 0, 1]
        messages = report.table("outreach", "messages")
        assert [messages.value("sms", i) for i in (0, 4, 5)] == [2, 1, 1]
        assert report.value("outreach", "opt_outs", "website") == 1
        assert report.value("outreach", "content", "warning") == 1

    def test_commune(self, world) -> None:
        report = report_for(world["builder"], Scope.parse({"scope": "commune", "unit": "03646"}))
        assert report.scope.label == "Phường Tô Hiệu"
        assert flow(report) == (1, 1, 2, 1, 1, 1, 50.0)
        assert report.value("outreach", "messages", "sms") == 0  # c3's messages are elsewhere
        assert report.value("outreach", "opt_outs", "website") == 0  # no person: province only
        assert report.value("judicial_records", "certificates", "1") == 0

    def test_former_district_through_the_old_to_new_map(self, world) -> None:
        report = report_for(world["builder"], Scope.parse({"scope": "district", "district": "116"}))
        assert flow(report) == (2, 1, 2, 1, 1, 1, 50.0)  # Tô Hiệu and Chiềng An, not Mường Lạn

    def test_agency(self, world) -> None:
        report = report_for(
            world["builder"], Scope.parse({"scope": "agency", "agency": "so-noi-vu"})
        )
        assert flow(report) == (1, 1, 1, 1, 0, 0, 0.0)
        referrals = report.table("referrals", "by_agency")
        assert referrals.value("total", 0) == 1 and referrals.value("total", 7) == 0
        assert report.value("loans", "loans", "total") == 0  # loans go to the bank, not here

    def test_a_quarter_and_a_month(self, world) -> None:
        q1 = report_for(world["builder"], Scope.province(), Period.quarter(2025, 1))
        assert flow(q1)[:3] == (1, 1, 2)  # c2 was still managed until June
        june = report_for(world["builder"], Scope.province(), Period.month(2025, 6))
        assert flow(june)[:5] == (0, 1, 3, 2, 1)  # c2 closed on 30/06: not active at the end


class ViewerScopeTests:
    def test_a_commune_officer_sees_only_their_commune_in_the_province_report(self, world) -> None:
        commune = factories.commune("Mường Lạn")
        officer = member(
            "ca-muong-lan",
            Role.COMMUNE_POLICE,
            Agency.objects.get(level="commune", kind="police", jurisdiction=commune),
            commune,
        )
        report = report_for(officer, Scope.province())
        assert flow(report) == (1, 1, 1, 1, 0, 0, 0.0)
        assert report.value("outreach", "messages", "sms") == 2
        assert report.value("outreach", "opt_outs", "website") == 0
        assert report.value("referrals", "by_agency", "total") == 0

    def test_an_agency_clerk_sees_what_was_referred_to_it(self, world) -> None:
        clerk = member("noi-vu", Role.HOME_AFFAIRS, world["home_affairs"])
        report = report_for(clerk, Scope.province())
        assert flow(report) == (1, 1, 1, 1, 0, 0, 0.0)
        assert report.value("referrals", "by_agency", "total") == 1
        assert report.value("judicial_records", "certificates", "1") == 0

    def test_roles_without_reports_get_403(self, client, world) -> None:
        auditor = member("kiem-tra", Role.AUDITOR, Agency.objects.get(code="cong-an-tinh"))
        factories.sign_in(client, auditor)
        assert client.get("/reports/", {"period": "year", "year": "2025"}).status_code == 403
        assert client.get("/reports/export.xlsx").status_code == 403


class ExportTests:
    def test_excel_holds_the_same_numbers(self, world) -> None:
        from openpyxl import load_workbook

        report = report_for(world["builder"], Scope.province())
        book = load_workbook(io.BytesIO(to_xlsx(report)), data_only=False)
        assert len(book.sheetnames) == len(report.sections)
        for sheet, section in zip(book.worksheets, report.sections, strict=True):
            cells = [[c.value for c in row] for row in sheet.iter_rows()]
            assert [section.title] in [[v for v in row if v is not None] for row in cells]
            for table in section.tables:
                start = cells.index([table.title] + [None] * (len(cells[0]) - 1)) + 1
                assert cells[start][: 1 + len(table.columns)] == [None, *table.columns]
                for offset, line in enumerate(table.rows, start=1):
                    got = cells[start + offset][: 1 + len(line.values)]
                    assert got == [line.label, *line.values], (table.key, line.key)
        flow_sheet = book.worksheets[0]
        assert "Người chấp hành xong án phạt tù" in [c.value for c in flow_sheet["A"]]

    def test_pdf_text_has_the_vietnamese_headings(self, world) -> None:
        assert shutil.which("pdftotext"), (
            "pdftotext (poppler-utils) is needed: scripts/ensure_test_tools.sh"
        )
        report = report_for(world["builder"], Scope.province())
        pdf = to_pdf(report)
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        for heading in (
            "Báo cáo kết quả hỗ trợ tái hòa nhập cộng đồng",
            "Kỳ báo cáo: Năm 2025",
            "Phạm vi: Toàn tỉnh Sơn La",
            "Người chấp hành xong án phạt tù",
            "Được trại giam thông báo trong kỳ",
            "Nhu cầu hỗ trợ theo loại và trạng thái",
            "Chuyển gửi và kết quả hỗ trợ",
            "Vay vốn Ngân hàng Chính sách xã hội",
            "Phiếu lý lịch tư pháp",
            "Tuyên truyền, nhắn tin",
        ):
            assert heading in text, heading
        assert "70.000.000" in text  # the loans' total, in Vietnamese number format

    def test_charts_are_inline_svg_with_escaped_labels(self, world) -> None:
        report = report_for(world["builder"], Scope.province())
        table = report.table("needs", "by_type")
        table.rows[0].label = "<script>alert(1)</script>"
        svg = bar_chart_svg(table)
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert "<script>" not in svg and "&lt;script&gt;" in svg

    def test_formula_like_text_stays_text_in_excel(self, world) -> None:
        from openpyxl import load_workbook

        report = report_for(world["builder"], Scope.province())
        report.sections[0].tables[0].rows[0].label = '=HYPERLINK("http://x","y")'
        sheet = load_workbook(io.BytesIO(to_xlsx(report))).worksheets[0]
        cell = next(
            c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")'
        )
        assert cell.data_type == "s" and cell.quotePrefix


class PageTests:
    def test_page_downloads_and_audit(self, client, world) -> None:
        factories.sign_in(client, world["builder"])
        page = client.get("/reports/", {"period": "year", "year": "2025", "scope": "province"})
        assert page.status_code == 200
        html = page.content.decode()
        assert "Được trại giam thông báo trong kỳ" in html and "<svg" in html
        before = AccessEvent.objects.filter(action="export").count()
        xlsx = client.get("/reports/export.xlsx", {"period": "year", "year": "2025"})
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        pdf = client.get(
            "/reports/export.pdf", {"period": "quarter", "year": "2025", "quarter": "1"}
        )
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
        assert AccessEvent.objects.filter(action="export").count() == before + 2
        assert "báo cáo pdf 20250101-20250331 tinh" in AccessEvent.objects.latest("at").purpose
        assert pdf["Content-Disposition"] == (
            'attachment; filename="bao-cao-tinh-20250101-20250331.pdf"'
        )
        commune = client.get(
            "/reports/export.xlsx",
            {"period": "year", "year": "2025", "scope": "commune", "unit": "03646"},
        )
        assert 'filename="bao-cao-xa-phuong-to-hieu-' in commune["Content-Disposition"]

    @pytest.mark.parametrize(
        "params",
        [
            {"period": "quarter", "year": "2025", "quarter": "5"},
            {"period": "custom", "start": "2025-05-01", "end": "2025-01-01"},
            {"period": "custom", "start": "hôm qua"},
            {"period": "week"},
            {"scope": "commune", "unit": "99999"},
            {"scope": "district", "district": "x"},
            {"scope": "agency", "agency": "khong-co"},
            {"year": "1800"},
        ],
    )
    def test_bad_parameters_get_a_vietnamese_message(self, client, world, params) -> None:
        factories.sign_in(client, world["builder"])
        page = client.get("/reports/", params)
        assert page.status_code == 400
        assert 'role="alert"' in page.content.decode()
        assert client.get("/reports/export.pdf", params).status_code == 400
