"""Reflow (WCAG 2.2, #25): at 320 CSS pixels no page scrolls sideways, for any role, and axe finds nothing.

Every GET page each role may open (the access matrix's walk, with two of everything) is loaded at
320 by 640 pixels, in English and in Welsh (#29: Welsh words are longer); the document may be no
wider than the viewport. A wide table scrolls inside its
own focusable region (templates/_macros/table.html), which does not widen the page.
"""

from __future__ import annotations

import pytest

from portal.web.language import COOKIE
from tests.access.matrix import ROLES
from tests.browser import assert_accessible, sign_in_browser
from tests.web.walk import build_walk

pytestmark = pytest.mark.browser

WIDTH = 320
# The elements that stick out past the viewport's right edge, innermost first: what to fix.
_OVERFLOWING = """(width) => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.portal-table-region'))
  .filter((e) => ![...e.children].some((c) => c.getBoundingClientRect().right > width + 1))
  .slice(0, 3)
  .map((e) => `${e.tagName}.${[...e.classList].join('.')} ${(e.textContent || '').trim().slice(0, 40)}`)"""


@pytest.mark.parametrize("language", ["en", "cy"])
def test_no_page_scrolls_sideways_at_320_pixels_and_axe_passes(live_app, live_server, page, language):
    world, stops = build_walk(live_app)
    page.set_viewport_size({"width": WIDTH, "height": 640})
    too_wide: list[str] = []
    checked: set[str] = set()
    for role in ROLES:
        page.context.clear_cookies()
        if role != "anonymous":
            sign_in_browser(page, live_server, world.users[role])
        page.context.add_cookies([{"name": COOKIE, "value": language, "url": live_server.url}])
        for stop in (s for s in stops if s.role == role):
            # Files (PDFs, CSV, ZIP, JSON) are downloads, not pages: ask first what the address gives.
            probe = page.request.get(live_server.url + stop.url, max_redirects=0)
            if probe.status != 200 or "text/html" not in probe.headers.get("content-type", ""):
                continue
            page.goto(live_server.url + stop.url)
            assert page.evaluate("document.documentElement.lang") == language, stop.url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                culprits = page.evaluate(_OVERFLOWING, WIDTH)
                too_wide.append(f"{role} {stop.endpoint} {stop.url}: {width}px {culprits}")
            if stop.endpoint not in checked:
                # axe at 320 px too, once per page: the scroll regions are focusable and labelled.
                checked.add(stop.endpoint)
                try:
                    assert_accessible(page)
                except AssertionError as error:
                    too_wide.append(f"{role} {stop.endpoint} {stop.url}: axe {error}")
    assert not too_wide, "\n".join(too_wide)
