"""As a new user would on `make run` (#27): a data lead switches the Azure fallback off and sees "requested";
the webhook reaches the stand-in platform, which verifies it and confirms through the API, and the page then
says "applied". A vendor admin registers an endpoint, sends it a test event and reads the delivery log.
Real components throughout: the portal on a live server, the platform on its own loopback port, chromium."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from portal.api.models import TokenScope
from portal.api.tokens import create_token
from portal.audit.service import Actor
from portal.auth.models import VendorRole
from portal.demo.register import load_register
from portal.devtools.platform import StandInPlatform
from portal.extensions import db
from portal.tenancy.models import Role
from portal.webhooks.endpoints import new_secret, register_endpoint
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.worker import deliver_due
from tests.browser import assert_accessible, sign_in_browser
from tests.factories import make_school, make_user

pytestmark = pytest.mark.browser


def _until(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _no_sideways_scroll(page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_switch_goes_from_requested_to_applied_when_the_platform_confirms(page, live_server, console_errors):
    list(load_register())
    school = make_school("Meadowbank Primary School", slug="meadowbank-primary-school", urn="107701")
    grace = make_user("Grace Moyo", tenancy=school, role=Role.DATA_LEAD)
    _, token = create_token("Platform", [TokenScope.READ, TokenScope.CONFIRM], actor=Actor.system("test"))
    with StandInPlatform(new_secret(), portal_url=live_server.url, token=str(token), delay=0.5) as platform:
        _, secret = register_endpoint(platform.url, "Platform", EVENT_TYPES, actor=Actor.system("test"))
        platform.use_secret(str(secret))
        db.session.commit()
        sign_in_browser(page, live_server, grace)
        page.goto(f"{live_server.url}/t/{school.slug}/options")
        fallback = page.locator("section:has(#option-azure-fallback)")
        fallback.get_by_label("Off").check()
        fallback.get_by_role("button", name="Save Azure OpenAI fallback").click()
        line = page.locator("#line-azure-openai")
        expect(line).to_contain_text("waiting for Larkspur Learning's platform to apply it")
        assert_accessible(page)

        db.session.commit()  # end the test's read (SQLite cannot upgrade it after the server wrote)
        assert deliver_due().delivered == 1  # the worker `make run` starts
        _until(lambda: platform.confirmations)
        [delivery] = platform.deliveries
        assert delivery.verified and delivery.event_type == "tenancy.option_changed"
        assert platform.confirmations[0][:2] == (school.slug, 200)

    page.reload()
    expect(page.locator("#line-azure-openai")).to_contain_text("Applied on")
    assert "waiting" not in page.locator("#line-azure-openai").inner_text()
    assert_accessible(page)


def test_a_vendor_admin_registers_an_endpoint_pings_it_and_reads_the_delivery_log(page, live_server, console_errors):
    admin = make_user("Ada Brennan", vendor_role=VendorRole.ADMIN)
    db.session.commit()
    with StandInPlatform(new_secret()) as platform:
        sign_in_browser(page, live_server, admin)
        page.goto(f"{live_server.url}/vendor/webhooks")
        assert_accessible(page)
        page.get_by_label("Address").fill(platform.url)
        page.get_by_label("Name (optional)").fill("Learning platform")
        page.get_by_role("button", name="Register endpoint").click()
        secret = page.locator("#new-secret").inner_text()
        assert secret.startswith("whsec_")
        assert_accessible(page)
        _no_sideways_scroll(page)
        platform.use_secret(secret)

        page.get_by_role("link", name="Send it a test event").click()
        page.get_by_role("button", name="Send a test event").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Test event queued")
        db.session.commit()
        assert deliver_due().delivered == 1
        assert platform.deliveries[0].verified and platform.deliveries[0].event_type == "ping"
        page.reload()
        log = page.locator("table")
        expect(log).to_contain_text("Delivered")
        expect(log).to_contain_text(platform.deliveries[0].msg_id)
        expect(log).to_contain_text("answered 204")
        assert_accessible(page)
        _no_sideways_scroll(page)

        page.get_by_role("button", name="Rotate the secret").click()
        rotated = page.locator("#new-secret").inner_text()
        assert rotated.startswith("whsec_") and rotated != secret
        assert secret not in page.content()
        assert_accessible(page)
