"""Browser fixtures: Playwright driving Debian's chromium, and an axe-core check for WCAG 2.2 AA."""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_axe = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-background-networking", "--disable-component-update", "--no-first-run"],
    }


def expect_error_page(page: Any) -> None:
    """Wait for the page a refused form comes back as: GOV.UK titles it "Error: ...".

    Reading ``page.title()`` straight after a click can see the old document half-unloaded, with an
    empty title; ``expect`` waits for the new one.
    """
    expect(page).to_have_title(re.compile(r"^Error: "))


# What Chromium says when axe starts in a document a click has just begun to replace.
_DOCUMENT_REPLACED = ("reading 'documentElement'", "Execution context was destroyed", "navigating")


def assert_accessible(page: Any) -> None:
    """Fail on any WCAG 2.2 A/AA violation axe-core finds on the page as it stands.

    Straight after a click the old document may be unloading: axe then finds no document. That is a
    race in the test, not a finding, so it waits for the new document to load and checks that one.
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            break
        except PlaywrightError as error:
            if attempt == 2 or not any(sign in str(error) for sign in _DOCUMENT_REPLACED):
                raise
            page.wait_for_timeout(100)
    violations = results.response.get("violations", [])
    assert not violations, "\n".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes) e.g. {v['nodes'][0]['html'][:200]}" for v in violations
    )


@pytest.fixture
def console_errors(page: Any) -> list[str]:
    """Console errors seen on the page during the test (the test asserts it stays empty)."""
    errors: list[str] = []
    # Chromium's console says only "Failed to load resource: ... 404": keep the address beside it.
    page.on("response", lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status == 404 else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def sign_in_browser(page: Any, live_server: Any, user: Any) -> None:
    """Start the browser signed in as a user (the OIDC journey has its own browser tests)."""
    from tests.factories import session_cookie_for

    app = live_server.app
    page.context.add_cookies(
        [
            {
                "name": app.config["SESSION_COOKIE_NAME"],
                "value": session_cookie_for(app, user),
                "url": live_server.url,
            }
        ]
    )
