"""The staff workspace in Chromium at phone width (issues 5 and 14):

1. a commune officer registers a prison notice, records the reception meeting, assesses needs and
   refers a loan need with the person's consent; the bank works it without ever seeing custody
   details — Form 01, submission, approval, disbursement —; the officer sees the outcome on the
   case timeline;
2. Home Affairs accepts a job referral, opens a course, enrols the person, records the completion
   and the job that followed;
3. an import of release notices, then the year's report;
4. the commune officer's everyday tasks: finding a case by a name typed without diacritics and by
   national ID, recording yesterday's visit, a refused expungement, a confirmed closing, and a
   refused notice listing every problem at once.

Dates are typed from the app's own clock (tests/clock.py). Screenshots land in test-artifacts/e2e/.
"""

from __future__ import annotations

import json

import pytest

from tests.clock import days_from_today, today
from tests.e2e.conftest import ARTIFACTS, Phone, site_shell

OFFENCE = "Trộm cắp tài sản"
USABILITY: dict[str, dict[str, int]] = {}


def submit(page, selector: str) -> None:
    """Click something that loads a page, and wait for that page."""
    with page.expect_navigation():
        page.click(selector)


def register_notice(officer: Phone, name: str, national_id: str) -> str:
    page = officer.page
    officer.go("/cases/new/")
    page.fill("#id_full_name", name)
    page.select_option("#id_gender", "male")
    page.fill("#id_date_of_birth", "1988-06-02")
    page.fill("#id_national_id", national_id)
    page.fill("#id_release_date", today().isoformat())
    page.select_option("#id_release_kind", "completed")
    page.select_option("#id_main_penalty", "prison")
    page.fill("#id_sentence_months", "24")
    page.fill("#id_offence", OFFENCE)
    page.fill("#id_certificate_date", today().isoformat())
    officer.shot("01-notice-form")
    submit(page, "main button:has-text('Lưu hồ sơ')")
    assert "/cases/" in page.url and "Đã lưu thông báo" in officer.text(), officer.text()
    return page.url


def assess(officer: Phone, need_codes: list[str]) -> None:
    page = officer.page
    submit(page, "button:has-text('Ghi nhận trình diện')")
    page.click("summary:has-text('Ghi mốc')")
    page.select_option("form[action$='/milestone/'] select[name=kind]", "reception_meeting")
    page.fill("form[action$='/milestone/'] input[name=date]", today().isoformat())
    page.fill("form[action$='/milestone/'] input[name=note]", "Đã ký cam kết HCD-05")
    submit(page, "form[action$='/milestone/'] button")
    submit(page, "nav a:has-text('Nhu cầu, đề nghị')")
    for code in need_codes:
        page.check(f"input[name=need_types][value={code}]")
    submit(page, "button:has-text('Lưu nhu cầu')")


def refer(officer: Phone, need_label: str, agency_code: str, consent: str = "") -> None:
    page = officer.page
    submit(page, f"div.app-card:has(h3:has-text('{need_label}')) >> a:has-text('Chuyển cơ quan')")
    page.select_option("#id_agency", agency_code)
    if consent:
        page.fill("#id_consent_evidence", consent)
    submit(page, "main button:has-text('Gửi đề nghị')")
    assert "/needs/" in page.url and "Đã gửi đề nghị" in officer.text(), officer.text()


@pytest.mark.e2e
def test_a_loan_from_the_prison_notice_to_disbursement(phones) -> None:
    officer = phones("ca-xa")
    case_url = register_notice(officer, "Quàng Văn Dũng", "014088770001")
    assess(officer, ["loan", "job"])
    assert "Vay vốn" in officer.text()
    refer(officer, "Vay vốn", "nhcsxh-son-la", consent="Phiếu đồng ý chia sẻ cho NHCSXH, có chữ ký")
    officer.shot("02-case-needs")

    bank = phones("ngan-hang")
    seen = []
    bank.go("/")
    bank.start_counting()
    bank.tap("a[href='/inbox/'] >> nth=0", loads=True)
    assert "Quàng Văn Dũng" in bank.text()
    seen.append(bank.page.content())
    bank.shot("03-bank-inbox")
    bank.tap("tr:has-text('Quàng Văn Dũng') >> button:has-text('Tiếp nhận')", loads=True)
    record("Trả lời một đề nghị (tiếp nhận)", bank)
    bank.go("/loans/")
    seen.append(bank.page.content())
    submit(bank.page, "li:has-text('Quàng Văn Dũng') >> a:has-text('Lập hồ sơ vay')")
    bank.page.select_option("#id_purpose", "production")
    bank.page.fill("#id_amount", "50000000")
    submit(bank.page, "main button:has-text('Lưu hồ sơ')")
    bank.page.fill("form[action$='/confirm-form/'] input[name=date]", today().isoformat())
    submit(bank.page, "button:has-text('Xác nhận mẫu 01/02')")
    submit(bank.page, "button:has-text('Nộp hồ sơ')")
    bank.start_counting()  # on the loan's page
    bank.type("form[action$='/approve/'] input[name=amount]", "50000000")
    bank.tap("button:has-text('Phê duyệt')", loads=True)
    assert "Đã phê duyệt" in bank.text()
    record("Ghi một bước của khoản vay (phê duyệt, từ trang hồ sơ vay)", bank)
    bank.page.fill("form[action$='/disburse/'] input[name=amount]", "50000000")
    bank.page.fill("form[action$='/disburse/'] input[name=date]", today().isoformat())
    submit(bank.page, "button:has-text('Giải ngân')")
    assert "Đã giải ngân" in bank.text()
    seen.append(bank.page.content())
    bank.shot("04-bank-loan")
    for html in seen:
        assert OFFENCE not in html and "Trại giam" not in html  # no custody details for the bank

    officer.page.goto(case_url + "timeline/")
    officer.shot("05-case-timeline-outcome")
    assert "Đã giải ngân" in officer.text(), officer.text()


