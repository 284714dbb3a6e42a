"""The incident pages: the vendor's count and list, the school's timeline, acknowledgement and exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.dates import uk_today
from portal.extensions import db
from portal.incidents import export, service
from portal.incidents.models import IncidentTenancy
from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.incidents.builders import FALLBACK, last_week, open_incident, register, set_option, uk_morning
from tests.register.test_query_counts import add_tenancies, measure

ADMIN = Actor.system("Ada Admin")


def test_the_vendor_page_shows_the_clock_the_count_and_who_was_left_out_and_why(client_request, vendor_staff):
    options = register()
    start, _ = last_week()
    make_school("Oakfield Primary")
    spared = make_school("Meadowbank Primary")
    set_option(spared, options["fallback"], False, uk_morning(start - dt.timedelta(days=60)))
    incident = open_incident()
    db.session.commit()
    client_request.sign_in(vendor_staff)
    page = client_request.get("incidents_admin.incident", incident_id=incident.id)
    assert "72 hours end" in page.select_one("#incident-clock").get_text()
    assert page.select_one("#incident-clock")["data-urgent"] == "false"
    assert page.select_one("#affected").get_text(strip=True) == "1 school affected"
    listed = page.select_one("#affected-list").get_text()
    assert "Oakfield Primary" in listed and "Meadowbank" not in listed
    assert "switched it off before" in page.get_text()
    # Staff (not admins) cannot send the notice.
    assert page.find("form", action=f"/vendor/incidents/{incident.id}/notify") is None


def test_an_incident_under_24_hours_is_highlighted(client_request, vendor_staff):
    register()
    make_school("Oakfield Primary")
    incident = open_incident(aware_at=service.now() - dt.timedelta(hours=50))
    db.session.commit()
    client_request.sign_in(vendor_staff)
    page = client_request.get("incidents_admin.incident", incident_id=incident.id)
    clock = page.select_one("#incident-clock")
    assert clock["data-urgent"] == "true" and "Under 24 hours" in clock.get_text()
    assert "21 hours" in clock.get_text()


def test_a_refused_notice_shows_what_is_missing_and_sends_nothing(client_request, vendor_admin):
    register()
    make_school("Oakfield Primary")
    incident = open_incident(art33={"nature": ("Known", "")})
    db.session.commit()
    client_request.sign_in(vendor_admin)
    page = client_request.post("incidents_admin.notify", incident_id=incident.id, _expected_status=400)
    response_text = page.data.decode() if hasattr(page, "data") else page.get_text()
    assert "the likely consequences" in response_text


def test_the_school_acknowledges_and_exports_for_its_breach_log(client_request, app):
    register()
    school = make_school("Oakfield Primary")
    lead = make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD)
    incident = open_incident(title='=HYPERLINK("http://evil")')
    service.publish_notice(incident, actor=ADMIN)
    db.session.commit()
    client_request.sign_in(lead)
    page = client_request.get("incidents.incident", tenancy=school.slug, incident_id=incident.id)
    assert "Microsoft Azure OpenAI" in page.select_one("#what-concerns").get_text()
    client_request.post("incidents.acknowledge", tenancy=school.slug, incident_id=incident.id)
    page = client_request.get("incidents.incident", tenancy=school.slug, incident_id=incident.id)
    assert "by Olu Lead" in page.select_one("#acknowledgement").get_text()
    response = client_request.client.get(
        client_request.url("incidents.export_csv", tenancy=school.slug, incident_id=incident.id)
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    facts = {row[0]: row[1] for row in rows if len(row) > 1}
    assert facts["Controller"].startswith("Oakfield Primary") and facts["Title"].startswith("'=HYPERLINK")
    assert facts["Acknowledged"].endswith("Olu Lead")
    assert all(line.startswith('"') for line in text.splitlines() if line)  # every cell quoted
    pdf = client_request.client.get(
        client_request.url("incidents.export_pdf", tenancy=school.slug, incident_id=incident.id)
    )
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"incident.acknowledged", "incident.exported"} <= actions


def test_a_draft_is_invisible_to_schools_and_another_schools_incident_is_a_404(client_request):
    register()
    school = make_school("Oakfield Primary")
    lead = make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD)
    draft = open_incident()
    db.session.commit()
    client_request.sign_in(lead)
    client_request.get("incidents.incident", tenancy=school.slug, incident_id=draft.id, _expected_status=404)
    assert "Azure" not in str(client_request.get("incidents.index", tenancy=school.slug))


def test_csv_cells_are_quoted_and_formula_leads_neutralised():
    text = export.csv_text([["=1+1", "+x", "-y", "@z", "plain", None, 'say "hi"']])
    assert text == '"\'=1+1","\'+x","\'-y","\'@z","plain","","say ""hi"""\r\n'


def test_the_report_form_refuses_bad_input_clearly_and_changes_nothing(client_request):
    school = make_school("Oakfield Primary")
    lead = make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    client_request.sign_in(lead)
    tomorrow = uk_today() + dt.timedelta(days=3)
    page = client_request.post(
        "incidents.report",
        {"what": "", "noticed_on": [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)], "contact": ""},
        tenancy=school.slug,
        _expected_status=400,
    )
    text = page.get_data(as_text=True)
    assert "Describe what happened" in text and "Enter who we should contact" in text
    assert db.session.scalar(select(IncidentTenancy.id)) is None


def _scaled(count: int):
    register()
    add_tenancies(count)
    school = make_school("Oakfield Primary")
    lead = make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD)
    incident = open_incident(entry_keys=[FALLBACK])
    service.publish_notice(incident, actor=ADMIN)
    db.session.commit()
    return school, lead, incident


def test_incident_pages_cost_the_same_queries_for_10_or_5000_schools(client_request, count_queries, vendor_admin):
    school, lead, small = _scaled(10)
    client_request.sign_in(vendor_admin)
    vendor_small = measure(client_request, count_queries, "incidents_admin.incident", incident_id=small.id)
    index_small = measure(client_request, count_queries, "incidents_admin.index")
    client_request.sign_in(lead)
    school_small = measure(
        client_request, count_queries, "incidents.incident", tenancy=school.slug, incident_id=small.id
    )
    list_small = measure(client_request, count_queries, "incidents.index", tenancy=school.slug)

    add_tenancies(4990)
    big = open_incident(entry_keys=[FALLBACK])
    service.publish_notice(big, actor=ADMIN)
    db.session.commit()
    assert (
        db.session.scalar(select(db.func.count(IncidentTenancy.id)).where(IncidentTenancy.incident_id == big.id)) > 5000
    )
    client_request.sign_in(vendor_admin)
    assert measure(client_request, count_queries, "incidents_admin.incident", incident_id=big.id) == vendor_small
    assert measure(client_request, count_queries, "incidents_admin.index") == index_small
    client_request.sign_in(lead)
    assert (
        measure(client_request, count_queries, "incidents.incident", tenancy=school.slug, incident_id=big.id)
        == school_small
    )
    assert measure(client_request, count_queries, "incidents.index", tenancy=school.slug) == list_small
