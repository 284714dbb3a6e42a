"""Signing on real PDFs: each validates against the vendor root; the annex is frozen at signing."""

from __future__ import annotations

import hashlib
from io import BytesIO
from typing import Any

import pytest
from flask import current_app
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.documents import aio, keys, signing, versions
from portal.documents.models import Agreement
from portal.extensions import db
from portal.register.options import set_option
from tests.documents.conftest import PARTIES, acceptance, publish_register
from tests.factories import make_school, make_trust
from tests.pages import squeeze


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def validate(data: bytes, root_path: Any) -> Any:
    context = ValidationContext(trust_roots=[keys.trust_root({"SIGNING_TRUST_ROOT_PATH": str(root_path)})])
    signature = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    return aio.run(lambda: async_validate_pdf_signature(signature, context))


def test_signed_agreement_validates_against_the_vendor_root(
    text_v1: Any, register: Any, school: Any, data_lead: Any, signing_keys: Any
) -> None:
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    status = validate(agreement.pdf, signing_keys.root_path)
    assert status.bottom_line and status.intact and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert agreement.sha256 == hashlib.sha256(agreement.pdf).hexdigest()
    assert agreement.size_bytes == len(agreement.pdf)
    assert agreement.filename.startswith("oakfield-primary-school-dpa-v1-")


def test_pdf_reads_as_an_agreement_with_annexes_and_acceptance_record(
    text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    text = squeeze(pdf_text(agreement.pdf))
    for expected in (
        "Data processing agreement",
        "We act only on your documented instructions",
        "within 72 hours",
        "at least 30 clear days before it takes effect",
        "The governing body of Oakfield Primary School",
        "1 School Lane, Leeds LS2 1AA",
        "Sam Officer, dpo@school.example",
        "ZA123456",
        "Nia Notice, notices@school.example",
        "I confirm that I have authority to enter into this agreement on behalf of The governing body of Oakfield",
        "Kind and status",
        "DPA reference and privacy contact",
        "Azure OpenAI: Not used: the option “AI fallback” is off by default.",
        "Annex I: the parties",
        "Annex II: description of the processing",
        "Annex III: technical and organisational measures",
        "Annex IV: sub-processors",
        "Acceptance record",
        "Dana Lead",
        "Headteacher",
        "URN 100001",
        "203.0.113.7",
        "pytest-browser/1.0",
        text_v1.sha256[:20],
        "Larkspur Learning Ltd",
        "16012345",
        "ZB123456",
    ):
        assert expected in text, expected
    assert "Civic Cloud Ltd" in text and "Postbox Mail Ltd" in text
    assert [(line["kind_label"], line["status_label"]) for line in agreement.annex] == [
        ("Data sub-processor", "Active"),
        ("Platform utility", "Active"),
    ]
    assert agreement.dpo_email == "dpo@school.example" and agreement.notice_contact_email == "notices@school.example"


def test_annex_is_the_effective_set_at_signing_and_never_changes(
    text_v1: Any, register: Any, school: Any, data_lead: Any
) -> None:
    set_option(school, register["option"], True, expected_version=0, actor=register["actor"])
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    assert [line["key"] for line in agreement.annex] == ["hosting", "email", "ai-fallback"]
    assert agreement.register_version == "1.0"
    stored, digest = bytes(agreement.pdf), agreement.sha256
    assert "Azure OpenAI" in pdf_text(stored)

    # Later: the option goes off and a new register version replaces a supplier.
    set_option(school, register["option"], False, expected_version=1, actor=register["actor"])
    publish_register("1.1", 2, [("hosting", "Other Cloud plc", {})])
    db.session.expire_all()
    again = db.session.get(Agreement, agreement.id)
    assert again is not None
    assert again.pdf == stored and again.sha256 == digest
    assert [line["key"] for line in again.annex] == ["hosting", "email", "ai-fallback"]
    assert again.annex[0]["supplier"] == "Civic Cloud Ltd"


def test_user_text_is_escaped_in_the_pdf(text_v1: Any, register: Any, school: Any, data_lead: Any) -> None:
    hostile = '<img src="file:///etc/passwd"><b>Bold</b>'
    agreement = signing.sign_agreement(
        school, user=data_lead, acceptance=acceptance(name=hostile, role="Head & <i>"), version_number=1
    )
    text = pdf_text(agreement.pdf)
    assert '<img src="file:///etc/passwd"><b>Bold</b>' in squeeze(text)
    assert "root:" not in text


def test_signing_is_audited_and_a_new_version_keeps_history(
    text_v1: Any, register: Any, school: Any, data_lead: Any, vendor_staff: Any
) -> None:
    first = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    assert not versions.statuses([school])[0].needs_signature
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agreement.signed")).all()
    assert [e.object_id for e in events] == [str(first.id)]
    assert events[0].details["sha256"] == first.sha256
    assert events[0].tenancy_id == school.id

    # Version 2 of the text awaits signature; version 1 stays in the history, unchanged.
    with pytest.raises(versions.DocumentsError, match="same as version 1"):
        versions.publish_text_version(actor=vendor_staff, summary="Nothing changed.")
    current_app.config["NOTICE_PERIOD_DAYS"] = 45
    v2 = versions.publish_text_version(actor=vendor_staff, summary="Longer notice period.")
    assert v2.number == 2 and v2.sha256 != text_v1.sha256
    assert "at least 45 clear days" in v2.content and "at least 30 clear days" in text_v1.content
    assert versions.terms_of(v2).notice_period_days == 45 and versions.terms_of(text_v1).notice_period_days == 30
    status = versions.statuses([school])[0]
    assert status.signed_version == 1 and status.needs_signature
    with pytest.raises(versions.DocumentsError, match="new version"):
        signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    second = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=2)
    assert [a.id for a in versions.history(school)] == [second.id, first.id]
    assert "at least 45 clear days" in squeeze(pdf_text(second.pdf))
    assert bytes(db.session.get(Agreement, first.id).pdf) == bytes(first.pdf)  # the first signature stays as it was
    assert not versions.statuses([school])[0].needs_signature


