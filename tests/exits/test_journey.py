"""Browser journey: a data lead asks to end the service; staff record the export, the end and each deletion;
the school downloads the sealed certificate and /verify calls it a genuine certificate."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from portal.auth.models import VendorRole
from portal.dates import uk_today
from portal.extensions import db
from portal.tenancy.models import Role
from tests.browser import assert_accessible
from tests.documents.conftest import key_config
from tests.factories import make_school, make_user
from tests.incidents.browsing import as_user, fill_date
from tests.incidents.builders import register

pytestmark = pytest.mark.browser


def test_exit_from_request_to_a_verified_certificate(page, live_server, signing_keys, tmp_path, console_errors):
    live_server.app.config.update(key_config(signing_keys))
    register()
    school = make_school("Oakfield Primary School")
    dana = make_user("Dana Lead", tenancy=school, role=Role.DATA_LEAD, email="dana@oakfield.example")
    staff = make_user("Sam Staff", vendor_role=VendorRole.STAFF)
    db.session.commit()
    today = uk_today()

    as_user(page, live_server, dana)
    page.goto(f"{live_server.url}/t/{school.slug}/exit")
    assert_accessible(page)
    fill_date(page, "requested_end_on", today + dt.timedelta(days=30))
    page.get_by_label("CSV files (pupils, classes and their work records)").check()
    page.get_by_label("Why you are ending the service").fill("We are moving to another provider.")
    page.get_by_role("button", name="Ask to end the service").click()
    assert "recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    as_user(page, live_server, staff)
    page.goto(f"{live_server.url}/vendor/exits")
    assert_accessible(page)
    page.get_by_role("link", name="Oakfield Primary School").click()
    assert_accessible(page)
    page.get_by_label("How the export was delivered").fill("Secure download link")
    fill_date(page, "export-delivered_on", today)
    page.get_by_label("SHA-256 of the file (if it was a file)").fill("ab" * 32)
    page.get_by_role("button", name="Record the export").click()
    fill_date(page, "end-ended_on", today)
    page.get_by_role("button", name="Record the end of the service").click()
    assert_accessible(page)
    buttons = page.get_by_role("button", name="Confirm deletion at ")
    for _ in range(10):
        remaining = buttons.count()
        if remaining == 0:
            break
        form = page.locator("#deletion-places form").first
        day = form.locator("input[id$='confirmed_on-day']")
        day.fill(str(today.day))
        form.locator("input[id$='confirmed_on-month']").fill(str(today.month))
        form.locator("input[id$='confirmed_on-year']").fill(str(today.year))
        buttons.first.click()
        # The next place is read from the page the confirmation returns, not the one it replaces.
        expect(buttons).to_have_count(remaining - 1)
    page.get_by_role("button", name="Confirm deletion and issue the certificate").click()
    assert "certificate is issued" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    as_user(page, live_server, dana)
    page.goto(f"{live_server.url}/t/{school.slug}/exit")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the deletion certificate DEL-").click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)
    page.goto(f"{live_server.url}/verify")
    page.locator("input[type=file]").set_input_files(saved)
    page.get_by_role("button", name="Check").click()
    result = page.locator("#verification-result")
    assert result.get_attribute("data-verdict") == "genuine"
    assert "Genuine deletion certificate" in result.inner_text() and "not an agreement" in result.inner_text()
    assert_accessible(page)
    assert console_errors == []
