"""The non-disclosure terms for documents given on request: the text (written here), its versions, acceptances.

An organisation accepts a version once; that acceptance covers its later requests until a new
version is published. The acceptance is evidence like an agreement's: who, for which
organisation, when, from where, and the SHA-256 of the exact text accepted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit import service as audit
from portal.documents.versions import canonical
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.trusthub import nda_cy
from portal.trusthub.errors import TrustHubError
from portal.trusthub.models import NdaAcceptance, NdaTextVersion


def compose_nda() -> dict[str, Any]:
    """The NDA as headed paragraphs, with the vendor's details from configuration."""
    config = current_app.config
    vendor = config["VENDOR_LEGAL_ENTITY"]
    return {
        "title": f"Non-disclosure terms for {config['VENDOR_NAME']} security documents",
        "clauses": [
            {
                "heading": "Who these terms are between",
                "paragraphs": [
                    f"These terms are between {vendor} (company number {config['VENDOR_COMPANY_NUMBER']}, "
                    f"{config['VENDOR_REGISTERED_ADDRESS']}) and the school or trust named when they are "
                    "accepted (the recipient). The person accepting confirms they may agree to them for the "
                    "recipient.",
                ],
            },
            {
                "heading": "What is confidential",
                "paragraphs": [
                    f"Every document {vendor} gives the recipient through its security documents pages under "
                    "these terms, and anything in it, is confidential information. Each copy is marked with the "
                    "name of the person it was given to, their organisation and the date.",
                    "Information is not confidential if it is already public through no fault of the recipient, "
                    "if the recipient already lawfully had it without a duty of confidence, or if it was "
                    "independently developed without using the confidential information.",
                ],
            },
            {
                "heading": "What the recipient may do with it",
                "paragraphs": [
                    "Use it only to assess the security of our service for the recipient's own procurement, "
                    "due diligence, data protection impact assessment or audit (the purpose).",
                    "Share it only with the recipient's staff, governors, trustees and professional advisers "
                    "who need it for the purpose and who are bound to keep it confidential. The recipient is "
                    "responsible for what they do with it.",
                    "Not publish it, not give it to anyone else, and not use it to find or test weaknesses in "
                    "our service. Report any vulnerability you believe you have found through our security "
                    "contact instead.",
                ],
            },
            {
                "heading": "When the law requires disclosure",
                "paragraphs": [
                    "Schools and trusts are public authorities. If the recipient receives a request under the "
                    "Freedom of Information Act 2000 or the Environmental Information Regulations 2004, or is "
                    "required by law, a court or a regulator to disclose confidential information, it will tell "
                    f"{vendor} promptly where the law allows, consider any exemption we identify (in particular "
                    "for information whose disclosure would prejudice the security of systems or commercial "
                    "interests), and disclose no more than it must.",
                ],
            },
            {
                "heading": "Keeping and returning copies",
                "paragraphs": [
                    "Keep copies secure and no longer than the purpose needs. When the purpose is over, or if "
                    "we ask, delete or destroy them, except where the recipient must keep a record by law.",
                    "Access to a document ends on the date shown when it was approved, or earlier if we revoke "
                    "it. The recipient's duties under these terms continue for three years after the last "
                    "copy was given.",
                ],
            },
            {
                "heading": "Nothing else changes",
                "paragraphs": [
                    "These terms give no licence and no warranty. They do not change the data processing "
                    "agreement between us. They are governed by the law of England and Wales, and the courts "
                    "of England and Wales decide any dispute about them.",
                    "These terms are published in Welsh and in English, and the Welsh text and the English text "
                    "have equal standing.",
                ],
            },
        ],
    }


def compose_nda_text() -> dict[str, Any]:
    """The NDA as published: English at the top level, the Welsh text under "cy" (one hash covers both, #29)."""
    return {**compose_nda(), "cy": nda_cy.compose(current_app.config)}