@pytest.mark.parametrize(
    ("name", "role", "confirmed", "message"),
    [
        ("", "Head", True, "Enter your full name"),
        ("Dana", "   ", True, "Enter your role"),
        ("Dana", "Head", False, "Confirm that you have authority"),
        ("x" * 201, "Head", True, "200 characters or fewer"),
    ],
)
def test_bad_acceptance_writes_nothing(
    text_v1: Any, register: Any, school: Any, data_lead: Any, name: str, role: str, confirmed: bool, message: str
) -> None:
    with pytest.raises(versions.DocumentsError, match=message):
        signing.sign_agreement(
            school,
            user=data_lead,
            acceptance=signing.Acceptance(name, role, confirmed, parties=PARTIES),
            version_number=1,
        )
    assert db.session.scalar(select(Agreement.id)) is None


def test_stale_version_or_no_text_is_refused(signing_app: Any, register: Any, school: Any, data_lead: Any) -> None:
    with pytest.raises(versions.DocumentsError, match="no agreement to sign"):
        signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)


def test_trust_signs_for_every_academy_in_one_step(text_v1: Any, register: Any, data_lead: Any) -> None:
    trust = make_trust("Northern Star Trust", companies_house_number="09876543")
    academies = [make_school(f"Academy {n}", trust=trust) for n in range(3)]
    outsider = make_school("Elsewhere Primary")
    signed = signing.sign_agreements(academies, user=data_lead, acceptance=acceptance(), version_number=1, via=trust)
    assert [a.tenancy_id for a in signed] == [a.id for a in academies]
    assert len({a.sha256 for a in signed}) == 3
    text = squeeze(pdf_text(signed[0].pdf))
    assert "Companies House number 09876543" in text and "Northern Star Trust" in text
    assert f"URN {academies[0].urn}" in text
    with pytest.raises(versions.DocumentsError, match="not an academy"):
        signing.sign_agreements([outsider], user=data_lead, acceptance=acceptance(), version_number=1, via=trust)
