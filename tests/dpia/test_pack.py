"""The DPIA pack's content, in every format, checked against the tenancy's effective set."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dates import govuk_date, uk_today
from portal.dpia.cache import pack_cache
from portal.dpia.models import DpiaDownload
from portal.extensions import db
from portal.register.effective import effective_set
from tests.dpia.conftest import docx_text, pdf_text, table_named
from tests.factories import make_school, make_trust, make_user

STEPS = (
    "Step 1: Identify the need for a DPIA",
    "Step 2: Describe the processing",
    "Step 3: Consultation process",
    "Step 4: Assess necessity and proportionality",
    "Step 5: Identify and assess risks",
    "Step 6: Identify measures to reduce risk",
    "Step 7: Sign off and record outcomes",
)


def download(client_request, school, fmt: str) -> bytes:
    response = client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt=fmt)
    return response.data


def test_docx_follows_the_ico_steps_and_the_effective_set(client_request, register, school, data_lead):
    client_request.sign_in(data_lead)
    text, tables, headings = docx_text(download(client_request, school, "docx"))

    assert [h for style, h in headings if style == "Heading 1"][1:8] == list(STEPS)
    assert f"Built on {govuk_date(uk_today())} from version 1.3" in text
    assert "For your school to complete" in text
    assert f"No data processing agreement has been signed for {school.name} yet" in text

    found = effective_set(school)
    suppliers = table_named(tables, ("Sub-processor", "What it does"))
    listed = {row[0].split(" (")[0] for row in suppliers[1:]}
    assert listed == {line.entry.supplier for line in found.included}
    assert listed == {"Wold Cloud Ltd", "Microsoft Azure OpenAI Service", "Harbour Mail Inc"}
    assert "United Kingdom (York)" in str(suppliers) and "ISO 27001, Cyber Essentials Plus" in str(suppliers)

    risks = table_named(tables, ("Ref", "Risk to individuals"))
    risk_text = " ".join(" ".join(row) for row in risks)
    # From the facts: a US parent gives a government-access risk, processing in the US a transfer risk.
    assert "US authorities could obtain the data Microsoft Azure OpenAI Service holds" in risk_text
    assert "Personal data processed or accessed in the United States by Harbour Mail Inc" in risk_text
    # Suppliers not used bring no risk; the planned one brings its risks marked as an announced change.
    assert "Fenland Speech Ltd" not in risk_text
    announced = [row for row in risks[1:] if "Moorland Models Ltd" in row[1]]
    assert announced and all(row[2].startswith("Announced change: Moorland Models Ltd") for row in announced)
    for row in risks[1:]:
        assert row[3] in ("Remote", "Possible", "Probable") and row[4] in ("Minimal", "Significant", "Severe")
        assert row[5] in ("Low", "Medium", "High")

    measures = table_named(tables, ("Ref", "Measures to reduce or eliminate the risk"))
    cloud_ref = next(row[0] for row in risks if "CLOUD Act" in row[1] and "Azure OpenAI" in row[1])
    cloud_measures = next(row for row in measures if row[0] == cloud_ref)
    assert "“Azure OpenAI fallback” is on by default for your school. Switch it off" in cloud_measures[1]
    assert cloud_measures[2] == "Eliminated if you switch “Azure OpenAI fallback” off; accepted if you keep it on"
    assert cloud_measures[4] == "For your school to complete"

    not_used = table_named(tables, ("Supplier", "Why not"))
    assert {row[0] for row in not_used[1:]} == {"Fenland Speech Ltd", "Moorland Models Ltd"}
    options = table_named(tables, ("Option", "Setting for your school"))
    assert ["Azure OpenAI fallback", "On (the default)", "Microsoft Azure OpenAI Service"] in options


def test_switching_the_azure_fallback_off_removes_the_cloud_act_risk(client_request, register, school, data_lead):
    register.switch(school, register.azure, False, data_lead)
    client_request.sign_in(data_lead)
    text, tables, _ = docx_text(download(client_request, school, "docx"))

    risks = " ".join(" ".join(row) for row in table_named(tables, ("Ref", "Risk to individuals")))
    assert "US authorities could obtain the data Microsoft Azure OpenAI Service holds" not in risks
    assert "Microsoft Azure OpenAI Service" not in risks
    # Harbour Mail is US-owned too: its own government-access risk stays.
    assert "US authorities could obtain the data Harbour Mail Inc holds" in risks
    suppliers = table_named(tables, ("Sub-processor", "What it does"))
    assert "Microsoft Azure OpenAI Service" not in str(suppliers)
    assert "Microsoft Azure OpenAI Service is not used for your school" in text
    options = table_named(tables, ("Option", "Setting for your school"))
    assert options[1][1] == f"Off (set by your school on {govuk_date(uk_today())})"


def test_pdf_carries_the_same_content(client_request, register, school, data_lead):
    client_request.sign_in(data_lead)
    body = download(client_request, school, "pdf")
    assert body.startswith(b"%PDF-")
    text = pdf_text(body)
    for step in STEPS:
        assert step in text
    for line in effective_set(school).included:
        assert line.entry.supplier in text
    assert "CLOUD Act" in text
    assert "For your school to complete" in text
    assert f"Built on {govuk_date(uk_today())} from version 1.3" in text

    register.switch(school, register.azure, False, data_lead)
    text = pdf_text(download(client_request, school, "pdf"))
    assessed, kept_out = text.split("Risks your school's settings keep out", 1)
    assert "US authorities could obtain the data Microsoft Azure OpenAI Service holds" not in assessed
    assert "US authorities could obtain the data Harbour Mail Inc holds" in assessed
    # Listed instead among the risks the school's setting keeps out, before step 6.
    kept_out = kept_out.split("Step 6", 1)[0]
    assert "Microsoft Azure OpenAI Service is not used for your school" in kept_out
    assert "US authorities could obtain the data Microsoft Azure OpenAI Service holds" in kept_out


def test_records_of_processing_as_csv_and_json(client_request, register, school, data_lead):
    client_request.sign_in(data_lead)
    rows = list(csv.reader(io.StringIO(download(client_request, school, "csv").decode("utf-8-sig"))))
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    for article in ("30(1)(a)", "30(1)(b)", "30(1)(c)", "30(1)(d)", "30(1)(e)", "30(1)(f)", "30(1)(g)"):
        assert any(article in header for header in rows[0]), article
    assert record["Name of the controller (Art. 30(1)(a))"].startswith(f"The governing body of {school.name}")
    recipients = record["Categories of recipients (Art. 30(1)(d))"]
    assert "Wold Cloud Ltd" in recipients and "Microsoft Azure OpenAI Service" in recipients
    assert "Fenland Speech Ltd" not in recipients
    assert (
        "Harbour Mail Inc: United States" in record["Transfers to third countries and their safeguards (Art. 30(1)(e))"]
    )
    assert record["Register version"] == "1.3"

    document = json.loads(download(client_request, school, "json"))
    fields = document["record_of_processing"]
    assert fields["contact_details"]["to_complete"] is True
    assert {r["name"] for r in document["recipients"]} == {
        "Larkspur Learning Ltd",
        "Wold Cloud Ltd",
        "Microsoft Azure OpenAI Service",
        "Harbour Mail Inc",
    }
    assert document["register_version"] == "1.3" and len(document["effective_set_fingerprint"]) == 64


def test_a_spreadsheet_formula_in_a_name_is_neutralised(client_request, register):
    # An academy's controller is its trust, whose name leads the cell.
    school = make_school("Evil Academy", trust=make_trust('=HYPERLINK("http://evil.example")'))
    lead = make_user("Lee Lead", tenancy=school)
    client_request.sign_in(lead)
    rows = list(csv.reader(io.StringIO(download(client_request, school, "csv").decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=HYPERLINK")


def test_every_download_is_recorded_and_audited(client_request, register, school, viewer):
    client_request.sign_in(viewer)
    download(client_request, school, "json")
    row = db.session.scalar(select(DpiaDownload).where(DpiaDownload.tenancy_id == school.id))
    assert row is not None and row.format.value == "json" and row.user_id == viewer.id
    assert set(row.summary["included"]) == {"wold-cloud", "azure-openai", "postmark"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dpia.download"))
    assert event.tenancy_id == school.id and event.actor_id == viewer.id
    assert event.details["format"] == "json" and event.details["fingerprint"] == row.fingerprint


def test_a_download_needs_a_csrf_token(client, register, school, data_lead):
    from tests.factories import sign_in_client

    sign_in_client(client, data_lead)
    response = client.post(f"/t/{school.slug}/dpia/download/docx")
    assert response.status_code == 400
    assert db.session.scalar(select(DpiaDownload)) is None


def test_the_records_of_processing_csv_starts_no_formula_with_any_separator(client_request, register):
    from tests.web.test_csv_export import formula_cells

    school = make_school('Mozilla;=HYPERLINK("http://evil.example")')
    lead = make_user("Lee Lead", tenancy=school)
    client_request.sign_in(lead)
    text = download(client_request, school, "csv").decode("utf-8-sig")
    assert "HYPERLINK" in text and formula_cells(text) == []


def test_a_school_imported_with_control_characters_in_its_name_gets_every_output(client_request, register):
    """A name with every control character, imported from GIAS: DOCX, PDF, CSV, JSON, the invitation's
    mail header all work (the DOCX answered 500 and an invitation 500 before, #18)."""
    from email import message_from_string

    from portal.audit import service as audit
    from portal.gias import service as gias
    from portal.notify.models import OutboxMessage
    from portal.tenancy import invitations
    from portal.tenancy.models import Role
    from portal.vendor import service as vendor
    from portal.web.clean import FORBIDDEN
    from tests.gias.extracts import establishment, establishments_csv

    controls = "".join(chr(c) for c in range(1, 0x20)) + "\x7f\u2028\u2029"
    extract = establishments_csv([establishment("142999", f"Control{controls}\r\nAcademy")], encoding="utf-8")
    batch = gias.stage(extract, filename="hostile.csv", uploaded_by=None, actor=audit.Actor.system())
    gias.apply(batch, actor=audit.Actor.system())
    school = vendor.create_tenancy(urn="142999", actor=audit.Actor.system())
    assert not FORBIDDEN.search(school.name) and "\n" not in school.name
    invitations.invite(
        tenancy=school, email="lead@control.example", role=Role.DATA_LEAD, invited_by=None, actor=audit.Actor.system()
    )
    lead = make_user("Lee Lead", tenancy=school)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "lead@control.example"))
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message_from_string(f"Subject: {message.subject}\n\nbody")["Subject"] == message.subject
    client_request.sign_in(lead)
    text, _tables, _headings = docx_text(download(client_request, school, "docx"))
    assert "Control" in text
    assert "Control" in pdf_text(download(client_request, school, "pdf"))
    assert json.loads(download(client_request, school, "json"))
    assert list(csv.reader(io.StringIO(download(client_request, school, "csv").decode("utf-8-sig"))))


def test_the_same_pack_asked_again_is_not_rendered_again_and_a_changed_set_is(
    app, client_request, register, school, data_lead, viewer
):
    cache = pack_cache()
    client_request.sign_in(data_lead)
    first = download(client_request, school, "pdf")
    renders = cache.renders
    client_request.sign_in(viewer)  # another person of the school, the same decision: the same bytes
    assert download(client_request, school, "pdf") == first
    assert cache.renders == renders

    client_request.sign_in(data_lead)
    register.switch(school, register.azure, False, data_lead)
    changed = download(client_request, school, "pdf")
    assert cache.renders == renders + 1
    # A new decision, new content (which risks it derives is tests/dpia/test_risks.py's subject).
    assert pdf_text(first) != pdf_text(changed)
