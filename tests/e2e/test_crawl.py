"""Every staff page, for every staff role, at 360 px and 1280 px (issue 14).

A crawler signs in as each role and follows every link it can reach from the home page (the case,
referral and campaign pages of the demo data included), and on each page, at both widths:
nothing scrolls sideways (scrollWidth ≤ viewport), axe-core finds no serious or critical
violation, no English word of tests/e2e/english_denylist.txt is shown, the navigation is there.
Screenshots are kept in test-artifacts/e2e/crawl/<role>/. It fails if it reaches fewer pages than
the role's minimum (a page that stopped linking is a page people can no longer reach).
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS, Phone

WIDTHS = (360, 1280)
DENY = [
    line.strip()
    for line in (Path(__file__).parent / "english_denylist.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
DENY_RE = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, DENY)) + r")(?![\w])", re.IGNORECASE)
# Not pages of the workspace, or not pages at all.
SKIP = re.compile(
    r"^/(admin|api|static|huong-thien|outreach/hooks)/|/account/logout/"
    r"|\.(csv|xlsx|pdf|json|docx)(\?|$)|/export|/template\.|/data\.(json|pdf)"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PER_PATTERN = 2  # pages of the same shape visited (two cases, two referrals …)
LIMIT = 24  # pages per role (the suite's time: two widths and axe-core on each)
# The fewest pages each role must reach from its home page.
MINIMUM = {
    "ca-xa": 14,
    "ubnd-xa": 6,
    "ca-tinh": 14,
    "ngan-hang": 6,
    "noi-vu": 6,
    "tu-phap": 5,
    "ho-so": 3,
    "bien-tap": 4,
    "truyen-thong": 4,
    "kiem-tra": 3,
}
VISIBLE_TEXT = """() => {
  const clone = document.body.cloneNode(true);
  const raw = 'pre, code, script, style, .app-codes, [data-raw]';
  clone.querySelectorAll(raw).forEach(n => n.remove());
  return clone.innerText;
}"""


def shape(path: str) -> str:
    return UUID.sub("{id}", urlsplit(path).path) + ("?" if "?" in path else "")


def crawl(phone: Phone, role: str) -> list[dict]:
    page = phone.page
    base = phone.site["url"]
    queue, seen, shapes, found = deque(["/"]), {"/"}, {}, []
    axe = Axe()
    out = ARTIFACTS / "crawl" / role
    out.mkdir(parents=True, exist_ok=True)
    while queue and len(found) < LIMIT:
        path = queue.popleft()
        response = page.goto(base + path)
        if response is None or response.status != 200 or not page.url.startswith(base):
            continue
        result = {"path": path, "problems": []}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                result["problems"].append(f"{width}px: scrolls sideways ({scroll}px)")
            if page.locator(".govuk-service-navigation").count() == 0:
                result["problems"].append(f"{width}px: no navigation")
            english = sorted({m.lower() for m in DENY_RE.findall(page.evaluate(VISIBLE_TEXT))})
            if english:
                result["problems"].append(f"{width}px: English words {english}")
            violations = [
                f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
                for v in axe.run(page).response["violations"]
                if v.get("impact") in ("serious", "critical")
            ]
            if violations:
                result["problems"].append(f"{width}px: axe {violations}")
            page.screenshot(path=str(out / f"{len(found):02d}-{width}.png"), full_page=True)
        found.append(result)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href = urldefrag(href)[0]
            if not href.startswith(base):
                continue
            link = href[len(base) :] or "/"
            key = shape(link)
            if link in seen or SKIP.search(link) or shapes.get(key, 0) >= PER_PATTERN:
                continue
            seen.add(link)
            shapes[key] = shapes.get(key, 0) + 1
            queue.append(link)
    page.set_viewport_size({"width": 360, "height": 780})
    (out / "pages.json").write_text(json.dumps(found, ensure_ascii=False, indent=1))
    return found


@pytest.mark.e2e
@pytest.mark.parametrize("role", list(MINIMUM))
def test_every_page_of_the_role_fits_a_phone_is_accessible_and_vietnamese(phones, role) -> None:
    pages = crawl(phones(role), role)
    problems = [f"{p['path']}: {problem}" for p in pages for problem in p["problems"]]
    assert not problems, "\n".join(problems)
    assert len(pages) >= MINIMUM[role], [p["path"] for p in pages]
