"""The public website in Chromium (issue 7): every public page at phone width (360 px) and desktop
width (1280 px), with screenshots kept in test-artifacts/e2e/public/, the bytes transferred on first
load (HTML, CSS, JS, images) at most 150 KB, no request to another host, and an accessibility check
with axe-core (no serious or critical violation)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS

PAGES = {
    "home": "/huong-thien/",
    "news": "/huong-thien/tin-tuc/",
    "policies": "/huong-thien/chinh-sach/",
    "qa": "/huong-thien/hoi-dap/",
    "qa-search": "/huong-thien/hoi-dap/?q=vay+von",
    "stories": "/huong-thien/guong-sang/",
    "warnings": "/huong-thien/canh-bao/",
    "videos": "/huong-thien/video/",
    "contacts": "/huong-thien/lien-he/",
    "ask": "/huong-thien/hoi/",
    "my-messages": "/huong-thien/tin-nhan/",
    "article": "/huong-thien/bai/canh-bao-loi-keo-vay-nong/",
}
WIDTHS = {"phone": 360, "desktop": 1280}
LIMIT = 150 * 1024


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_each_public_page_is_light_local_and_accessible(browser, site, name, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="vi-VN")
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(site["url"] + PAGES[name], wait_until="load")

    transferred = 0
    for response in responses:
        sizes = response.request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    hosts = {urlsplit(r.url).netloc for r in responses}
    out = ARTIFACTS / "public"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    (out / f"{name}-{width}.json").write_text(
        json.dumps({"bytes": transferred, "violations": results.response["violations"]}, indent=1)
    )
    context.close()
    assert responses[0].status == 200
    assert hosts == {urlsplit(site["url"]).netloc}, hosts  # no tracker, no CDN, no third party
    assert transferred <= LIMIT, f"{name} at {width}: {transferred} bytes"
    assert serious == [], [(v["id"], v["help"]) for v in serious]
