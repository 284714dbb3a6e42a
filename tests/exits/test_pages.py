"""The exit pages: a school asks to end the service, staff record each step, the school downloads and checks."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from sqlalchemy import select

from portal.dates import uk_today
from portal.exits.models import ExitCase
from portal.extensions import db
from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.incidents.builders import register


def _day(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_an_exit_from_request_to_a_certificate_verify_recognises(signing_app, client_request, vendor_staff):
    register()
    school = make_school("Oakfield Primary")
    lead = make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    client_request.sign_in(lead)
    page = client_request.get("exits.exit_case", tenancy=school.slug)
    assert page.find("form", action=f"/t/{school.slug}/exit")
    refused = client_request.post(
        "exits.request_exit",
        {"requested_end_on": ["31", "2", "2020"], "reason": ""},
        tenancy=school.slug,
        _expected_status=400,
    )
    assert "Enter why you are ending the service" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ExitCase.id)) is None
    client_request.post(
        "exits.request_exit",
        {"requested_end_on": _day(uk_today() + dt.timedelta(days=20)), "export_formats": ["csv"], "reason": "Moving."},
        tenancy=school.slug,
    )
    case = db.session.scalar(select(ExitCase))
    assert case.export_formats == ["csv"]

    client_request.sign_in(vendor_staff)
    today = _day(uk_today())
    client_request.post(
        "exits_admin.record_export", {"export-method": "Secure link", "export-delivered_on": today}, exit_id=case.id
    )
    client_request.post("exits_admin.end_service", {"end-ended_on": today}, exit_id=case.id)
    db.session.expire_all()
    for place in case.deletions:
        client_request.post(
            "exits_admin.confirm_at", {f"place-{place.id}-confirmed_on": today}, exit_id=case.id, deletion_id=place.id
        )
    client_request.post("exits_admin.confirm", exit_id=case.id)
    console = client_request.get("vendor.home")
    assert console.find(attrs={"data-tile": "Exit steps overdue"}).get_text() == "0"

    client_request.sign_in(lead)
    page = client_request.get("exits.exit_case", tenancy=school.slug)
    link = page.find("a", href=f"/t/{school.slug}/exit/{case.id}/certificate.pdf")
    assert link is not None
    pdf = client_request.client.get(link["href"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    checked = client_request.post(
        "documents.verify",
        {"document": (BytesIO(pdf.data), "certificate.pdf", "application/pdf")},
        _expected_status=200,
    )
    result = checked.select_one("#verification-result")
    assert result["data-verdict"] == "genuine"
    text = result.get_text(" ", strip=True)
    assert "Genuine deletion certificate" in text and "not an agreement" in text and "Oakfield Primary" in text