@pytest.mark.e2e
def test_home_affairs_enrols_a_referred_person_and_records_the_job(phones) -> None:
    officer = phones("ca-xa")
    register_notice(officer, "Lò Văn Chinh", "014088770002")
    assess(officer, ["job"])
    refer(officer, "Việc làm", "so-noi-vu")

    clerk = phones("noi-vu")
    clerk.go("/inbox/?view=new&sort=newest")  # the demo data fill the first page by deadline
    card = "tr:has-text('Lò Văn Chinh')"
    submit(clerk.page, f"{card} >> button:has-text('Tiếp nhận')")
    clerk.go("/inbox/?view=in_progress&sort=newest")
    submit(clerk.page, f"{card} >> button:has-text('Bắt đầu thực hiện')")
    clerk.go("/courses/")
    page = clerk.page
    page.click("summary:has-text('Thêm khóa học')")
    page.fill("#id_trade", "Sửa chữa xe máy")
    page.fill("#id_provider", "Trường Cao đẳng nghề Sơn La")
    page.select_option("#id_commune", "03646")
    page.fill("#id_starts_on", today().isoformat())  # completion is refused before the start
    page.fill("#id_ends_on", days_from_today(90).isoformat())
    page.fill("#id_seats", "12")
    submit(page, "button:has-text('Thêm khóa học')")
    clerk.shot("06-courses")
    clerk.go("/inbox/?view=in_progress&sort=newest")
    clerk.start_counting()  # from the inbox's "in progress" tab
    clerk.tap(f"{card} >> a:has-text('Lò Văn Chinh')", loads=True)
    clerk.tap("a:has-text('Ghi kết quả công việc')", loads=True)
    clerk.tap("button:has-text('Ghi danh')", loads=True)
    record("Ghi danh vào một khóa học (từ hộp đề nghị)", clerk)
    page.check("input[name=completed][value='1']")
    page.fill("input[name=attended_days]", "58")
    submit(page, "button:has-text('Ghi kết quả khóa học')")
    page.click("summary:has-text('Ghi nhận việc làm')")
    page.fill("#id_employer", "Hợp tác xã cơ khí Tô Hiệu")
    page.fill("#id_job_title", "Thợ sửa xe máy")
    page.fill("#id_started_on", today().isoformat())
    submit(page, "button:has-text('Ghi nhận việc làm')")
    text = clerk.text()
    assert "Hoàn thành" in text and "Thợ sửa xe máy" in text and "Sau 12 tháng" in text
    clerk.shot("07-training-and-job")


@pytest.mark.e2e
def test_a_commune_officer_imports_notices_then_reads_the_report(phones, tmp_path) -> None:
    """Issue 8 at phone width: upload a CSV of release notices, read the dry run, import, then
    the year's report with its charts and downloads."""
    import csv

    from registry.imports import COLUMNS

    release = days_from_today(15).strftime("%d/%m/%Y")
    path = tmp_path / "thong-bao-trai-giam.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in COLUMNS])
        for name, national_id in (("Lò Văn Tiến", "014087770101"), ("Cầm Văn Sơn", "014087770102")):
            values = {
                "full_name": name,
                "gender": "Nam",
                "date_of_birth": "05/05/1987",
                "national_id": national_id,
                "commune": "Phường Chiềng Lề",  # the pre-2025 name: now Phường Tô Hiệu
                "release_date": release,
                "sentence_months": "24",
            }
            writer.writerow([values.get(c.key, "") for c in COLUMNS])
    officer = phones("ca-xa")
    officer.go("/imports/")
    officer.page.set_input_files("input[type=file]", str(path))
    submit(officer.page, "button:has-text('Tải lên và chạy thử')")
    officer.page.wait_for_selector("[data-status=checked]", timeout=20_000)
    assert "Nhập 2 người vào sổ theo dõi" in officer.text()
    officer.shot("06-import-dry-run")
    submit(officer.page, "button:has-text('Nhập 2 người')")
    officer.page.wait_for_selector("[data-status=committed]", timeout=20_000)
    assert "Đã tạo hồ sơ" in officer.text()
    officer.shot("07-import-done")

    officer.go(f"/reports/?period=year&year={today().year}&scope=province")
    text = officer.text()
    assert "Được trại giam thông báo trong kỳ" in text and "Tải PDF" in text
    assert officer.page.locator("svg.chart").count() >= 1
    officer.shot("08-report")


