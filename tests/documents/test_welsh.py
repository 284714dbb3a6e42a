"""The agreement in Welsh (#29): one text version, two languages of equal standing, signed and sealed in either.

A Welsh agreement is signed through the web client, sealed, validated with pyHanko and checked at
/verify exactly as an English one; the English path is unchanged; a version published before Welsh
keeps its digest and is signed in English only.
"""

from __future__ import annotations

import hashlib
import json
import string
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select

from portal.audit.service import Actor
from portal.documents import aio, keys, measures, measures_cy, signing, text, text_cy, versions
from portal.documents.models import Agreement, DpaTextVersion
from portal.documents.verify import Verdict, verify_pdf
from portal.extensions import db
from portal.trusthub import nda
from tests.documents.conftest import acceptance
from tests.pages import squeeze

DETAILS = {
    "controller_address": "1 Heol yr Ysgol, Caerdydd CF10 1AA",
    "dpo_name": "Siân Swyddog",
    "dpo_email": "dpo@ysgol.example",
    "ico_registration": "ZA123456",
    "notice_contact_name": "Nia Hysbysiad",
    "notice_contact_email": "hysbysiadau@ysgol.example",
    "signer_name": "Dafydd Arweinydd",
    "signer_role": "Pennaeth",
}
WELSH_CLAUSE = "Rydym yn gweithredu ar eich cyfarwyddiadau dogfennol yn unig"


def placeholders(value: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(value) if name)


