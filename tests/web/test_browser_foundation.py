"""The public pages in a real browser: styled, scripted, no console errors, no axe violations."""

from __future__ import annotations

import pytest

from tests.browser import assert_accessible

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/sign-in", "/cookies", "/accessibility", "/privacy"]


def test_public_pages_are_styled_accessible_and_error_free(live_server, page, console_errors):
    failed_requests: list[str] = []
    page.on("requestfailed", lambda request: failed_requests.append(request.url))
    page.on("response", lambda r: failed_requests.append(r.url) if r.status >= 400 else None)
    for path in PUBLIC_PAGES:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        # The GOV.UK Frontend stylesheet is applied (the header is the vendor's, not GOV.UK's).
        font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert "Inter" in font or "Helvetica" in font
        # The frontend JS ran (govuk-frontend-supported is set before it; js-enabled by the inline nonce script).
        assert "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
        assert_accessible(page)
    assert failed_requests == []
    assert console_errors == []


def test_keyboard_user_can_skip_to_main_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_error_page_is_in_the_layout_and_accessible(live_server, page):
    response = page.goto(live_server.url + "/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert_accessible(page)
