"""Sign-in journeys in a real browser through the local OpenID Connect provider (axe on every portal page)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.worker import deliver_due
from portal.tenancy.models import DirectoryProvider, Role
from tests.auth.provider import PERSONAL_TENANT, Provider, google_claims, microsoft_claims
from tests.browser import assert_accessible
from tests.factories import bind_directory, make_school, make_trust, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live(live_app, live_server, oidc_provider: Provider) -> Iterator[tuple]:
    live_app.config.update(
        MICROSOFT_METADATA_URL=oidc_provider.metadata_url, GOOGLE_METADATA_URL=oidc_provider.metadata_url
    )
    oidc_provider.tamper = None
    yield live_server, oidc_provider


def sign_in_at_provider(page, server, button: str, sub: str) -> None:
    """Press a sign-in button on a portal page, then type the sub at the provider's authorize form."""
    page.get_by_role("button", name=button).click()
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{server.url}/**")


def test_lead_signs_in_with_microsoft_invites_a_colleague_who_joins_as_viewer(live, page, browser):
    server, provider = live
    trust = make_trust("Journey Trust")
    tid = str(uuid.uuid4())
    bind_directory(trust, DirectoryProvider.MICROSOFT, tid)
    academy = make_school("Journey Academy", trust=trust)
    lead_oid = str(uuid.uuid4())
    make_user("Jo Lead", tenancy=academy, role=Role.DATA_LEAD, identity=("microsoft", tid, lead_oid, tid))
    db.session.commit()
    provider.set_user("jo-lead", microsoft_claims(tid, lead_oid, "Jo Lead", "jo@journey.example"))
    provider.set_user("kim-colleague", microsoft_claims(tid, str(uuid.uuid4()), "Kim Colleague", "kim@journey.example"))

    page.goto(server.url + "/sign-in")
    assert_accessible(page)
    sign_in_at_provider(page, server, "Sign in with Microsoft", "jo-lead")
    assert page.locator("h1").inner_text() == "Journey Academy"  # one organisation: its home (#25)
    assert_accessible(page)
    page.get_by_role("link", name="Members").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill("kim@journey.example")
    page.get_by_label("Viewer").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent")
    assert_accessible(page)

    # A mistyped address: the data lead withdraws that invitation, and its link stops working.
    page.get_by_label("Email address").fill("kym@journey.example")
    page.get_by_label("Viewer").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent to kym@journey.example")
    page.get_by_role("button", name="Withdraw the invitation to kym@journey.example").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been withdrawn")
    pending = page.locator("table", has_text="Invitations not yet accepted").inner_text()
    assert "kim@journey.example" in pending and "kym@journey.example" not in pending
    assert_accessible(page)

    with MailSink() as sink:
        server.app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        deliver_due()
        by_address = {message.recipients[0]: message for message in sink.messages}
    withdrawn = next(url for url in by_address["kym@journey.example"].links if "/invitations/" in url)
    gone = browser.new_context().new_page()
    gone.goto(withdrawn)
    assert gone.locator("h1").inner_text() == "This invitation link no longer works"
    assert_accessible(gone)
    link = next(url for url in by_address["kim@journey.example"].links if "/invitations/" in url)

    colleague = browser.new_context().new_page()
    colleague.goto(link)
    assert colleague.locator("h1").inner_text() == "Join Journey Academy"
    assert_accessible(colleague)
    sign_in_at_provider(colleague, server, "Sign in with Microsoft", "kim-colleague")
    assert colleague.locator("h1").inner_text() == "Journey Academy"
    assert "Viewer" in colleague.locator(".govuk-summary-list").inner_text()
    assert_accessible(colleague)


def test_google_workspace_user_of_a_bound_domain_auto_joins(live, page):
    server, provider = live
    school = make_school("Auto Join Primary", auto_join_enabled=True)
    bind_directory(school, DirectoryProvider.GOOGLE, "autojoin.example")
    db.session.commit()
    provider.set_user("ava-google", google_claims("autojoin.example", "Ava Google", "ava@autojoin.example"))
    page.goto(server.url + "/sign-in")
    sign_in_at_provider(page, server, "Sign in with Google", "ava-google")
    assert page.locator("h1").inner_text() == "Auto Join Primary"
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have joined Auto Join Primary")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("button", "claims", "words"),
    [
        ("Sign in with Google", google_claims(None, "Pat", "pat@gmail.example"), "personal Google account"),
        (
            "Sign in with Microsoft",
            microsoft_claims(PERSONAL_TENANT, str(uuid.uuid4()), "Max", "max@outlook.example"),
            "personal Microsoft account",
        ),
    ],
    ids=["personal-gmail", "personal-microsoft"],
)
def test_personal_accounts_are_refused_with_a_clear_page(live, page, button, claims, words):
    server, provider = live
    sub = f"personal-{uuid.uuid4().hex[:8]}"
    provider.set_user(sub, claims)
    page.goto(server.url + "/sign-in")
    sign_in_at_provider(page, server, button, sub)
    assert page.locator("h1").inner_text() == "You could not be signed in"
    assert words in page.locator("#refusal-message").inner_text()
    assert_accessible(page)


def test_sign_out_everywhere_ends_a_second_browsers_session(live, page, browser):
    server, provider = live
    school = make_school("Everywhere School")
    tid = str(uuid.uuid4())
    bind_directory(school, DirectoryProvider.MICROSOFT, tid)
    oid = str(uuid.uuid4())
    make_user("Eve Everywhere", tenancy=school, role=Role.DATA_LEAD, identity=("microsoft", tid, oid, tid))
    db.session.commit()
    provider.set_user("eve", microsoft_claims(tid, oid, "Eve Everywhere", "eve@everywhere.example"))

    second = browser.new_context().new_page()
    for browser_page in (page, second):
        browser_page.goto(server.url + "/sign-in")
        sign_in_at_provider(browser_page, server, "Sign in with Microsoft", "eve")
        assert browser_page.locator("h1").inner_text() == "Everywhere School"

    page.get_by_role("link", name="Your account").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out everywhere").click()
    assert page.locator("h1").inner_text() == "Sign in"
    second.goto(server.url + f"/t/{school.slug}/")
    assert second.locator("h1").inner_text() == "Sign in"
    assert_accessible(second)
