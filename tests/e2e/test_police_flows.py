"""The commune police's legal workflow in Chromium at phone width (issue 16):

1. a commune officer classifies a quarter for a commune of 40 active cases on one page (group and
   reason per case, one save), nothing scrolling sideways;
2. the officer proposes moving a person to another commune, whose officer accepts it from the
   transfers inbox; the case then opens for the receiving commune and no longer for the sender.

Taps, page loads and seconds are printed (the usability figures of the closing note).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.clock import today
from tests.e2e.conftest import ROOT, Phone

COMMUNE = "03646"  # Phường Tô Hiệu: the commune of "ca-xa"
OTHER = "04246"  # the commune of "ca-xa-khac"

# Active cases topped up to 40 in the officer's commune (names without digits, as the
# service requires).
FILL_SCRIPT = """
import datetime as dt, json, itertools
from registry import services
from registry.models import AdministrativeUnit, Case, CustodyRecord, User
from registry.validation import today
commune = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="%(commune)s")
actor = User.objects.get(username="ca-xa")
active = Case.objects.filter(commune=commune, status="active")
given = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khánh", "Lâm", "Minh", "Nam"]
family = ["Cầm", "Lường", "Quàng", "Tòng"]
names = itertools.product(family, given)
serial = 0
while active.count() < 40:
    last, first = next(names)
    serial += 1
    year = 1980 + serial %% 15
    person = services.person_create(
        actor=actor,
        full_name=f"{last} Văn Quý {first}",
        gender="male",
        date_of_birth=dt.date(year, 5, 1),
    )
    record = services.custody_record_create(
        actor=actor,
        person=person,
        release_date=today() - dt.timedelta(days=60),
        release_kind=CustodyRecord.ReleaseKind.COMPLETED,
        main_penalty=CustodyRecord.PenaltyKind.PRISON,
        sentence_months=24,
        obligations_fulfilled=True,
        offence="Trộm cắp tài sản",
    )
    case = services.case_open(actor=actor, person=person, commune=commune, custody_record=record)
    services.case_record_presentation(actor=actor, case=case)
other = AdministrativeUnit.objects.get(unit_list="2025", level="commune", code="%(other)s")
print(json.dumps({"active": active.count(), "other": other.pk}))
"""


def site_run(site: dict, script: str) -> str:
    """Python in the site's Django; its error shown in full when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=site["env"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.e2e
def test_a_commune_classifies_its_quarter_and_moves_a_person(site, phones) -> None:
    facts = json.loads(site_run(site, FILL_SCRIPT % {"commune": COMMUNE, "other": OTHER}))
    assert facts["active"] == 40
    officer: Phone = phones("ca-xa")
    page = officer.page

    # 1. the quarter page: one row per active case
    officer.go("/supervision/")
    officer.start_counting()
    started = time.monotonic()
    officer.tap("a:has-text('Phân loại theo quý')", loads=True)
    rows = page.locator("fieldset.app-quarter-row")
    assert rows.count() == 40, officer.text()
    assert page.evaluate(
        "new Set([...document.querySelectorAll('[id]')].map(e => e.id)).size"
    ) == page.evaluate("document.querySelectorAll('[id]').length")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    officer.shot("police-01-quarter")
    for index in range(40):
        row = rows.nth(index)
        group = "C" if index % 10 == 9 else ("B" if index % 4 == 3 else "A")
        officer.taps += 1
        row.locator("select").select_option(group)
        if group == "C":
            officer.taps += 1
            row.locator("input[name^=r_]").fill("Hay uống rượu, gây rối")
    officer.tap("button:has-text('Lưu phân loại cả danh sách')", loads=True)
    seconds = time.monotonic() - started
    text = officer.text()
    assert "Đã lưu phân loại" in text and "chưa phân loại: 0" in text, text
    assert "C: 4" in text, text
    print(
        f"\nquarter of 40 cases: {officer.taps} taps, {officer.loads} page loads, {seconds:.1f} s"
    )

    # 2. a transfer proposed by this commune, accepted by the other
    case_link = page.locator("fieldset.app-quarter-row legend a").first
    name = case_link.inner_text()
    submit(page, "fieldset.app-quarter-row legend a >> nth=0")
    case_url = page.url.replace("/supervision/", "/")
    officer.start_counting()
    page.click("summary:has-text('Đề nghị chuyển hồ sơ sang xã khác')")
    page.select_option("#transfer-propose-to_commune", str(facts["other"]))
    page.fill("#transfer-propose-new_address", "Bản Mới, nơi ở mới")
    page.fill("#transfer-propose-on", today().isoformat())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), ids
    submit(page, "button:has-text('Gửi đề nghị chuyển')")
    assert "Đã gửi đề nghị chuyển hồ sơ" in officer.text(), officer.text()
    officer.shot("police-02-transfer-proposed")

    receiver: Phone = phones("ca-xa-khac")
    receiver.go("/transfers/")
    receiver.start_counting()
    card = receiver.page.locator(f"div.app-card:has(h2:has-text('{name}'))")
    assert card.count() == 1, receiver.text()
    receiver.shot("police-03-transfers-inbox")
    with receiver.page.expect_navigation():
        card.locator("button:has-text('Tiếp nhận hồ sơ')").click()
    receiver.taps += 1
    assert "Đã tiếp nhận hồ sơ" in receiver.text(), receiver.text()
    print(f"transfer accepted: {receiver.taps} tap, {receiver.loads} page load")
    receiver.page.goto(case_url)
    assert name in receiver.text()
    response = page.goto(case_url)
    assert response is not None and response.status == 404