# --- the everyday tasks of issue 14, counted ------------------------------------------------------

PEOPLE_SCRIPT = """
import datetime as dt, json
from django.utils import timezone
from registry import services
from registry.models import AdministrativeUnit, CustodyRecord, User
officer = User.objects.get(username="ca-xa")
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
today = timezone.localdate()
made = {}
for name, national_id in [("Lường Văn Đức", "014086770201"), ("Hoàng Thị Nguyệt", "014186770202"),
                          ("Cà Văn Thắng", "014086770203")]:
    case = services.prison_notice_register(
        actor=officer, commune=commune,
        person={"full_name": name, "gender": "female" if "Thị" in name else "male",
                "date_of_birth": dt.date(1986, 4, 4), "national_id": national_id},
        custody={"release_date": today - dt.timedelta(days=200), "release_kind": "completed",
                 "main_penalty": "prison", "sentence_months": 30, "offence": "Trộm cắp tài sản",
                 "obligations_fulfilled": True})
    case = services.case_record_presentation(actor=officer, case=case)
    made[name] = {"uuid": str(case.uuid), "id": national_id,
                  "eligible": str(case.custody_record.expungement_eligible_date)}
print(json.dumps(made))
"""


@pytest.fixture(scope="module")
def people(site):
    return json.loads(site_shell(site, PEOPLE_SCRIPT))


def record(task: str, phone: Phone) -> None:
    USABILITY[task] = {"page_loads": phone.loads, "taps": phone.taps}
    out = ARTIFACTS / "usability.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps(known | USABILITY, ensure_ascii=False, indent=1))


@pytest.mark.e2e
def test_a_case_is_found_by_a_name_without_diacritics_in_two_page_loads(phones, people) -> None:
    officer = phones("ca-xa")
    officer.go("/")
    officer.start_counting()
    officer.type("#tim-kiem", "luong van duc")
    officer.tap(".app-search__button", loads=True)
    assert "Lường Văn Đức" in officer.text() and "Hoàng Thị Nguyệt" not in officer.text()
    officer.shot("10-search-by-name")
    officer.tap("main a:has-text('Lường Văn Đức')", loads=True)
    assert people["Lường Văn Đức"]["uuid"] in officer.page.url
    assert officer.loads <= 2
    record("Tìm một hồ sơ theo tên (không dấu)", officer)


@pytest.mark.e2e
def test_a_case_is_found_by_national_id_straight_away(phones, people) -> None:
    officer = phones("ca-xa")
    officer.go("/")
    officer.start_counting()
    officer.type("#tim-kiem", people["Hoàng Thị Nguyệt"]["id"])
    officer.tap(".app-search__button", loads=True)
    assert people["Hoàng Thị Nguyệt"]["uuid"] in officer.page.url  # the case itself
    assert people["Hoàng Thị Nguyệt"]["id"] not in officer.page.url  # never in a URL
    assert officer.loads <= 2
    officer.shot("11-search-by-national-id")
    record("Tìm một hồ sơ theo số định danh", officer)


@pytest.mark.e2e
def test_a_visit_of_yesterday_is_recorded(phones, people) -> None:
    officer = phones("ca-xa")
    officer.go(f"/cases/{people['Lường Văn Đức']['uuid']}/")
    officer.start_counting()
    officer.tap("summary:has-text('Ghi lần thăm gặp')")
    officer.type("form[action$='/note/'] input[name=happened_on]", days_from_today(-1).isoformat())
    officer.type("form[action$='/note/'] textarea[name=text]", "Thăm nhà, gia đình đã nhận việc")
    officer.tap("form[action$='/note/'] button", loads=True)
    assert "Đã lưu ghi chép" in officer.text()
    officer.shot("12-visit-recorded")
    record("Ghi một lần thăm gặp", officer)
    officer.go(f"/cases/{people['Lường Văn Đức']['uuid']}/timeline/")
    assert days_from_today(-1).strftime("%d/%m/%Y") in officer.text()
    assert "Thăm nhà, gia đình đã nhận việc" in officer.text()


