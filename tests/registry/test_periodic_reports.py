"""Periodic reports (Circular 10/2024 Art. 5(1)): HCD-12 monthly and HCD-13 quarterly, 6-month
and yearly, for a commune and the province, under the viewer's access; cut-off days and
recipients as dated data; the commune's reporting calendar and the province's submissions page."""

from __future__ import annotations

import datetime as dt

import pytest

from registry import services
from registry.documents import periodic
from registry.models import (
    AccessEvent,
    Agency,
    Case,
    CustodyRecord,
    Membership,
    ReportingRule,
    ReportSubmission,
    Role,
)
from tests import factories
from tests.clock import today
from tests.registry.test_documents import docx_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rules():
    periodic.ensure_default_rules()


@pytest.fixture
def lan():
    return factories.commune_officer("lan-periodic")


def chief():
    user = factories.UserFactory(username="tinh-periodic")
    Membership.objects.create(
        user=user, role=Role.PROVINCIAL_POLICE, agency=Agency.objects.get(code="cong-an-tinh")
    )
    return user


class PeriodTests:
    def test_windows_end_on_the_cutoff_day_and_start_after_the_previous_one(self) -> None:
        march = periodic.report_period("HCD-12", "month", 2026, 3)
        assert (march.start, march.end) == (dt.date(2026, 2, 15), dt.date(2026, 3, 14))
        assert march.due == dt.date(2026, 3, 19)
        january = periodic.report_period("HCD-12", "month", 2026, 1)
        assert january.start == dt.date(2025, 12, 15)
        q1 = periodic.report_period("HCD-13", "quarter", 2026, 1)
        assert (q1.start, q1.end) == (dt.date(2025, 12, 15), dt.date(2026, 3, 14))
        half = periodic.report_period("HCD-13", "half", 2026, 2)
        assert (half.start, half.end) == (dt.date(2026, 6, 15), dt.date(2026, 12, 14))
        year = periodic.report_period("HCD-13", "year", 2026, 1)
        assert (year.start, year.end) == (dt.date(2025, 12, 15), dt.date(2026, 12, 14))
        with pytest.raises(ValueError):
            periodic.report_period("HCD-12", "quarter", 2026, 1)  # HCD-12 is monthly
        with pytest.raises(ValueError):
            periodic.report_period("HCD-13", "quarter", 2026, 5)

    def test_the_recipient_is_dated_district_police_before_march_2025(self) -> None:
        january = periodic.report_period("HCD-12", "month", 2025, 1)
        assert january.recipient.startswith("Công an cấp huyện")
        april = periodic.report_period("HCD-12", "month", 2025, 4)
        assert april.recipient.startswith("Công an tỉnh Sơn La")
        # Editable: a new recipient from a date, and a calendar cut-off.
        ReportingRule.objects.filter(form="HCD-12", valid_to__isnull=True).update(
            valid_to=dt.date(2026, 12, 31)
        )
        ReportingRule.objects.create(
            form="HCD-12", period_kind="month", cutoff_day=None, due_days=10,
            recipient="Phòng PC10 mới", valid_from=dt.date(2027, 1, 1),
        )  # fmt: skip
        later = periodic.report_period("HCD-12", "month", 2027, 2)
        assert later.recipient == "Phòng PC10 mới"
        assert (later.start, later.end) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
        assert later.due == dt.date(2027, 3, 10)


def arrivals(officer, commune_name="Tô Hiệu"):
    """Three cases of one commune: two reported today (one amnestied, group A), one closed
    today because of a new prison term."""
    made = []
    for name, kind in (("Lò Văn Một", "completed"), ("Cà Văn Hai", "amnesty"),
                       ("Quàng Văn Ba", "completed")):  # fmt: skip
        person = factories.make_person(officer, full_name=name, national_id=factories.national_id())
        record = factories.make_custody(officer, person, release_kind=kind)
        case = services.case_open(
            actor=officer, person=person, commune=factories.commune(commune_name),
            custody_record=record,
        )  # fmt: skip
        services.case_record_presentation(actor=officer, case=case, on=today())
        made.append(case)
    Case.objects.filter(pk=made[0].pk).update(classification="A")
    services.case_close(actor=officer, case=made[2], reason="reoffended", on=today())
    return made


def figure(rows, label):
    return dict(rows)[label]


