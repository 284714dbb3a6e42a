"""What the signer reads is what is sealed; annex I names the controller as the law sees it; annex IV is
complete (status, references, announced changes, exclusions); the PDFs are tagged and still validate."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pypdf import PdfReader

from portal.dates import uk_today
from portal.documents import document, signing, versions
from portal.documents.models import SignerCapacity
from portal.register.models import EntryStatus
from portal.tenancy.models import Role
from tests.documents.conftest import PARTIES, acceptance, publish_register
from tests.documents.test_signing import pdf_text, validate
from tests.documents.test_views import DETAILS
from tests.factories import make_school, make_trust, make_user
from tests.pages import squeeze

words = squeeze


def annex_text(html: str) -> str:
    """The text of annexes I-IV in a page or print HTML (the four sections the shared partial writes)."""
    soup = BeautifulSoup(html, "html.parser")
    return words(
        " ".join(
            section.get_text(" ")
            for section in soup.select(
                "section[id$=annex-i], section[id$=annex-ii], section[id$=annex-iii], section[id$=annex-iv]"
            )
        )
    )


@pytest.fixture
def announced(app: Any) -> Any:
    """Register 2.0: hosting in use, a supplier planned in 40 days (Kestrel), an option that is off."""
    return publish_register(
        "2.0",
        1,
        [
            (
                "hosting",
                "Civic Cloud Ltd",
                {
                    "status": EntryStatus.ACTIVE_TEMPORARY,
                    "dpa_reference": "Civic DPA 2025",
                    "privacy_contact": "privacy@civic.example",
                },
            ),
            (
                "kestrel",
                "Kestrel Moderation Ltd",
                {"status": EntryStatus.PLANNED, "effective_on": uk_today() + dt.timedelta(days=40)},
            ),
            ("speech", "Azure AI Speech", {"status": EntryStatus.CONDITIONAL, "condition_service": "voice input"}),
        ],
    )


def test_the_check_page_shows_exactly_the_annexes_that_are_sealed(
    client_request: Any, text_v1: Any, announced: Any, school: Any, data_lead: Any
) -> None:
    client_request.sign_in(data_lead)
    client_request.post("documents.sign_details", DETAILS, tenancy=school.slug)
    page = client_request.get("documents.sign", tenancy=school.slug)
    shown = annex_text(str(page.select_one(".portal-annexes")))
    client_request.post("documents.sign", {"confirm": "y", "version": "1"}, tenancy=school.slug)
    agreement = versions.history(school)[0]

    # The sealed document is rendered from the same Prepared object: its annexes read the same.
    prepared = document.prepare(
        [school], text_v1, PARTIES.__class__.from_dict({**DETAILS, "ico_registration": "ZA123456"})
    )[0]
    assert annex_text(prepared.html({"signer_name": "x"})) == shown
    assert agreement.annex == prepared.annex_iv["included"]
    assert agreement.annexes == {
        "II": prepared.annex_ii,
        "upcoming": prepared.annex_iv["upcoming"],
        "excluded": prepared.annex_iv["excluded"],
    }
    sealed = words(pdf_text(agreement.pdf))
    for expected in (
        "Active (temporary)",
        "Civic DPA 2025",
        "privacy@civic.example",
        "Kestrel Moderation Ltd",
        "Azure AI Speech",
        "The governing body of Oakfield Primary School",
        "Nia Notice, notices@school.example",
    ):
        assert expected in shown, expected
        assert expected in sealed, expected


def test_annex_iv_lists_announced_changes_with_the_right_to_object_and_exclusions(
    text_v1: Any, announced: Any, school: Any, data_lead: Any
) -> None:
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    upcoming = agreement.annexes["upcoming"]
    assert [(c["supplier"], c["change"]) for c in upcoming] == [("Kestrel Moderation Ltd", "addition")]
    effective = uk_today() + dt.timedelta(days=40)
    assert upcoming[0]["object_until"] and upcoming[0]["on"]
    assert [e["supplier"] for e in agreement.annexes["excluded"]] == ["Azure AI Speech"]
    text = words(pdf_text(agreement.pdf))
    assert "You may object in writing up to and including" in text
    assert "Changes already announced" in text and "Sub-processors not used for this controller" in text
    assert [line["status_label"] for line in agreement.annex] == ["Active (temporary)"]
    assert effective > uk_today()


def test_the_signed_and_draft_pdfs_are_tagged_with_title_language_headings_and_table_headers(
    text_v1: Any, announced: Any, school: Any, data_lead: Any, signing_keys: Any
) -> None:
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    status = validate(agreement.pdf, signing_keys.root_path)
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    prepared = document.prepare([school], text_v1, PARTIES)[0]
    for pdf in (agreement.pdf, document.draft_pdf(prepared)):
        reader = PdfReader(BytesIO(pdf))
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"])
        assert str(root["/Lang"]).lower() == "en-gb"
        assert "Data processing agreement" in str(reader.metadata.title)
        kinds = structure_kinds(root["/StructTreeRoot"])
        assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/P", "/L"} <= kinds, kinds


def structure_kinds(node: Any, found: set[str] | None = None) -> set[str]:
    found = set() if found is None else found
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            structure_kinds(child, found)
        return found
    if not hasattr(node, "get"):
        return found
    if "/S" in node:
        found.add(str(node["/S"]))
    kids = node.get("/K")
    if kids is not None:
        structure_kinds(kids, found)
    return found


def test_the_draft_is_marked_unsigned_and_refused_by_verify(
    text_v1: Any, register: Any, school: Any, signing_app: Any
) -> None:
    from portal.documents.verify import verify_pdf

    draft = document.draft_pdf(document.prepare([school], text_v1, PARTIES)[0])
    assert "DRAFT" in str(PdfReader(BytesIO(draft)).metadata.title)
    assert "Unsigned draft, for reading only" in words(pdf_text(draft))
    assert "Acceptance record" not in pdf_text(draft)
    assert verify_pdf(draft, signing_app.config).verdict.name == "NOT_OURS"


def test_an_academy_is_signed_for_by_its_trust_and_names_both(text_v1: Any, register: Any, data_lead: Any) -> None:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    academy = make_school("Vega Academy", trust=trust)
    agreement = signing.sign_agreements(
        [academy], user=data_lead, acceptance=acceptance(), version_number=1, via=trust
    )[0]
    assert agreement.controller_name == "Northern Star Trust" and agreement.companies_house_number == "09876543"
    text = words(pdf_text(agreement.pdf))
    assert "School covered Vega Academy" in text
    assert "on behalf of Northern Star Trust" in text


def test_an_independent_school_names_its_proprietor(text_v1: Any, register: Any, data_lead: Any) -> None:
    school = make_school("Hillcrest School", establishment_type="Other independent school")
    with pytest.raises(versions.DocumentsError, match="proprietor"):
        signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    given = PARTIES.__class__.from_dict({**PARTIES.as_dict(), "proprietor_name": "Hillcrest Education Ltd"})
    agreement = signing.sign_agreement(
        school, user=data_lead, acceptance=signing.Acceptance("Dana", "Bursar", True, parties=given), version_number=1
    )
    assert agreement.controller_name == "Hillcrest Education Ltd"


def test_a_trust_signs_for_itself_only_where_its_central_staff_use_the_service(
    client_request: Any, text_v1: Any, register: Any
) -> None:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    academy = make_school("Vega Academy", trust=trust)
    admin = make_user("Tara Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    assert signing.targets_for(trust) == [academy]
    with pytest.raises(versions.DocumentsError, match="signs for its academies"):
        signing.sign_agreement(trust, user=admin, acceptance=acceptance(), version_number=1)
    with pytest.raises(versions.DocumentsError, match="not an academy"):
        signing.sign_agreements([trust], user=admin, acceptance=acceptance(), version_number=1, via=trust)
    client_request.sign_in(admin)
    page = client_request.get("documents.agreements", tenancy=trust.slug)
    assert "is the controller for its academies" in page.get_text() and "Signed agreements of" not in page.get_text()

    trust.central_staff_use_service = True
    assert signing.targets_for(trust) == [trust, academy]
    signed = signing.sign_agreements([trust, academy], user=admin, acceptance=acceptance(), version_number=1, via=trust)
    own, theirs = signed
    assert (own.tenancy_id, own.capacity, own.signed_via_tenancy_id) == (trust.id, SignerCapacity.SELF, None)
    assert (theirs.capacity, theirs.signed_via_tenancy_id) == (SignerCapacity.TRUST, trust.id)
    assert "for the use of the service by its central staff" in words(pdf_text(own.pdf))
    page = client_request.get("documents.agreements", tenancy=trust.slug)
    assert "Signed agreements of Northern Star Trust" in page.get_text()
