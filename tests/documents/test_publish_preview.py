"""Publishing a new agreement text asks first: the text, what it changes, who must sign again (#25)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal.documents import text_diff, versions
from portal.documents.models import DpaTextVersion
from portal.extensions import db
from tests.pages import text_of


def test_changes_list_removed_and_added_paragraphs(app):
    composed = versions.compose_text()
    before = json.loads(versions.canonical(composed))
    before["clauses"][0]["paragraphs"][0] = "An older first paragraph."
    found = text_diff.changes(json.dumps(before), composed)
    assert [line.kind for line in found] == ["removed", "added"]
    assert found[0].text == "1.1 An older first paragraph."
    assert found[1].text.startswith("1.1 Words such as personal data")
    assert text_diff.changes(versions.canonical(composed), composed) == []


def test_the_preview_shows_the_change_and_publishing_needs_its_summary(app, client_request, vendor_admin):
    published = versions.publish_text_version(actor=vendor_admin, summary="First version.")
    stored = json.loads(published.content)
    stored["introduction"] = "An earlier introduction."
    published.content = versions.canonical(stored)
    published.sha256 = "0" * 64
    db.session.commit()
    client_request.sign_in(vendor_admin)
    listing = client_request.get("vendor_agreements.text_versions")
    assert listing.find("a", href=client_request.url("vendor_agreements.preview_text"))
    assert not listing.select("main form[method=post]")  # publishing starts from the preview
    page = client_request.get("vendor_agreements.preview_text")
    text = text_of(page)
    assert "Every school and trust will be asked to sign the new version" in text
    assert page.select_one("#text-changes del").get_text() == "An earlier introduction."
    assert "This agreement is between" in page.select_one("#text-changes ins").get_text()
    client_request.post("vendor_agreements.publish_text", {"summary": ""}, _expected_status=400)
    assert db.session.scalar(select(func.count()).select_from(DpaTextVersion)) == 1
    client_request.post("vendor_agreements.publish_text", {"summary": "Clearer introduction."})
    assert db.session.scalar(select(func.count()).select_from(DpaTextVersion)) == 2
