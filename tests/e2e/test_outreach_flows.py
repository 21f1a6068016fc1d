"""An outreach manager at phone width (issue 19), in Chromium against the real site: builds a
segment, reads why its people become fewer recipients (each exclusion with its number) and what
the SMS will cost per carrier, has the campaign approved, launches it at 22:52 and reads when it
will start (07:00 the next morning).

The site runs on its own server process whose clock is moved to 22:52 Asia/Ho_Chi_Minh with
time-machine (the same database as the other e2e tests), with the brandname gateway (eSMS
profile) pointed at the local fake provider.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import time

import pytest

from outreach import fake_provider
from tests.e2e.conftest import ROOT, Phone, free_port

NIGHT = dt.datetime(2026, 11, 30, 22, 52, tzinfo=dt.timezone(dt.timedelta(hours=7)))

PEOPLE_SCRIPT = """
import json
from django.utils import timezone
from outreach.models import OptOut, SmsRate
from registry import services
from registry.models import AdministrativeUnit, Case, Consent, Person, User
from tests import factories
officer = User.objects.get(username="ca-xa")
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="03646")
phones = ["0961000001", "0971000002", "0701000003", "0912000004", "0889000005",
          "0901000006", "0961000007", "0961000008", "0961000009", "0961000010"]
names = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lâm", "Minh", "Nam"]
people = []
for name, phone in zip(names, phones):
    person = factories.make_person(officer, phone=phone, full_name=f"Người Thử {name}")
    factories.make_case(officer, person, commune_name=commune.name)
    people.append(person)
for person in people[:8]:
    services.consent_record(actor=officer, person=person, purpose=Consent.Purpose.OUTREACH,
                            channel="sms", evidence="Phiếu đồng ý (e2e)")
# people[8], people[9]: no consent. people[7]: opted out. people[6]: case closed. people[5]: demo.
OptOut.objects.create(destination_index=people[7].phone_index, channel="all", source="officer")
Case.objects.filter(person=people[6]).update(status="closed", close_reason="moved",
                                             closed_on=timezone.localdate())
Person.objects.filter(pk=people[5].pk).update(is_demo=True)
for carrier, price in (("viettel", 795), ("vinaphone", 810), ("mobifone", 805), ("", 850)):
    SmsRate.objects.get_or_create(provider="esms", carrier=carrier,
                                  defaults={"price_per_segment": price})
# Users of this test alone: their TOTP devices see the moved clock (a code of 30/11 22:52 would
# make the other tests' codes for a shared user look replayed).
from django_otp.plugins.otp_totp.models import TOTPDevice
from registry.models import Agency, Membership, Role
keys = {}
night_users = (("truyen-thong-dem", Role.OUTREACH_MANAGER), ("ca-tinh-dem", Role.PROVINCIAL_POLICE))
for name, role in night_users:
    user = User.objects.create_user(name, password="mat-khau-e2e-2026")
    Membership.objects.create(user=user, role=role, agency=Agency.objects.get(code="cong-an-tinh"))
    keys[name] = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True).bin_key.hex()
