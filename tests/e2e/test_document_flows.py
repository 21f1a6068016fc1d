"""The HCD forms in Chromium at phone width (issue 16, documents and periodic reports): a commune
officer opens a case's dossier, downloads a form as Word and as PDF, opens the reporting
calendar, downloads the quarter's HCD-09 list and records the month's HCD-12 as sent; the
provincial police see that commune among those that sent it. Nothing scrolls sideways."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document

from tests.e2e.conftest import site_shell

CASE_SCRIPT = """
import datetime as dt, json
from django.utils import timezone
from registry import services
from registry.models import AdministrativeUnit, User
officer = User.objects.get(username="ca-xa")
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
today = timezone.localdate()
case = services.prison_notice_register(
    actor=officer, commune=commune,
    person={"full_name": "Điêu Văn Hồ Sơ", "gender": "male", "date_of_birth": dt.date(1990, 1, 2),
            "national_id": "014090770301"},
    custody={"release_date": today - dt.timedelta(days=20), "release_kind": "amnesty",
             "main_penalty": "prison", "sentence_months": 18, "offence": "Trộm cắp tài sản"})
case = services.case_record_presentation(actor=officer, case=case)
services.case_record_milestone(actor=officer, case=case, kind="reception_meeting", on=today)
print(json.dumps({"uuid": str(case.uuid)}))
"""


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def docx_text(path: str) -> str:
    with open(path, "rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.e2e
def test_the_dossier_and_the_periodic_reports_at_phone_width(phones, site) -> None:
    case = json.loads(site_shell(site, CASE_SCRIPT))
    officer = phones("ca-xa")
    page = officer.page
    officer.go(f"/cases/{case['uuid']}/")
    with page.expect_navigation():
        page.click("nav a:has-text('Hồ sơ HCD')")
    assert "Biểu mẫu của hồ sơ quản lý" in officer.text() and fits(page)
    officer.shot("hcd-01-dossier")
    with page.expect_download() as word:
        page.click("li[data-form='HCD-05'] a:has-text('Tải Word')")
    text = docx_text(word.value.path())
    assert "Điêu Văn Hồ Sơ" in text and "Phường Tô Hiệu" in text and "BIÊN BẢN" in text
    with page.expect_download(timeout=120_000) as pdf:
        page.click("li[data-form='HCD-02'] a:has-text('Tải PDF')")
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"

    officer.go("/reports/periodic/")
    assert "Lịch báo cáo" in officer.text() and fits(page)
    with page.expect_download() as listing:
        page.click("a:has-text('Tải Word quý')")
    assert "Điêu Văn Hồ Sơ" in docx_text(listing.value.path())
    row = page.locator("tr[data-period^='HCD-12/month']:has(form)").first
    period = row.get_attribute("data-period")
    row.locator("input[name=reference]").fill("15/BC-CAX")
    with page.expect_navigation():
        row.locator("button:has-text('Ghi nhận đã gửi')").click()
    assert "Đã ghi nhận: đã gửi HCD-12" in officer.text()
    assert "15/BC-CAX" in page.inner_text(f"tr[data-period='{period}']")
    officer.shot("hcd-02-calendar")

    chief = phones("ca-tinh")
    _form, kind, year, number = period.split("/")
    chief.go(f"/reports/periodic/submissions/?kind={kind}&year={year}&number={number}")
    assert "Đã gửi" in chief.page.inner_text("tr[data-commune='03646']")
    assert fits(chief.page)
    chief.shot("hcd-03-submissions")