class FigureTests:
    def test_hcd12_counts_for_the_commune_and_the_province_under_access(self, lan) -> None:
        arrivals(lan)
        window = (today() - dt.timedelta(days=3), today())
        mine = periodic.statistics(lan, factories.commune(), *window)
        assert figure(mine, "Số người đã trình diện, được tiếp nhận trong kỳ") == 3
        assert figure(mine, "— trong đó: được đặc xá") == 1
        assert figure(mine, "— trong đó: chấp hành xong án phạt tù") == 2
        assert figure(mine, "Số người đang quản lý cuối kỳ") == 2
        assert figure(mine, "— nhóm A") == 1
        assert figure(mine, "Số người chấm dứt quản lý trong kỳ") == 1
        assert figure(mine, "— Chấp hành án phạt tù mới") == 1
        province = periodic.statistics(chief(), None, *window)
        assert figure(province, "Số người đã trình diện, được tiếp nhận trong kỳ") == 3
        other = factories.commune_officer("other-periodic", "Chiềng An")
        theirs = periodic.statistics(other, None, *window)  # the province, as they may see it
        assert figure(theirs, "Số người đã trình diện, được tiếp nhận trong kỳ") == 0
        work = periodic.work_report(lan, factories.commune(), *window)
        assert figure(work, "Số người đang quản lý cuối kỳ") == 2
        assert "Đề nghị hỗ trợ đã gửi cơ quan chức năng" in dict(work)
        assert CustodyRecord.ReleaseKind.AMNESTY == "amnesty"


class PageTests:
    def test_the_commune_calendar_download_and_sent(self, client, lan) -> None:
        arrivals(lan)
        factories.sign_in(client, lan)
        page = client.get("/reports/periodic/")
        html = page.content.decode()
        assert page.status_code == 200 and "Phường Tô Hiệu" in html and "HCD-12" in html
        period = periodic.latest_closed("HCD-12", "month", today())
        assert f'data-period="{period.key}"' in html
        url = f"/reports/periodic/HCD-12/month/{period.year}/{period.number}"
        word = client.get(url + ".docx")
        assert word.status_code == 200
        text = docx_text(word.content)
        assert "THỐNG KÊ SỐ LIỆU" in text and "Phường Tô Hiệu" in text
        assert period.start.strftime("%d/%m/%Y") in text and period.recipient in text
        assert AccessEvent.objects.filter(actor=lan, action="export", purpose__startswith="HCD-12")
        sent = client.post(url + "/sent/", {"submitted_on": str(today()), "reference": "12/BC"})
        assert sent.status_code == 302
        saved = ReportSubmission.objects.get()
        assert saved.commune == factories.commune() and saved.recipient == period.recipient
        row = client.get("/reports/periodic/").content.decode().split(
            f'data-period="{period.key}"')[1].split("</tr>")[0]  # fmt: skip
        assert "Đã gửi" in row and "12/BC" in row
        again = client.post(url + "/sent/", {"submitted_on": str(today())})
        assert again.status_code == 400 and "đã được ghi nhận" in again.content.decode()
        home = client.get("/").content.decode()
        assert "Báo cáo định kỳ chưa gửi" in home
        # The province sees which communes sent it.
        factories.sign_in(client, chief())
        board = client.get(
            f"/reports/periodic/submissions/?kind=month&year={period.year}&number={period.number}"
        ).content.decode()
        assert "Đã gửi: 1/" in board
        assert "Đã gửi" in board.split('data-commune="03646"')[1].split("</tr>")[0]
        province = client.get(url + ".docx")  # the province's own report
        assert "tỉnh Sơn La" in docx_text(province.content)

    def test_hcd09_and_who_may_see_what(self, client, lan) -> None:
        arrivals(lan)
        factories.sign_in(client, lan)
        listing = client.get(f"/communes/03646/forms/HCD-09.docx?quarter=4&year={today().year}")
        text = docx_text(listing.content)
        assert "Lò Văn Một" in text and "Cà Văn Hai" in text and "Quàng Văn Ba" not in text
        assert f"Quý 4/{today().year}" in text
        assert client.get("/reports/periodic/submissions/").status_code == 403
        factories.sign_in(client, factories.commune_officer("other-p", "Chiềng An"))
        assert client.get("/reports/periodic/?unit=03646").status_code == 404
        assert client.get("/communes/03646/forms/HCD-09.docx").status_code == 404
        bank = factories.UserFactory(username="bank-periodic")
        Membership.objects.create(
            user=bank, role=Role.SOCIAL_POLICY_BANK, agency=Agency.objects.get(code="nhcsxh-son-la")
        )
        factories.sign_in(client, bank)
        assert client.get("/reports/periodic/").status_code == 403

    def test_the_pdf_of_a_periodic_report(self, client, lan) -> None:
        factories.sign_in(client, lan)
        period = periodic.latest_closed("HCD-13", "quarter", today())
        pdf = client.get(f"/reports/periodic/HCD-13/quarter/{period.year}/{period.number}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