print(json.dumps({"commune": commune.pk, "name": commune.name, "keys": keys}))
"""

SERVER = """
import datetime as dt, sys, runpy, time_machine
time_machine.travel(dt.datetime.fromisoformat(sys.argv[1]), tick=True).start()
sys.argv = ["manage.py", "runserver", sys.argv[2], "--noreload", "--nostatic"]
runpy.run_path("manage.py", run_name="__main__")
"""


@pytest.fixture(scope="module")
def night_site(site):
    env = {**site["env"]}
    seeded = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PEOPLE_SCRIPT],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    commune = json.loads(seeded.stdout.strip().splitlines()[-1])
    fake = fake_provider.start(fake_provider.FakeState(callbacks=False))
    port = free_port()
    env.update(
        {
            "OUTREACH_SMS_GATEWAY": "esms",
            "OUTREACH_GATEWAY_BASE_URL": f"http://127.0.0.1:{fake.server_address[1]}",
            "OUTREACH_GATEWAY_API_KEY": "fake-gateway-key",
            "OUTREACH_GATEWAY_SECRET_KEY": "fake-gateway-secret",
            "OUTREACH_GATEWAY_BRANDNAME": "CA SON LA",
            "OUTREACH_HOTLINE": "0212 3852 113",
            "OUTREACH_SEND_WINDOW": "07:00-22:00",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, NIGHT.isoformat(), f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    started = time.time()
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    try:
        yield {
            **site,
            "keys": {**site["keys"], **commune["keys"]},
            "url": f"http://127.0.0.1:{port}",
            "clock": lambda: NIGHT.timestamp() + (time.time() - started),
            "commune": commune,
            "fake": fake,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        fake.shutdown()


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def rows(page, table: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table} tr",
        "trs => trs.map(tr => [...tr.querySelectorAll('th,td')].map(c => c.innerText.trim()))",
    )


@pytest.mark.e2e
def test_a_manager_builds_a_segment_reads_exclusions_and_cost_and_launches_at_night(
    browser, night_site
) -> None:
    manager = Phone(browser, night_site, "truyen-thong-dem", clock=night_site["clock"])
    page = manager.page
    manager.go("/outreach/segments/new/")
    page.fill("#id_name", "Người về ở xã thử")
    page.select_option("#id_communes", str(night_site["commune"]["commune"]))
    # The people of this test (born 1985, back 30 days before the seeding day), not the demo
    # people of the site nor the other tests'.
    page.fill("#id_age_min", "41")
    page.fill("#id_age_max", "41")
    page.fill("#id_days_since_release_min", "29")
    page.fill("#id_days_since_release_max", "32")
    submit(page, "button[name=count]")
    assert "Số người trong nhóm: 9" in manager.text()  # open cases only
    submit(page, "button[name=save]")
    manager.shot("19-01-segment")

    manager.go("/outreach/campaigns/new/")
    page.fill("#id_name", "Học nghề tháng 12")
    page.select_option("#id_content", label="Học nghề miễn phí, có hỗ trợ tiền ăn")
    page.select_option("#id_segment", label="Người về ở xã thử")
    page.select_option("#id_channels", "sms")
    page.uncheck("#id_sandbox")
    submit(page, "main button[type=submit]")
    assert "/outreach/campaigns/" in page.url, manager.text()

    explained = rows(page, "explained-count")
    assert explained[0] == ["Nhóm “Người về ở xã thử” chọn", "10"]
    assert ["Loại: Hồ sơ đã kết thúc", "−\xa01"] in explained
    assert ["Loại: Người giả lập (dữ liệu mẫu, không gửi thật)", "−\xa01"] in explained
    assert ["Loại: Chưa đồng ý nhận tin qua kênh đã chọn", "−\xa02"] in explained
    assert ["Loại: Đã từ chối nhận tin", "−\xa01"] in explained
    assert explained[-1] == ["Sẽ nhận tin", "5"]
    # The offer's SMS ([QC] label and opt-out text added) takes 2 segments.
    assert "Mỗi tin SMS: 2 phần tin" in manager.text()
    costs = rows(page, "cost-by-carrier")
    assert ["Viettel", "SMS thương hiệu (eSMS.vn)", "2", "3.180"] in costs
    assert ["VinaPhone", "SMS thương hiệu (eSMS.vn)", "2", "3.240"] in costs
    assert ["MobiFone", "SMS thương hiệu (eSMS.vn)", "1", "1.610"] in costs
    assert costs[-1] == ["Tổng cộng", "8.030"]
    text = manager.text()
    assert "Người Thử" not in text and "0961000001" not in text  # counts only
    assert "[QC] Chao Nguoi Thu" not in text  # the preview uses a sample name, not a person's
    assert "[QC]" in page.inner_text("pre.sms")  # an offer carries the advertising label
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width}px wide at 360px"
    manager.shot("19-02-campaign-explained")
    submit(page, "button:has-text('Gửi Công an tỉnh duyệt')")
    campaign_url = page.url

    approver = Phone(browser, night_site, "ca-tinh-dem", clock=night_site["clock"])
    approver.page.goto(campaign_url)
    submit(approver.page, "button:has-text('Duyệt chiến dịch')")
    assert "Đã duyệt" in approver.text()
    approver.close()

    page.goto(campaign_url)
    assert "Nếu bắt đầu gửi bây giờ, tin nhắn sẽ đi từ 07:00 ngày 01/12/2026" in manager.text()
    submit(page, "button:has-text('Bắt đầu gửi')")
    banner = page.inner_text("#campaign-starts")
    assert "Chiến dịch đã bắt đầu nhưng chưa gửi tin nào" in banner
    assert "07:00 ngày 01/12/2026" in banner and "07:00–22:00" in banner
    assert "Đang gửi" in manager.text()
    # Nothing was processed yet: the page still explains who will be left out, and why.
    after = rows(page, "explained-count")
    assert ["Loại: Chưa đồng ý nhận tin qua kênh đã chọn", "−\xa02"] in after
    assert after[-1] == ["Sẽ nhận tin", "5"]
    manager.shot("19-03-launched-at-night")
    assert night_site["fake"].state.received == []  # nothing went out at night
    manager.close()
