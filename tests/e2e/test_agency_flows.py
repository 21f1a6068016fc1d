"""The agencies' day in Chromium at phone width (issue 15):

1. Home Affairs triages an inbox of 30 referrals (views, three accepted at once), enrols a person,
   records the completion and the job; the commune officer sees each step on the case timeline
   and a notification;
2. the bank meets a person registered without a release certificate: the commune police record it
   from the case page, the bank corrects the draft amount over the cap and takes the loan to
   disbursement; the police see it;
3. a judicial-record request reaches the records unit's demo user and comes back issued.

The referrals are made in the site's Django (tests/e2e/conftest.py ``site_shell``); everything a
person does is done in the browser. Screenshots land in test-artifacts/e2e/agency-*.png.
"""

from __future__ import annotations

import json

import pytest

from tests.clock import today
from tests.e2e.conftest import Phone, site_shell

GIVEN = [
    "An", "Bình", "Chiến", "Dũng", "Đức", "Giang", "Hải", "Hùng", "Khánh", "Lâm",
    "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quang", "Quân", "Sơn", "Tài",
    "Thành", "Thắng", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Xuân", "Yên",
]  # fmt: skip

WORLD_SCRIPT = """
import datetime as dt, json
from django.utils import timezone
from registry import services
from registry.models import AdministrativeUnit, Agency, User
from registry.services import training
officer = User.objects.get(username="ca-xa")
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
today = timezone.localdate()
def person(name, national_id, certificate=True):
    custody = {"release_date": today - dt.timedelta(days=60), "release_kind": "completed",
               "main_penalty": "prison", "sentence_months": 24, "offence": "Trộm cắp tài sản",
               "obligations_fulfilled": True}
    if certificate:
        custody.update(certificate_number="77/GCN", certificate_date=today - dt.timedelta(days=60))
    case = services.prison_notice_register(
        actor=officer, commune=commune,
        person={"full_name": name, "gender": "male", "date_of_birth": dt.date(1990, 1, 1),
                "national_id": national_id},
        custody=custody)
    return services.case_record_presentation(actor=officer, case=case)
def refer(case, code, agency_code, note=None):
    agency = Agency.objects.get(code=agency_code)
    services.consent_record(actor=officer, person=case.person, purpose="referral",
                            agency=agency, evidence="Phiếu đồng ý")
    need = services.need_identify(actor=officer, case=case,
                                  need_type=agency.need_types.get(code=code))
    return services.referral_send(actor=officer, need=need, agency=agency, note=note)
out = {"jobs": []}
for i, given in enumerate(GIVEN):
    case = person(f"Tòng Văn {given}", f"01409077{i:04d}")
    referral = refer(case, "job", "so-noi-vu", note=f"Muốn học nghề gần nhà ({given})")
    out["jobs"].append({"name": case.person.full_name, "uuid": str(referral.uuid),
                        "case": str(case.uuid)})
training.course_create(actor=User.objects.get(username="noi-vu"),
                       agency=Agency.objects.get(code="so-noi-vu"), trade="Sửa chữa xe máy",
                       provider="Trường Cao đẳng nghề Sơn La", commune=commune, starts_on=today,
                       ends_on=today + dt.timedelta(days=60), seats=5)
case = person("Quàng Văn Hưởng", "014090779001", certificate=False)
out["loan"] = {"name": case.person.full_name, "case": str(case.uuid),
               "uuid": str(refer(case, "loan", "nhcsxh-son-la").uuid)}
case = person("Lường Văn Khoa", "014090779002")
out["record"] = {"name": case.person.full_name, "case": str(case.uuid),
                 "uuid": str(refer(case, "judicial_record", "cong-an-tinh-ho-so").uuid)}
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def world(site):
    script = f"GIVEN = {GIVEN!r}\n" + WORLD_SCRIPT
    return json.loads(site_shell(site, script))


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def timeline(officer: Phone, case_uuid: str) -> str:
    officer.go(f"/cases/{case_uuid}/timeline/")
    return officer.text()


@pytest.mark.e2e
def test_home_affairs_triages_thirty_referrals_and_the_police_see_each_step(phones, world) -> None:
    clerk = phones("noi-vu")
    page = clerk.page
    clerk.go("/inbox/?view=new")
    text = clerk.text()
    assert all(job["name"] in text for job in world["jobs"])
    assert "Muốn học nghề gần nhà" in text and "Tô Hiệu" in text and "còn" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    clerk.shot("agency-01-inbox-new")
    first, *_ = chosen = world["jobs"][:3]
    for job in chosen:
        page.check(f"input[name=referrals][value='{job['uuid']}']")
    submit(page, "button:has-text('Tiếp nhận các đề nghị đã chọn')")
    assert "Đã tiếp nhận 3 đề nghị" in clerk.text()
    clerk.go("/inbox/?view=in_progress")
    text = clerk.text()
    assert all(job["name"] in text for job in chosen)
    assert world["jobs"][3]["name"] not in text
    clerk.shot("agency-02-inbox-in-progress")

    submit(page, f"a:has-text('{first['name']}')")
    submit(page, "a:has-text('Ghi kết quả công việc')")
    submit(page, "li:has-text('Sửa chữa xe máy') >> button:has-text('Ghi danh')")
    assert "Đã ghi danh" in clerk.text()
    page.check("input[name=completed][value='1']")
    page.fill("input[name=attended_days]", "40")
    submit(page, "button:has-text('Ghi kết quả khóa học')")
    page.click("summary:has-text('Ghi nhận việc làm')")
    page.fill("#id_employer", "Hợp tác xã cơ khí Tô Hiệu")
    page.fill("#id_job_title", "Thợ sửa xe máy")
    page.fill("#id_started_on", today().isoformat())
    submit(page, "button:has-text('Ghi nhận việc làm')")
    assert "Thợ sửa xe máy" in clerk.text()
    clerk.shot("agency-03-training-and-job")
    clerk.go("/courses/")
    assert "4/5" in clerk.text()  # one seat taken by the enrolment

    officer = phones("ca-xa")
    text = timeline(officer, first["case"])
    for step in ("Ghi danh khóa đào tạo", "Hoàn thành khóa đào tạo", "Có việc làm"):
        assert step in text, text
    officer.shot("agency-04-police-timeline-job")
    officer.go("/notifications/")
    assert "Có việc làm" in officer.text()


@pytest.mark.e2e
def test_the_bank_gets_the_certificate_from_the_police_and_disburses(phones, world) -> None:
    loan = world["loan"]
    bank = phones("ngan-hang")
    page = bank.page
    bank.go("/inbox/")
    submit(page, f"tr:has-text('{loan['name']}') >> button:has-text('Tiếp nhận')")
    bank.go("/loans/")
    submit(page, f"li:has-text('{loan['name']}') >> a:has-text('Lập hồ sơ vay')")
    page.select_option("#id_purpose", "production")
    page.fill("#id_amount", "150000000")
    submit(page, "main button:has-text('Lưu hồ sơ')")
    loan_url = page.url
    page.fill("form[action$='/confirm-form/'] input[name=date]", today().isoformat())
    submit(page, "button:has-text('Xác nhận mẫu 01/02')")
    submit(page, "button:has-text('Nộp hồ sơ')")
    text = bank.text()
    assert "PT70" in text and "Công an xã" in text and "vượt mức cho vay tối đa" in text
    bank.shot("agency-05-loan-refused")

    officer = phones("ca-xa")
    officer.go(f"/cases/{loan['case']}/")
    officer.page.click("summary:has-text('Ghi giấy chứng nhận')")
    officer.page.fill("#id_number", "345/GCN-TG")
    officer.page.fill("#id_issued_on", today().isoformat())
    officer.page.fill("#id_issuer", "Trại giam Yên Hạ")
    submit(officer.page, "form[action$='/certificate/'] button")
    assert "Đã ghi giấy chứng nhận" in officer.text()
    officer.shot("agency-06-police-certificate")

    page.goto(loan_url)
    submit(page, "a:has-text('Sửa số tiền')")
    page.fill("#id_amount", "80000000")
    submit(page, "main button:has-text('Lưu hồ sơ')")
    submit(page, "button:has-text('Nộp hồ sơ')")
    assert "Đã nộp hồ sơ vay" in bank.text(), bank.text()
    page.fill("form[action$='/approve/'] input[name=amount]", "80000000")
    submit(page, "button:has-text('Phê duyệt')")
    page.fill("form[action$='/disburse/'] input[name=amount]", "80000000")
    submit(page, "button:has-text('Giải ngân')")
    assert "Đã giải ngân" in bank.text()
    bank.shot("agency-07-loan-disbursed")

    text = timeline(officer, loan["case"])
    assert "Giải ngân khoản vay" in text and "80.000.000" in text, text


@pytest.mark.e2e
def test_a_judicial_record_request_reaches_the_records_unit_and_comes_back(phones, world) -> None:
    record = world["record"]
    unit = phones("ho-so")
    page = unit.page
    unit.go("/inbox/")
    assert record["name"] in unit.text()
    submit(page, f"tr:has-text('{record['name']}') >> button:has-text('Tiếp nhận')")
    unit.go(f"/referrals/{record['uuid']}/")
    submit(page, "a:has-text('Ghi kết quả công việc')")
    page.select_option("#id_certificate_type", "1")
    page.select_option("#id_fee_category", "standard")
    submit(page, "button:has-text('Tiếp nhận')")
    submit(page, "button:has-text('Đã cấp phiếu')")
    assert "Đã cấp" in unit.text()
    unit.shot("agency-08-records-issued")

    officer = phones("ca-xa")
    assert "Cấp phiếu lý lịch tư pháp" in timeline(officer, record["case"])
