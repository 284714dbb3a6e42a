"""The pack names the school's signed agreement (version, date, SHA-256), and escapes what people typed."""

from __future__ import annotations

import hashlib

from portal.dates import govuk_date
from portal.documents import versions
from portal.documents.models import Agreement, SignerCapacity
from portal.extensions import db
from tests.dpia.conftest import docx_text, pdf_text
from tests.factories import make_school, make_trust, make_user


def stored_agreement(school, lead) -> Agreement:
    """A signed agreement as the documents capability stores it.

    Its own tests cover sealing the PDF; pyHanko's signing calls asyncio.run, which fails in a test
    process where a browser test has already started Playwright's event loop.
    """
    text = versions.publish_text_version(actor=lead, summary="First version.")
    pdf = b"%PDF-1.7 signed agreement bytes"
    agreement = Agreement(
        tenancy_id=school.id,
        text_version_id=text.id,
        signed_at=db.func.now(),
        signer_user_id=lead.id,
        signer_name="Dana Lead",
        signer_role="Headteacher",
        capacity=SignerCapacity.SELF,
        annex=[],
        filename="agreement.pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        pdf=pdf,
    )
    db.session.add(agreement)
    db.session.flush()
    db.session.refresh(agreement)
    return agreement


def test_the_signed_agreement_is_named_with_its_hash(client_request, register, school, data_lead):
    agreement = stored_agreement(school, data_lead)
    client_request.sign_in(data_lead)
    body = client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="docx").data
    text, _, _ = docx_text(body)
    expected = (
        f"{school.name} signed version 1 of the data processing agreement on {govuk_date(agreement.signed_at)} "
        f"(SHA-256 of the signed PDF: {agreement.sha256})."
    )
    assert expected in text
    assert "No data processing agreement has been signed" not in text
    page = client_request.get("dpia.pack", tenancy=school.slug)
    assert agreement.sha256 in page.get_text()


def test_typed_names_are_escaped_in_the_pdf(client_request, register):
    school = make_school("St <b>Mark</b> & Co School")
    lead = make_user("Lee Lead", tenancy=school)
    client_request.sign_in(lead)
    text = pdf_text(client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="pdf").data)
    assert "St <b>Mark</b> & Co School" in text


def test_the_record_of_processing_takes_its_contacts_from_annex_i(register, school, data_lead):
    from portal.dpia.builder import build_pack

    agreement = stored_agreement(school, data_lead)
    agreement.controller_address, agreement.ico_registration = "1 School Lane, Leeds LS2 1AA", "ZA123456"
    agreement.dpo_name, agreement.dpo_email = "Sam Officer", "dpo@school.example"
    agreement.notice_contact_name, agreement.notice_contact_email = "Nia Notice", "notices@school.example"
    db.session.flush()
    contacts = {field.key: field for field in build_pack(school).record}["contact_details"]
    assert not contacts.to_complete
    assert "Data protection officer: Sam Officer, dpo@school.example" in contacts.value
    assert "Contact for notices: Nia Notice, notices@school.example" in contacts.value and "ZA123456" in contacts.value


def test_a_trust_is_never_told_to_sign_what_it_cannot(register):
    from portal.dpia.builder import build_pack

    trust = make_trust("Northern Star Trust")
    make_school("Vega Academy", trust=trust)
    pack = build_pack(trust)
    assert "Sign it in the portal" not in pack.agreement
    assert "each academy's agreement is signed by the trust" in pack.agreement
    trust.central_staff_use_service = True
    assert "Sign it in the portal" in build_pack(trust).agreement


def test_the_dpia_pdf_is_tagged_with_title_language_headings_and_table_headers(
    client_request, register, school, data_lead
):
    from io import BytesIO

    from pypdf import PdfReader

    from tests.documents.test_annexes import structure_kinds

    client_request.sign_in(data_lead)
    body = client_request.post("dpia.download", _expected_status=200, tenancy=school.slug, fmt="pdf").data
    reader = PdfReader(BytesIO(body))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and str(root["/Lang"]).lower() == "en-gb"
    assert reader.metadata.title
    assert {"/H1", "/H2", "/Table", "/TH", "/TD"} <= structure_kinds(root["/StructTreeRoot"])
