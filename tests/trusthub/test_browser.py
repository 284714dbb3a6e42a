"""Browser journeys: the public reads /security and security.txt; a trust admin requests the penetration test
summary, vendor staff approve it for 7 days, the admin accepts the NDA and downloads a stamped copy, the vendor
sees the download and revokes; an expired approval stops downloads. axe-core finds nothing on any page."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.auth.models import VendorRole
from portal.demo import trusthub as demo
from portal.extensions import db
from portal.tenancy.models import Role
from portal.trusthub.models import DiligenceDocument
from tests.access.rules_register import with_register
from tests.browser import assert_accessible, sign_in_browser
from tests.factories import make_trust, make_user
from tests.trusthub.builders import make_request

pytestmark = pytest.mark.browser


def _as(page: Any, live_server: Any, user: Any) -> None:
    page.context.clear_cookies()
    sign_in_browser(page, live_server, user)


def test_request_approve_accept_download_revoke(
    page: Any, live_server: Any, console_errors: list[str], monkeypatch: Any
):
    with_register()
    list(demo.load())
    trust = make_trust("Northern Lights Learning Trust")
    admin = make_user("Tom Okafor", tenancy=trust, role=Role.TRUST_ADMIN)
    staff = make_user("Vendor Staff", vendor_role=VendorRole.STAFF)
    colleague = make_user("Grace Lin", tenancy=trust, role=Role.VIEWER)
    letter = db.session.scalar(
        select(DiligenceDocument).where(DiligenceDocument.title == "Security inheritance letter")
    )
    earlier = make_request(colleague, trust, approve=True, document=letter)  # 7 days
    db.session.commit()
    earlier_id = earlier.id
    base = live_server.url

    # The public.
    page.goto(f"{base}/security")
    assert "Business continuity" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{base}/security/documents")
    assert_accessible(page)
    text = page.request.get(f"{base}/.well-known/security.txt").text()
    assert "Contact: mailto:" in text

    # The trust admin asks for the penetration test summary.
    _as(page, live_server, admin)
    page.goto(f"{base}/security/documents")
    page.get_by_role("link", name="Request it (Penetration test summary)").click()
    assert_accessible(page)
    page.get_by_label("What do you need it for?").fill("Due diligence before renewing our contract.")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/security/documents/requests/*")
    assert "Waiting for a decision" in page.locator("main").inner_text()
    assert_accessible(page)
    request_url = page.url

    # Vendor staff approve it for 7 days.
    _as(page, live_server, staff)
    page.goto(f"{base}/vendor/documents")
    assert_accessible(page)
    page.get_by_role("link", name="Penetration test summary requested by Tom Okafor").click()
    assert_accessible(page)
    page.get_by_label("Days the access lasts").fill("7")
    page.get_by_role("button", name="Approve").click()
    assert "Approved" in page.locator("main").inner_text()

    # The trust admin accepts the NDA and downloads a stamped copy.
    _as(page, live_server, admin)
    page.goto(request_url)
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Tom Okafor")
    page.get_by_label("Your role").fill("Trust business manager")
    page.get_by_label("I accept these terms for my organisation and may do so").check()
    page.get_by_role("button", name="Accept the terms").click()
    assert "Terms accepted" in page.locator("main").inner_text()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your copy").click()
    pdf = Path(download_info.value.path()).read_bytes()
    for pdf_page in PdfReader(io.BytesIO(pdf)).pages:
        assert "Provided to Tom Okafor, Northern Lights Learning Trust" in pdf_page.extract_text()

    # The vendor sees the download, then revokes.
    db.session.rollback()
    document = db.session.scalar(select(DiligenceDocument).where(DiligenceDocument.title == "Penetration test summary"))
    _as(page, live_server, staff)
    page.goto(f"{base}/vendor/documents/{document.id}")
    assert "Tom Okafor" in page.locator("[data-downloads]").inner_text()
    assert_accessible(page)
    page.goto(request_url.replace("/security/documents/requests/", "/vendor/documents/requests/"))
    page.get_by_role("button", name="Revoke access now").click()
    assert "Access revoked" in page.locator("main").inner_text()
    assert_accessible(page)

    _as(page, live_server, admin)
    response = page.request.get(f"{request_url}/download")
    assert response.status == 403
    page.goto(request_url)
    assert "has ended" in page.locator("main").inner_text()
    assert_accessible(page)

    # Grace's approval (7 days): eight days on, it has expired.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    for module in ("portal.trusthub.access", "portal.trusthub.views"):
        monkeypatch.setattr(f"{module}.now", lambda: later)
    _as(page, live_server, colleague)
    page.goto(f"{base}/security/documents/requests/{earlier_id}")
    assert "has ended" in page.locator("main").inner_text()
    assert page.request.get(f"{base}/security/documents/requests/{earlier_id}/download").status == 403
    assert_accessible(page)
    assert not console_errors
