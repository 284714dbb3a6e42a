"""A form whose work takes more than a second says so while it runs (#25), and its button
prevents a second submission (GOV.UK Frontend's data-prevent-double-click)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.tenancy.models import Membership, Role
from tests.browser import assert_accessible, sign_in_browser
from tests.factories import make_school, make_user

pytestmark = pytest.mark.browser


def test_a_slow_removal_says_it_is_still_working(live_app, live_server, page):
    school = make_school("Busy Primary")
    lead = make_user("Busy Lead", tenancy=school, role=Role.DATA_LEAD)
    member = make_user("Slow Member", tenancy=school, role=Role.VIEWER)
    membership_id = db.session.query(Membership).filter_by(user_id=member.id).one().id
    db.session.commit()
    sign_in_browser(page, live_server, lead)
    page.goto(f"{live_server.url}/t/{school.slug}/members")
    page.get_by_role("link", name="Remove Slow Member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Slow Member from Busy Primary?")
    assert_accessible(page)
    # Hold the form back after the portal's own handler has seen it, as a slow server would keep the
    # page waiting, and count what the browser would send.
    page.evaluate(
        """() => { window.sent = 0; document.querySelector('main form').addEventListener('submit',
             (event) => { window.sent += 1; event.preventDefault() }) }"""
    )
    button = page.get_by_role("button", name="Remove Slow Member")
    button.click()
    button.click()  # a second click within a second sends nothing
    assert page.evaluate("window.sent") == 1
    page.wait_for_timeout(1300)
    busy = page.locator(".portal-busy[role=status]")
    expect(busy).to_have_text("Still working: this can take a few seconds. Do not send the form again.")
    assert db.session.get(Membership, membership_id) is not None
