"""Diligence documents: uploads (checked and cleaned), listing, and stamped, recorded downloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal.audit import service as audit
from portal.dates import govuk_date, now
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.trusthub.errors import TrustHubError
from portal.trusthub.models import AccessLevel, DiligenceDocument, DocumentDownload
from portal.trusthub.pdf import PdfRejected, clean_pdf, stamp_pdf


@dataclass(frozen=True)
class NewDocument:
    title: str
    description: str
    access_level: AccessLevel
    review_on: dt.date
    filename: str
    data: bytes


def safe_filename(title: str) -> str:
    """A download name from the title: letters, digits and hyphens only."""
    stem = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "document"
    return f"{stem}.pdf"


def upload_document(new: NewDocument, *, actor: audit.Actor) -> DiligenceDocument:
    """Check the PDF, keep only its pages, and store it with its SHA-256 (audited)."""
    title = " ".join(new.title.split())
    if not title:
        raise TrustHubError(_("Enter a title"))
    try:
        cleaned = clean_pdf(new.data, max_bytes=int(current_app.config["TRUSTHUB_MAX_UPLOAD_BYTES"]))
    except PdfRejected as error:
        raise TrustHubError(str(error)) from error
    document = DiligenceDocument(
        title=title[:200],
        description=new.description.strip(),
        access_level=new.access_level,
        review_on=new.review_on,
        filename=safe_filename(title),
        sha256=cleaned.sha256,
        size_bytes=len(cleaned.data),
        page_count=cleaned.pages,
        pdf=cleaned.data,
        uploaded_by_id=actor.user_id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "trusthub.document_uploaded",
        actor=actor,
        object_type="DiligenceDocument",
        object_id=document.id,
        details={"sha256": cleaned.sha256, "level": new.access_level.value, "pages": cleaned.pages},
    )
    return document


def listed_documents() -> list[DiligenceDocument]:
    """Documents on offer (not withdrawn), public first, then by title."""
    order = {AccessLevel.PUBLIC: 0, AccessLevel.CUSTOMER: 1, AccessLevel.ON_REQUEST: 2}
    found = db.session.scalars(select(DiligenceDocument).where(DiligenceDocument.withdrawn_at.is_(None)))
    return sorted(found, key=lambda d: (order[d.access_level], d.title.lower()))


def all_documents() -> list[DiligenceDocument]:
    return list(db.session.scalars(select(DiligenceDocument).order_by(DiligenceDocument.title)))


def get_document(document_id: int, *, with_pdf: bool = False, offered_only: bool = True) -> DiligenceDocument | None:
    query = select(DiligenceDocument).where(DiligenceDocument.id == document_id)
    if offered_only:
        query = query.where(DiligenceDocument.withdrawn_at.is_(None))
    if with_pdf:
        query = query.options(undefer(DiligenceDocument.pdf))
    return db.session.scalar(query)


def withdraw_document(document: DiligenceDocument, *, actor: audit.Actor) -> None:
    """Take a document off offer: listed nowhere, downloaded by nobody (its records stay)."""
    if document.withdrawn_at is None:
        document.withdrawn_at = now()
        db.session.flush()
        audit.record("trusthub.document_withdrawn", actor=actor, object_type="DiligenceDocument", object_id=document.id)


def public_copy(document: DiligenceDocument, *, actor: audit.Actor) -> bytes:
    """A public document's stored bytes, as uploaded and cleaned (audited, not stamped: it names no one)."""
    if document.access_level is not AccessLevel.PUBLIC:
        raise TrustHubError(_("This document is not public"))
    audit.record(
        "trusthub.document_downloaded",
        actor=actor,
        object_type="DiligenceDocument",
        object_id=document.id,
        details={"level": "public", "sha256": document.sha256},
    )
    return document.pdf


def stamp_line(name: str, organisation: str, at: dt.datetime) -> str:
    return str(
        _(
            "Provided to %(name)s, %(organisation)s, on %(date)s. Confidential: do not share beyond the purpose given.",
            name=name,
            organisation=organisation,
            date=govuk_date(at),
        )
    )


def stamped_copy(
    document: DiligenceDocument,
    *,
    user_id: int,
    user_name: str,
    tenancy: Tenancy | None,
    organisation: str,
    actor: audit.Actor,
    request_id: int | None = None,
) -> bytes:
    """A copy stamped on every page with who it is for and the date; recorded and audited."""
    at = now()
    data = stamp_pdf(document.pdf, stamp_line(user_name, organisation, at))
    digest = hashlib.sha256(data).hexdigest()
    db.session.add(
        DocumentDownload(
            document_id=document.id,
            request_id=request_id,
            user_id=user_id,
            tenancy_id=tenancy.id if tenancy is not None else None,
            user_name=user_name[:200],
            organisation=organisation[:200],
            downloaded_at=at,
            sha256=digest,
        )
    )
    db.session.flush()
    audit.record(
        "trusthub.document_downloaded",
        actor=actor,
        tenancy_id=tenancy.id if tenancy is not None else None,
        object_type="DiligenceDocument",
        object_id=document.id,
        details={"level": document.access_level.value, "request": request_id, "sha256": digest},
    )
    return data


def downloads_of(document_id: int) -> list[DocumentDownload]:
    return list(
        db.session.scalars(
            select(DocumentDownload)
            .where(DocumentDownload.document_id == document_id)
            .order_by(DocumentDownload.downloaded_at.desc())
        )
    )


def downloads_by(tenancy_id: int) -> list[DocumentDownload]:
    return list(
        db.session.scalars(
            select(DocumentDownload)
            .where(DocumentDownload.tenancy_id == tenancy_id)
            .order_by(DocumentDownload.downloaded_at.desc())
        )
    )
