"""Browser journey: vendor staff import a GIAS extract and onboard a school, whose data lead signs in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.auth.models import VendorRole
from portal.extensions import db
from portal.gias.models import GiasImportBatch
from portal.notify.worker import deliver_due
from portal.tenancy.models import Membership, Role
from tests.auth.provider import Provider, microsoft_claims
from tests.browser import assert_accessible, expect_error_page, sign_in_browser
from tests.documents import jobqueue
from tests.factories import make_user
from tests.gias.extracts import establishment, establishments_csv

TENANT_ID = "5d1e7c2a-3b4f-4a6e-8c9d-0e1f2a3b4c5d"
EXTRACT = establishments_csv(
    [
        establishment("141234", "Oakfield Primary Academy", la="Leeds"),
        establishment("141235", "Riverside High School", phase="Secondary"),
        establishment("141236", "Old Mill Primary School", status="Closed"),
        establishment("14123", "Typo School"),
    ]
)


@pytest.mark.browser
def test_admin_imports_onboards_and_the_data_lead_signs_in(page, live_server, mail_sink, console_errors):
    app = live_server.app
    jobqueue.empty(app)  # what earlier tests queued in this process's queue
    staff = make_user("Ada Admin", vendor_role=VendorRole.ADMIN)  # importing and binding need a vendor admin (#18)
    db.session.commit()
    sign_in_browser(page, live_server, staff)

    page.goto(f"{live_server.url}/vendor/")
    assert page.locator("h1").inner_text() == "Vendor console"
    assert_accessible(page)
    page.get_by_role("link", name="Import from GIAS").click()

    # A malformed file: a clear message, nothing stored.
    assert_accessible(page)
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "notes.csv", "mimeType": "text/csv", "buffer": b"Name,Town\r\nOakfield,Leeds\r\n"}],
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect_error_page(page)
    assert "must be a GIAS establishment, groups or links extract" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    assert db.session.scalar(select(func.count(GiasImportBatch.id))) == 0
    db.session.rollback()  # end this thread's read, so the server's writes are not blocked

    # The real thing: the upload is read, then applied, by background jobs (#26), run here as the
    # worker runs them (tests/gias/test_upload_job.py has a real worker, killed half way).
    page.set_input_files(
        "input[type=file]", files=[{"name": "edubasealldata20261123.csv", "mimeType": "text/csv", "buffer": EXTRACT}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r".*/vendor/gias/imports/\d+$"))
    jobqueue.drain(app)
    db.session.rollback()
    expect(page.locator("h1")).to_have_text("Check the import", timeout=30_000)  # the page reloads itself
    assert "URN must be 6 digits, not '14123'" in page.locator("#rejected-rows").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text().startswith("Are you sure you want to import")
    assert_accessible(page)
    page.get_by_role("button", name="Import these changes").click()
    jobqueue.drain(app)
    db.session.rollback()
    expect(page.locator("h1")).to_have_text("Import result", timeout=30_000)
    assert_accessible(page)

    # Set up the school from the register.
    page.get_by_role("link", name="Set up a tenancy from an imported school or trust").click()
    page.get_by_label("School or trust name, URN or group UID").fill("Oakfield")
    page.get_by_role("button", name="Search the register").click()
    assert_accessible(page)
    page.get_by_role("button", name="Set up Oakfield Primary Academy").click()
    assert page.locator("h1").inner_text() == "Oakfield Primary Academy"
    assert_accessible(page)

    # Bind its Microsoft directory: a bad tenant id first.
    page.get_by_label("Microsoft Entra ID (Microsoft 365)").check()
    page.get_by_label("Microsoft tenant ID or Google Workspace domain").fill("oakfield")
    page.get_by_role("button", name="Bind directory").click()
    assert "Enter the directory's tenant ID as a GUID" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Microsoft Entra ID (Microsoft 365)").check()
    page.get_by_label("Microsoft tenant ID or Google Workspace domain").fill(TENANT_ID.upper())
    page.get_by_role("button", name="Bind directory").click()
    assert TENANT_ID in page.locator("main").inner_text()

    # Invite the data lead; the mail reaches the sink through the outbox.
    page.get_by_label(re.compile("Invite the data lead")).fill("dana.lead@oakfield.sch.uk")
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Schools and trusts").click()
    assert "Invited" in page.locator("tbody").inner_text()
    assert_accessible(page)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=mail_sink.port)
    db.session.rollback()
    assert deliver_due().sent == 1
    db.session.rollback()
    message = mail_sink.messages[0]
    assert message.message["To"] == "dana.lead@oakfield.sch.uk"
    link = next(url for url in message.links if "/invitations/" in url)

    assert console_errors == []  # every portal page so far

    # The data lead follows the link and signs in with an account from the bound directory.
    page.context.clear_cookies()
    with Provider() as provider:
        app.config.update(MICROSOFT_METADATA_URL=provider.metadata_url, RATELIMIT_ENABLED=False)
        provider.set_user(
            "dana",
            microsoft_claims(
                TENANT_ID, "0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e", "Dana Lead", "dana.lead@oakfield.sch.uk"
            ),
        )
        page.goto(link)
        assert_accessible(page)
        page.get_by_role("button", name=re.compile("Microsoft")).click()
        page.locator("input[name=sub]").fill("dana")
        page.get_by_role("button", name="Authorize", exact=True).click()
        page.wait_for_url(f"{live_server.url}/**")
        assert page.locator("h1").inner_text() == "Oakfield Primary Academy"
        console_errors.clear()  # the local provider's own page loads assets from the internet
        page.reload()
        assert_accessible(page)
    db.session.expire_all()
    membership = db.session.scalar(select(Membership).where(Membership.role == Role.DATA_LEAD))
    assert membership is not None and membership.tenancy.urn == "141234"
    assert console_errors == []