def pdf_text(data: bytes) -> str:
    return squeeze("\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages))


def validate(data: bytes, signing_keys: Any) -> Any:
    context = ValidationContext(trust_roots=[keys.trust_root({"SIGNING_TRUST_ROOT_PATH": str(signing_keys.root_path)})])
    signature = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    return aio.run(lambda: async_validate_pdf_signature(signature, context))


def test_both_languages_have_the_same_clauses_paragraphs_and_placeholders() -> None:
    assert [c.key for c in text_cy.CLAUSES] == [c.key for c in text.CLAUSES]
    assert placeholders(text_cy.INTRODUCTION) == placeholders(text.INTRODUCTION)
    for english, welsh in zip(text.CLAUSES, text_cy.CLAUSES, strict=True):
        assert welsh.heading and welsh.heading != english.heading, english.key
        assert len(welsh.paragraphs) == len(english.paragraphs), english.key
        for ours, theirs in zip(english.paragraphs, welsh.paragraphs, strict=True):
            assert placeholders(theirs) == placeholders(ours), (english.key, theirs[:60])
    assert len(text_cy.PROCESSING) == len(text.PROCESSING)
    for (_, ours), (_, theirs) in zip(text.PROCESSING, text_cy.PROCESSING, strict=True):
        assert placeholders(theirs) == placeholders(ours)
    assert [len(g.items) for g in measures_cy.MEASURES] == [len(g.items) for g in measures.MEASURES]
    for english_group, welsh_group in zip(measures.MEASURES, measures_cy.MEASURES, strict=True):
        for ours, theirs in zip(english_group.items, welsh_group.items, strict=True):
            assert placeholders(theirs) == placeholders(ours)
    # The text itself gives both languages equal standing.
    assert "equal standing" in text.CLAUSES[-1].paragraphs[-1]
    assert "statws cyfartal" in text_cy.CLAUSES[-1].paragraphs[-1]


def test_one_version_carries_both_languages(text_v1: DpaTextVersion) -> None:
    assert versions.languages_of(text_v1) == ["en", "cy"]
    english, welsh = versions.text_in(text_v1.data, "en"), versions.text_in(text_v1.data, "cy")
    assert english["title"] == "Data processing agreement" and welsh["title"] == "Cytundeb prosesu data"
    assert [c["key"] for c in welsh["clauses"]] == [c["key"] for c in english["clauses"]]
    assert welsh["clauses"][0]["citations"][0] == "GDPR y DU, Erthygl 4"
    assert welsh["terms"] == english["terms"]
    assert not any("{" in paragraph for clause in welsh["clauses"] for paragraph in clause["paragraphs"])
    assert "cymal 19" in welsh["language"]["accepted"]


def test_a_welsh_agreement_is_signed_through_the_web_and_validates_as_any_other(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any, signing_keys: Any
) -> None:
    client_request.sign_in(data_lead)
    client_request.post("documents.sign_details", DETAILS, tenancy=school.slug)
    page = client_request.get("documents.sign", tenancy=school.slug, language="cy")
    body = page.get_text(" ", strip=True)
    assert WELSH_CLAUSE in body and "Cytundeb prosesu data" in body
    assert page.select_one(".portal-agreement")["lang"] == "cy"
    assert page.find("input", {"name": "language", "value": "cy"}).has_attr("checked")
    draft = client_request.client.get(
        client_request.url("documents.sign_draft", tenancy=school.slug, target_id=school.id, language="cy")
    )
    assert WELSH_CLAUSE in pdf_text(draft.data)

    client_request.post("documents.sign", {"confirm": "y", "version": "1", "language": "cy"}, tenancy=school.slug)
    agreement = db.session.scalar(select(Agreement).where(Agreement.tenancy_id == school.id))
    assert agreement is not None and agreement.language == "cy"
    status = validate(agreement.pdf, signing_keys)
    assert status.bottom_line and status.intact and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    words = pdf_text(agreement.pdf)
    assert WELSH_CLAUSE in words and "Ystyr y geiriau" in words and "GDPR y DU, Erthygl 28(3)(a)" in words
    assert "Fersiwn iaith a dderbyniwyd" in words and "statws cyfartal, fel y mae cymal 19 yn ei nodi" in words
    assert "We act only on your documented instructions" not in words
    assert str(PdfReader(BytesIO(agreement.pdf)).trailer["/Root"]["/Lang"]) == "cy"

    assert verify_pdf(bytes(agreement.pdf), client_request.app.config).verdict is Verdict.GENUINE
    result = client_request.post(
        "documents.verify",
        {"document": (BytesIO(bytes(agreement.pdf)), "cytundeb.pdf", "application/pdf")},
        _expected_status=200,
    ).select_one("#verification-result")
    assert result["data-verdict"] == "genuine"
    assert "Language version signed Welsh" in result.get_text(" ", strip=True)


def test_the_english_path_is_unchanged_and_says_which_language_was_accepted(
    client_request: Any, text_v1: Any, register: Any, school: Any, data_lead: Any, signing_keys: Any
) -> None:
    client_request.sign_in(data_lead)
    client_request.post("documents.sign_details", DETAILS, tenancy=school.slug)
    page = client_request.get("documents.sign", tenancy=school.slug)
    assert "We act only on your documented instructions" in page.get_text() and WELSH_CLAUSE not in page.get_text()
    assert page.find("input", {"name": "language", "value": "en"}).has_attr("checked")
    client_request.post("documents.sign", {"confirm": "y", "version": "1"}, tenancy=school.slug)
    agreement = db.session.scalar(select(Agreement).where(Agreement.tenancy_id == school.id))
    assert agreement is not None and agreement.language == "en"
    assert validate(agreement.pdf, signing_keys).bottom_line
    words = pdf_text(agreement.pdf)
    assert "We act only on your documented instructions" in words and WELSH_CLAUSE not in words
    assert "Language version accepted English. The Welsh text and the English text have equal standing" in words


def test_a_version_published_before_welsh_keeps_its_digest_and_is_signed_in_english(
    signing_app: Any, register: Any, school: Any, data_lead: Any
) -> None:
    composed = versions.compose_text()
    old = {key: value for key, value in composed.items() if key not in ("cy", "language")}
    content = versions.canonical(old)
    digest = hashlib.sha256(content.encode()).hexdigest()
    version = DpaTextVersion(
        number=1, content=content, sha256=digest, summary="Before Welsh.", **versions._columns(old)
    )
    db.session.add(version)
    db.session.flush()
    assert versions.languages_of(version) == ["en"]
    welsh = signing.Acceptance(**{**acceptance().__dict__, "language": "cy"})
    try:
        signing.sign_agreement(school, user=data_lead, acceptance=welsh, version_number=1)
    except versions.DocumentsError as error:
        assert "cannot be signed in that language" in str(error)
    else:  # pragma: no cover - the refusal is the point
        raise AssertionError("a text without Welsh was signed in Welsh")
    agreement = signing.sign_agreement(school, user=data_lead, acceptance=acceptance(), version_number=1)
    assert agreement.language == "en" and "Language version accepted" not in pdf_text(agreement.pdf)
    assert verify_pdf(bytes(agreement.pdf), signing_app.config).verdict is Verdict.GENUINE
    newer = versions.publish_text_version(actor=Actor.system("test"), summary="Welsh text added.")
    assert newer.number == 2 and versions.languages_of(newer) == ["en", "cy"]
    assert hashlib.sha256(version.content.encode()).hexdigest() == version.sha256 == digest


def test_the_nda_is_published_in_both_languages_and_the_acceptance_records_the_language(
    signing_app: Any, school: Any, data_lead: Any
) -> None:
    version = nda.publish_nda(actor=Actor.system("test"), summary="First.")
    content = nda.nda_content(version)
    assert nda.nda_languages(content) == ["en", "cy"]
    welsh = nda.nda_in(content, "cy")
    assert welsh["title"].startswith("Telerau peidio â datgelu")
    assert [len(c["paragraphs"]) for c in welsh["clauses"]] == [len(c["paragraphs"]) for c in content["clauses"]]
    given = nda.NdaAcceptanceInput("Dafydd Arweinydd", "Pennaeth", True, None, None, language="cy")
    accepted = nda.accept_nda(school, version_number=1, user_id=data_lead.id, given=given, actor=Actor.of(data_lead))
    assert accepted.language == "cy" and accepted.text_sha256 == version.sha256


def test_the_preview_of_a_new_version_shows_a_change_to_the_welsh_text(app: Any) -> None:
    from portal.documents import text_diff

    composed = versions.compose_text()
    before = json.loads(versions.canonical(composed))
    before["cy"]["clauses"][0]["paragraphs"][0] = "Hen baragraff cyntaf."
    found = text_diff.changes(json.dumps(before), composed)
    assert [line.kind for line in found] == ["removed", "added"]
    assert found[0].text == "1.1 Hen baragraff cyntaf."
    assert found[1].text.startswith("1.1 Mae i eiriau fel data personol")
