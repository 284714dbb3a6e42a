"""The security overview: drafts, publication, frozen published versions, earlier versions, inheritance."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from portal.audit.service import Actor
from portal.demo import load as load_demo
from portal.extensions import db
from portal.register import service as register
from portal.trusthub import overview
from portal.trusthub.errors import TrustHubError
from portal.trusthub.models import AccessRequest, DiligenceDocument, NdaTextVersion, SecurityOverviewVersion
from tests.access.rules_register import with_register

SYSTEM = Actor.system("test")


def _publish(**changes):
    draft = overview.start_draft(actor=SYSTEM)
    values = {name: f"{name} text" for name in ("summary", *overview.OVERVIEW_SECTIONS)}
    values.update(changes)
    overview.save_draft(draft, values, actor=SYSTEM)
    return overview.publish_overview(actor=SYSTEM)


def test_published_versions_never_change_and_earlier_ones_stay_readable(app, client):
    with_register()
    first = _publish(rto_hours=4, encryption="First encryption text.")
    second = _publish(rto_hours=2, encryption="Second encryption text.")
    db.session.commit()
    page = client.get("/security").get_data(as_text=True)
    assert "Second encryption text." in page and "2 hours" in page
    old = client.get(f"/security/versions/{first.sequence}").get_data(as_text=True)
    assert "First encryption text." in old and "It is not the current version" in old
    assert client.get("/security/versions/99").status_code == 404
    assert [v.sequence for v in overview.published_overviews()] == [second.sequence, first.sequence]
    with pytest.raises(TrustHubError):
        overview.save_draft(first, {"encryption": "Rewritten."}, actor=SYSTEM)
    # The database refuses too, whatever the code does.
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE security_overview_version SET encryption = 'x' WHERE id = :id"), {"id": first.id}
        )


def test_an_incomplete_draft_is_not_published(app):
    overview.start_draft(actor=SYSTEM)
    with pytest.raises(TrustHubError, match="Complete every section"):
        overview.publish_overview(actor=SYSTEM)


def test_inherited_certifications_come_from_the_register(app, client):
    with_register()
    _publish()
    db.session.commit()
    current = register.current_published()
    listed = {
        e.supplier: e.certifications
        for e in current.entries
        if e.certifications.strip() and e.status in overview.INHERITING
    }
    assert listed
    page = client.get("/security").get_data(as_text=True)
    for supplier, certifications in listed.items():
        assert supplier in page
        assert certifications.replace("&", "&amp;") in page
    assert f"version {current.number} of the register" in page


def test_demo_load_is_idempotent(app, client):
    list(load_demo())
    counts = [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (SecurityOverviewVersion, DiligenceDocument, AccessRequest, NdaTextVersion)
    ]
    assert counts == [1, 3, 1, 1]
    list(load_demo())
    assert counts == [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (SecurityOverviewVersion, DiligenceDocument, AccessRequest, NdaTextVersion)
    ]
    db.session.commit()
    listing = client.get("/security/documents").get_data(as_text=True)
    for title in ("Certificate summary", "Security inheritance letter", "Penetration test summary"):
        assert title in listing
    public = db.session.scalar(select(DiligenceDocument).where(DiligenceDocument.title == "Certificate summary"))
    response = client.get(f"/security/documents/{public.id}/public.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
