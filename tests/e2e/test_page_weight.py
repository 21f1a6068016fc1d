"""Page weight (issue 14): a staff page's first load — HTML, CSS, JS and images, as transferred —
is at most 100 KB, and its static files come from the browser's cache on the next page. The site
serves static files as production does (collected, compressed copies served by whitenoise)."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import ARTIFACTS

LIMIT = 100 * 1024


def body_bytes(response) -> int:
    sizes = response.request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


@pytest.mark.e2e
def test_a_staff_page_weighs_at_most_100_kb_on_first_load(browser, phones) -> None:
    officer = phones("ca-xa")
    officer.go("/cases/?status=active")
    case = officer.page.locator("main td a[href^='/cases/']").first.get_attribute("href")
    figures = {}
    for path in ["/", "/cases/", "/worklist/", case]:
        # A new context with the officer's cookies: signed in, with an empty cache.
        fresh = browser.new_context(
            viewport={"width": 360, "height": 780},
            locale="vi-VN",
            storage_state=officer.context.storage_state(),
        )
        tab = fresh.new_page()
        seen: list = []
        tab.on("response", lambda response, seen=seen: seen.append(response))
        tab.goto(officer.site["url"] + path, wait_until="load")
        first = list(seen)
        figures[path] = sum(body_bytes(r) for r in first)
        css = [r for r in first if r.url.endswith(".css")]
        assert css and all(r.headers.get("content-encoding") in ("gzip", "br") for r in css)
        seen.clear()
        tab.goto(officer.site["url"] + "/notifications/", wait_until="load")
        later = list(seen)
        refetched = [r.url for r in later if r.url.endswith((".css", ".js")) and body_bytes(r) > 0]
        assert not refetched, refetched  # cached after the first page
        fresh.close()
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(figures, indent=1))
    heavy = {path: size for path, size in figures.items() if size > LIMIT}
    assert not heavy, heavy