@pytest.mark.e2e
def test_an_expungement_before_its_date_is_refused_and_explained(phones, people) -> None:
    officer = phones("ca-xa")
    target = people["Cà Văn Thắng"]
    officer.go(f"/cases/{target['uuid']}/")
    submit(officer.page, "a:has-text('Kết thúc hồ sơ')")
    assert officer.page.locator("input[name=reason]:checked").count() == 0  # nothing preselected
    officer.page.check("input[name=reason][value=expunged]")
    submit(officer.page, "main button:has-text('Tiếp tục')")
    summary = officer.page.inner_text(".govuk-error-summary")
    eligible = target["eligible"]
    day = f"{eligible[8:10]}/{eligible[5:7]}/{eligible[:4]}"
    assert "Chưa đến ngày đủ điều kiện xóa án tích" in summary and day in summary
    officer.shot("13-expungement-refused")


@pytest.mark.e2e
def test_another_case_is_closed_through_its_confirmation(phones, people) -> None:
    officer = phones("ca-xa")
    target = people["Hoàng Thị Nguyệt"]
    officer.go(f"/cases/{target['uuid']}/")
    submit(officer.page, "a:has-text('Kết thúc hồ sơ')")
    officer.page.check("input[name=reason][value=moved_away]")
    submit(officer.page, "main button:has-text('Tiếp tục')")
    assert "Không thể hoàn tác" in officer.text()
    officer.shot("14-close-confirm")
    button = officer.page.locator("button.govuk-button--warning:has-text('Kết thúc hồ sơ')")
    assert button.count() == 1  # the destructive step looks different
    with officer.page.expect_navigation():
        button.click()
    assert "Đã kết thúc hồ sơ." in officer.text() and "Đã kết thúc" in officer.text()
    officer.shot("15-closed")


@pytest.mark.e2e
def test_a_refused_notice_lists_every_problem_at_once(phones) -> None:
    officer = phones("ca-xa")
    officer.go("/cases/new/")
    officer.page.fill("#id_national_id", "12345")
    submit(officer.page, "main button:has-text('Lưu hồ sơ')")
    items = officer.page.locator(".govuk-error-summary__list li")
    texts = " | ".join(items.all_inner_texts())
    for expected in ("họ", "giới tính", "12 chữ số", "hình thức"):
        assert expected in texts.lower(), texts
    assert items.count() >= 4
    # Every problem links to its field.
    assert officer.page.locator(".govuk-error-summary__list a[href='#id_national_id']").count()
    officer.shot("16-notice-refused")


@pytest.mark.e2e
def test_a_need_is_referred_from_the_case(phones, people) -> None:
    officer = phones("ca-xa")
    target = people["Lường Văn Đức"]
    officer.go(f"/cases/{target['uuid']}/")
    officer.start_counting()
    officer.tap("nav a:has-text('Nhu cầu, đề nghị')", loads=True)
    officer.tap("input[name=need_types][value=legal_aid]")
    officer.tap("main button:has-text('Lưu nhu cầu')", loads=True)
    officer.tap(
        "div.app-card:has(h3:has-text('Trợ giúp pháp lý')) >> a:has-text('Chuyển cơ quan')",
        loads=True,
    )
    officer.choose("#id_agency", "so-tu-phap")
    officer.type("#id_consent_evidence", "Phiếu đồng ý chia sẻ, có chữ ký")
    officer.tap("main button:has-text('Gửi đề nghị')", loads=True)
    assert "Đã gửi đề nghị" in officer.text()
    record("Chuyển một nhu cầu tới cơ quan", officer)


@pytest.mark.e2e
def test_the_months_figures_are_read_from_home(phones) -> None:
    officer = phones("ca-xa")
    officer.go("/")
    officer.start_counting()
    officer.tap("nav a:has-text('Báo cáo')", loads=True)
    officer.choose("#ky", "month")
    officer.type("#thang", str(today().month))
    officer.tap("main button:has-text('Xem báo cáo')", loads=True)
    assert "Được trại giam thông báo trong kỳ" in officer.text()
    officer.shot("17-month-report")
    record("Xem số liệu của tháng", officer)


@pytest.mark.e2e
def test_the_provincial_police_find_who_viewed_a_person(phones, people) -> None:
    chief = phones("ca-tinh")
    chief.go("/")
    chief.start_counting()
    chief.type("#tim-kiem", people["Lường Văn Đức"]["id"])
    chief.tap(".app-search__button", loads=True)
    chief.tap("nav a:has-text('Ai đã xem')", loads=True)
    assert "ca-xa" in chief.text()  # the commune officer's views of this person
    chief.shot("18-who-viewed")
    record("Tìm ai đã xem hồ sơ một người", chief)
