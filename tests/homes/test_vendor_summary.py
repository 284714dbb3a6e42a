"""The vendor's page of one tenancy: agreement, options, changes, objections, members, directories, incidents, exit."""

from __future__ import annotations

from portal.audit.service import Actor
from portal.changes import objections
from portal.extensions import db
from portal.tenancy.models import DirectoryProvider
from tests.changes.builders import announced
from tests.factories import bind_directory
from tests.homes.test_homes import notified_incident, sign


def test_vendor_staff_see_everything_about_a_tenancy_on_one_page(client_request, school, data_lead, vendor_staff):
    bind_directory(school, DirectoryProvider.GOOGLE, "oakfield.sch.uk")
    sign(school)
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="We object.", actor=Actor.of(data_lead))
    incident = notified_incident(school)
    db.session.commit()
    client_request.sign_in(vendor_staff)
    page = client_request.get("vendor_tenancy.summary", slug=school.slug)
    text = page.get_text(" ", strip=True)
    assert f"{school.name} at a glance" in page.h1.get_text()
    assert "Version 1 signed on" in text and "Sam Signer" in text
    assert "Google: oakfield.sch.uk" in text
    assert data_lead.display_name in text and data_lead.email in text
    assert page.find("a", href=f"/vendor/objections/{objection.id}") is not None
    assert f"INC-{incident.id}: {incident.title}" in text and "not acknowledged yet" in text
    assert "has not asked to end the service" in text
    # The list of tenancies leads here.
    listing = client_request.get("vendor.tenancies", q=school.name)
    assert listing.find("a", href=f"/vendor/tenancies/{school.slug}/summary") is not None
    client_request.get("vendor_tenancy.summary", _expected_status=404, slug="no-such-school")


def test_customers_cannot_open_the_vendor_page(client_request, school, data_lead):
    db.session.commit()
    client_request.sign_in(data_lead)
    client_request.get("vendor_tenancy.summary", _expected_status=403, slug=school.slug)