def nda_in(content: dict[str, Any], language: str) -> dict[str, Any]:
    """A published NDA in one language (English where the version has no such text)."""
    translated = content.get(language) if language != "en" else None
    return {**content, **translated} if isinstance(translated, dict) else content


def nda_languages(content: dict[str, Any]) -> list[str]:
    return ["en", *(code for code in ("cy",) if isinstance(content.get(code), dict))]


def latest_nda() -> NdaTextVersion | None:
    return db.session.scalar(select(NdaTextVersion).order_by(NdaTextVersion.number.desc()).limit(1))


def nda_content(version: NdaTextVersion) -> dict[str, Any]:
    return json.loads(version.content)  # type: ignore[no-any-return]


def publish_nda(*, actor: audit.Actor, summary: str, user_id: int | None = None) -> NdaTextVersion:
    """Freeze the current NDA text as the next version (audited). Earlier acceptances stay, for their version."""
    summary = " ".join(summary.split())
    if not summary:
        raise TrustHubError(_("Enter a summary of what changed"))
    if len(summary) > 1000:
        raise TrustHubError(_("Summary of changes must be 1000 characters or fewer"))
    content = canonical(compose_nda_text())
    digest = hashlib.sha256(content.encode()).hexdigest()
    latest = latest_nda()
    if latest is not None and latest.sha256 == digest:
        raise TrustHubError(
            _("The text is the same as version %(number)s: there is nothing new to publish", number=latest.number)
        )
    number = (db.session.scalar(select(func.max(NdaTextVersion.number))) or 0) + 1
    version = NdaTextVersion(number=number, content=content, sha256=digest, summary=summary, published_by_id=user_id)
    db.session.add(version)
    db.session.flush()
    audit.record(
        "nda_text.published",
        actor=actor,
        object_type="NdaTextVersion",
        object_id=version.id,
        details={"number": number, "sha256": digest},
    )
    return version


def acceptance_for(tenancy_id: int, version: NdaTextVersion | None) -> NdaAcceptance | None:
    """The organisation's acceptance of this NDA version, if any."""
    if version is None:
        return None
    return db.session.scalar(
        select(NdaAcceptance).where(NdaAcceptance.tenancy_id == tenancy_id, NdaAcceptance.nda_version_id == version.id)
    )


@dataclass(frozen=True)
class NdaAcceptanceInput:
    signer_name: str
    signer_role: str
    confirmed: bool
    ip: str | None
    user_agent: str | None
    # The language the person read the terms in (#29): recorded with the acceptance.
    language: str = "en"


def accept_nda(
    tenancy: Tenancy, *, version_number: int, user_id: int | None, given: NdaAcceptanceInput, actor: audit.Actor
) -> NdaAcceptance:
    """Record that the organisation accepts the NDA version the person read (once per version)."""
    version = latest_nda()
    if version is None:
        raise TrustHubError(_("There are no non-disclosure terms to accept yet"))
    if version.number != version_number:
        raise TrustHubError(_("The terms changed while you were reading them: read the new version below"))
    name, role = " ".join(given.signer_name.split()), " ".join(given.signer_role.split())
    if not name or not role or not given.confirmed:
        raise TrustHubError(_("Enter your name and role and confirm you may accept for your organisation"))
    existing = acceptance_for(tenancy.id, version)
    if existing is not None:
        return existing
    acceptance = NdaAcceptance(
        tenancy_id=tenancy.id,
        nda_version_id=version.id,
        user_id=user_id,
        signer_name=name[:200],
        signer_role=role[:200],
        ip=(given.ip or "")[:64] or None,
        user_agent=(given.user_agent or "")[:400] or None,
        text_sha256=version.sha256,
        language=given.language if given.language in nda_languages(nda_content(version)) else "en",
    )
    db.session.add(acceptance)
    db.session.flush()
    audit.record(
        "nda.accepted",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="NdaAcceptance",
        object_id=acceptance.id,
        details={
            "nda_version": version.number,
            "sha256": version.sha256,
            "signer_role": acceptance.signer_role,
            "language": acceptance.language,
        },
    )
    return acceptance
