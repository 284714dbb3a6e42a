"""Verifying an uploaded file: a genuine agreement of this portal, an altered one, someone else's, or not a PDF."""

from __future__ import annotations

import enum
import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.documents import aio
from portal.documents.keys import timestamp_roots, trust_root
from portal.documents.models import Agreement
from portal.extensions import db

log = logging.getLogger(__name__)


class Verdict(enum.StrEnum):
    GENUINE = "genuine"
    ALTERED = "altered"
    NOT_OURS = "not_ours"
    NOT_PDF = "not_pdf"


@dataclass(frozen=True)
class Verification:
    """The answer for one file, and the agreement it is (or was altered from), if known."""

    verdict: Verdict
    explanation: str
    sha256: str
    agreement: Agreement | None = None


def verify_pdf(data: bytes, config: Any) -> Verification:
    """Check a file: PAdES signature valid against the vendor root over the ENTIRE file, and hash on record."""
    digest = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:1024]:
        return Verification(Verdict.NOT_PDF, "This file is not a PDF.", digest)
    try:
        return _verify(data, digest, config)
    except Exception:
        # A damaged or hostile file must get an answer, never a server error.
        log.info("unreadable PDF uploaded for verification", exc_info=True)
        return Verification(
            Verdict.ALTERED,
            "This file looks like a PDF but cannot be read as one: it may be damaged, cut short or altered.",
            digest,
            _record(_signed_revision_hash(data)),
        )


def _verify(data: bytes, digest: str, config: Any) -> Verification:
    reader = PdfFileReader(BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return Verification(
            Verdict.NOT_OURS, "This PDF has no electronic signature, so it was not issued here.", digest
        )
    context = ValidationContext(trust_roots=[trust_root(config)], allow_fetching=False)
    # A timestamp token chains to the timestamp authority's own root, not to the vendor's.
    ts_context = ValidationContext(trust_roots=[trust_root(config), *timestamp_roots(config)], allow_fetching=False)
    status = aio.run(
        lambda: async_validate_pdf_signature(
            signatures[0], signer_validation_context=context, ts_validation_context=ts_context
        )
    )
    original = _record(_signed_revision_hash(data, signatures[0]))
    if not status.intact:
        return Verification(Verdict.ALTERED, "The file was changed after it was signed.", digest, original)
    if not status.trusted:
        return Verification(
            Verdict.NOT_OURS, "This PDF is signed, but not with our certificate: it was not issued here.", digest
        )
    # `valid` and even `bottom_line` stay true when an update or junk is appended: insist on the whole file.
    if len(signatures) > 1 or status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not status.bottom_line:
        return Verification(
            Verdict.ALTERED,
            "Something was added to the file after it was signed (an update or extra bytes).",
            digest,
            original,
        )
    agreement = _record(digest)
    if agreement is None:
        return Verification(
            Verdict.NOT_OURS,
            "The signature is ours, but no agreement with this exact content is on record here.",
            digest,
        )
    return Verification(
        Verdict.GENUINE, "This is a genuine agreement issued by this portal, unaltered.", digest, agreement
    )


def _signed_revision_hash(data: bytes, signature: Any = None) -> str | None:
    """The SHA-256 of the bytes as they stood when signed (the end of the signature's byte range)."""
    try:
        if signature is None:
            signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
            if not signatures:
                return None
            signature = signatures[0]
        byte_range = signature.sig_object["/ByteRange"]
        end = int(byte_range[2]) + int(byte_range[3])
    except Exception:
        return None
    if end > len(data):
        return None
    return hashlib.sha256(data[:end]).hexdigest()


def _record(digest: str | None) -> Agreement | None:
    if digest is None:
        return None
    query = (
        select(Agreement)
        .where(Agreement.sha256 == digest)
        .options(joinedload(Agreement.tenancy), joinedload(Agreement.text_version))
    )
    return db.session.scalar(query)
