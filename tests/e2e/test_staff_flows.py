"""Two end-to-end runs of the staff application in Chromium at phone width (issue 5):

1. a commune officer registers a prison notice, records the reception meeting, assesses needs and
   refers a loan need with the person's consent; the bank officer works it without ever seeing
   custody details — Form 01, submission, approval, disbursement —; the officer sees the outcome on
   the case timeline.
2. a Home Affairs officer accepts a job referral, opens a course, enrols the person, records the
   completion and the job that followed.
"""

from __future__ import annotations

import pytest

from tests.clock import days_from_today, today
from tests.e2e.conftest import Phone

OFFENCE = "Trộm cắp tài sản"


def submit(page, selector: str) -> None:
    """Click something that loads a page, and wait for that page."""
    with page.expect_navigation():
        page.click(selector)


def register_notice(officer: Phone, name: str, national_id: str) -> str:
    page = officer.page
    officer.go("/cases/new/")
    page.select_option("#id_commune", "03646")
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
    submit(page, "button:has-text('Lưu hồ sơ')")
    assert "/cases/" in page.url, officer.text()
    return page.url


def assess(officer: Phone, need_codes: list[str]) -> None:
    page = officer.page
    submit(page, "button:has-text('Đã trình diện')")
    page.select_option("form[action$='/milestone/'] select[name=kind]", "reception_meeting")
    page.fill("form[action$='/milestone/'] input[name=date]", today().isoformat())
    page.fill("form[action$='/milestone/'] input[name=note]", "Đã ký cam kết HCD-05")
    submit(page, "form[action$='/milestone/'] button")
    for code in need_codes:
        page.check(f"input[name=need_types][value={code}]")
    submit(page, "form[action$='/needs/'] button")


def refer(officer: Phone, need_label: str, agency_code: str, consent: str = "") -> None:
    page = officer.page
    submit(page, f"li:has-text('{need_label}') >> a:has-text('Chuyển cơ quan')")
    page.select_option("#id_agency", agency_code)
    if consent:
        page.fill("#id_consent_evidence", consent)
    submit(page, "button:has-text('Gửi đề nghị')")
    assert "/cases/" in page.url, officer.text()


@pytest.mark.e2e
def test_a_loan_from_the_prison_notice_to_disbursement(phones) -> None:
    officer = phones("ca-xa")
    timeline = register_notice(officer, "Quàng Văn Dũng", "014088990001")
    assess(officer, ["loan", "job"])
    assert "Gặp mặt, cam kết (HCD-05)" in officer.text()
    refer(officer, "Vay vốn", "nhcsxh-son-la", consent="Phiếu đồng ý chia sẻ cho NHCSXH, có chữ ký")
    officer.shot("02-case-timeline")

    bank = phones("ngan-hang")
    seen = []
    bank.go("/inbox/")
    assert "Quàng Văn Dũng" in bank.text()
    seen.append(bank.page.content())
    bank.shot("03-bank-inbox")
    submit(bank.page, "button:has-text('Tiếp nhận')")
    bank.go("/loans/")
    seen.append(bank.page.content())
    submit(bank.page, "a:has-text('Lập hồ sơ vay')")
    bank.page.select_option("#id_purpose", "production")
    bank.page.fill("#id_amount", "50000000")
    submit(bank.page, "button:has-text('Lưu hồ sơ')")
    bank.page.fill("#id_date", today().isoformat())
    submit(bank.page, "button:has-text('Ghi nhận UBND xã đã xác nhận mẫu 01/02')")
    submit(bank.page, "button:has-text('Nộp hồ sơ')")
    bank.page.fill("#id_amount", "50000000")
    submit(bank.page, "button:has-text('Phê duyệt')")
    bank.page.fill("#id_amount", "50000000")
    bank.page.fill("#id_date", today().isoformat())
    submit(bank.page, "button:has-text('Giải ngân')")
    assert "Đã giải ngân" in bank.text()
    seen.append(bank.page.content())
    bank.shot("04-bank-loan")
    for html in seen:
        assert OFFENCE not in html and "Trại giam" not in html  # no custody details for the bank

    officer.page.goto(timeline)
    assert "Đã giải ngân" in officer.text()
    officer.shot("05-case-timeline-outcome")
    officer.go("/worklist/")
    officer.shot("00-commune-worklist")
    officer.go("/")
    officer.shot("00-home")


@pytest.mark.e2e
def test_home_affairs_enrols_a_referred_person_and_records_the_job(phones) -> None:
    officer = phones("ca-xa")
    register_notice(officer, "Lò Văn Chinh", "014088990002")
    assess(officer, ["job"])
    refer(officer, "Việc làm", "so-noi-vu")

    clerk = phones("noi-vu")
    clerk.go("/inbox/")
    submit(clerk.page, "button:has-text('Tiếp nhận')")
    submit(clerk.page, "button:has-text('Bắt đầu thực hiện')")
    clerk.go("/courses/")
    page = clerk.page
    page.fill("#id_trade", "Sửa chữa xe máy")
    page.fill("#id_provider", "Trường Cao đẳng nghề Sơn La")
    page.select_option("#id_commune", "03646")
    page.fill("#id_starts_on", days_from_today(7).isoformat())
    page.fill("#id_ends_on", days_from_today(90).isoformat())
    page.fill("#id_seats", "12")
    submit(page, "button:has-text('Thêm khóa học')")
    clerk.shot("06-courses")
    clerk.go("/inbox/")
    submit(page, "a:has-text('Học nghề, việc làm')")
    submit(page, "button:has-text('Ghi danh')")
    page.fill("input[name=attended_days]", "58")
    submit(page, "button:has-text('Hoàn thành khóa học')")
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
        for name, national_id in (("Lò Văn Tiến", "014087990101"), ("Cầm Văn Sơn", "014087990102")):
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
