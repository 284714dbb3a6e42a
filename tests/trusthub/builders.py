"""Builders for trust hub tests: PDFs, documents at each level, the NDA, requests in each state."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from pypdf import PdfWriter

from portal.audit.service import Actor
from portal.dates import uk_today
from portal.trusthub import access, library, nda
from portal.trusthub.models import AccessLevel, AccessRequest, DiligenceDocument

SYSTEM = Actor.system("test")


def blank_pdf(pages: int = 2, width: float = 595, height: float = 842) -> bytes:
    """A small valid PDF of blank pages (fast: no rendering)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_document(
    level: AccessLevel = AccessLevel.ON_REQUEST, title: str | None = None, data: bytes | None = None
) -> DiligenceDocument:
    return library.upload_document(
        library.NewDocument(
            title=title or f"{level.value.replace('_', ' ').title()} document",
            description="For tests.",
            access_level=level,
            review_on=uk_today() + dt.timedelta(days=300),
            filename="test.pdf",
            data=data or blank_pdf(),
        ),
        actor=SYSTEM,
    )


def ensure_nda() -> Any:
    return nda.latest_nda() or nda.publish_nda(actor=SYSTEM, summary="First version.")


def make_request(
    user: Any, tenancy: Any, *, approve: bool = False, accept: bool = False, document: DiligenceDocument | None = None
) -> AccessRequest:
    document = document or make_document()
    made = access.request_access(document, tenancy=tenancy, user=user, purpose="Due diligence.", actor=SYSTEM)
    if approve:
        access.approve(made, days=7, actor=SYSTEM)
    if accept:
        version = ensure_nda()
        nda.accept_nda(
            tenancy,
            version_number=version.number,
            user_id=user.id,
            given=nda.NdaAcceptanceInput("Test Person", "Business manager", True, ip="127.0.0.1", user_agent="pytest"),
            actor=SYSTEM,
        )
    return made
