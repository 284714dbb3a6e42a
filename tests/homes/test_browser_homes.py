"""The new journeys in a real browser (#25): from a change mail to the objection form through sign-in,
the homes, the audit log, the vendor's page of a tenancy and the outbox; axe on every page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.auth.models import VendorRole
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import DirectoryProvider, Role
from tests.auth.conftest import oidc_provider  # noqa: F401  (the session's local OpenID Connect provider)
from tests.auth.provider import Provider, microsoft_claims
from tests.auth.test_browser_journeys import sign_in_at_provider
from tests.browser import assert_accessible, sign_in_browser
from tests.changes.builders import announced
from tests.factories import bind_directory, make_school, make_trust, make_user
from tests.homes.test_homes import notified_incident, sign

pytestmark = pytest.mark.browser


@pytest.fixture
def live(live_app, live_server, oidc_provider: Provider) -> Iterator[tuple]:  # noqa: F811
    live_app.config.update(
        MICROSOFT_METADATA_URL=oidc_provider.metadata_url, GOOGLE_METADATA_URL=oidc_provider.metadata_url
    )
    oidc_provider.tamper = None
    yield live_server, oidc_provider


def test_a_change_mail_leads_a_signed_out_lead_through_sign_in_to_the_objection_form(live, page):
    server, provider = live
    tid, oid = str(uuid.uuid4()), str(uuid.uuid4())
    school = make_school("Mail Link Primary")
    bind_directory(school, DirectoryProvider.MICROSOFT, tid)
    make_user("Mo Lead", tenancy=school, role=Role.DATA_LEAD, identity=("microsoft", tid, oid, tid))
    db.session.commit()
    provider.set_user("mo-lead", microsoft_claims(tid, oid, "Mo Lead", "mo@maillink.example"))
    change = announced()
    db.session.commit()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.reference.like("change-notice:%:%"))).one()
    assert "Mail Link Primary" in mail.subject and "Mail Link Primary" in mail.body_text
    link = re.search(r"http\S+/changes\?change=\d+#change-\d+", mail.body_text).group(0)

    page.goto(link)
    assert page.locator("h1").inner_text() == "Sign in"
    assert_accessible(page)
    sign_in_at_provider(page, server, "Sign in with Microsoft", "mo-lead")
    expect(page).to_have_url(re.compile(rf"/t/{school.slug}/changes#change-{change.id}$"))
    expect(page.locator(f"#change-{change.id} textarea")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Home", exact=True).click()
    assert page.locator("h1").inner_text() == "Mail Link Primary"
    expect(page.locator(".govuk-task-list").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Audit log").click()
    assert_accessible(page)


def test_a_trust_admin_filters_the_academies_and_vendor_staff_see_a_tenancy(live, page, browser):
    server, _ = live
    trust = make_trust("Browser Trust")
    first, second = make_school("First Academy", trust=trust), make_school("Second Academy", trust=trust)
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    staff = make_user("Val Vendor", vendor_role=VendorRole.STAFF)
    sign(first)
    notified_incident(second)
    announced()
    db.session.commit()

    trust_page = browser.new_context().new_page()
    sign_in_browser(trust_page, server, admin)
    trust_page.goto(server.url + f"/t/{trust.slug}/")
    expect(trust_page.locator("#academies tbody tr")).to_have_count(2)
    assert_accessible(trust_page)
    trust_page.get_by_label("Show").select_option("incidents")
    trust_page.get_by_role("button", name="Apply filter").click()
    expect(trust_page.locator("#academies tbody tr")).to_have_count(1)
    assert "Second Academy" in trust_page.locator("#academies").inner_text()
    assert_accessible(trust_page)
    # At 320 CSS pixels (WCAG 2.2 reflow) the wide table scrolls in its own region, not the page.
    trust_page.set_viewport_size({"width": 320, "height": 640})
    trust_page.goto(server.url + f"/t/{trust.slug}/?show=all")
    expect(trust_page.locator("#academies tbody tr")).to_have_count(2)
    assert "Not downloaded" in trust_page.locator("#academies").inner_text()
    assert trust_page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(trust_page)

    vendor_page = browser.new_context().new_page()
    sign_in_browser(vendor_page, server, staff)
    vendor_page.goto(server.url + "/vendor/tenancies")
    vendor_page.get_by_role("link", name="Second Academy").click()
    assert vendor_page.locator("h1").inner_text() == "Second Academy at a glance"
    assert_accessible(vendor_page)
    vendor_page.goto(server.url + "/vendor/outbox/")
    assert "A change was announced" in vendor_page.locator("#notices").inner_text()
    assert_accessible(vendor_page)
