"""Verifying an uploaded file: a genuine agreement of this portal, an altered one, someone else's, or not a PDF."""

from __future__ import annotations

import enum
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
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

# What an agreement issued here looks like, with room to spare: about 40 KB, two revisions (the
# rendered document and the signature's incremental update), a few dozen objects, shallow
# nesting. A file far outside that is refused before any parser sees it, so no upload can
# cost a worker much more than checking a genuine agreement (bench/verify_hostile.py).
MAX_REVISIONS = 3
MAX_OBJECTS = 2000
# pyHanko finds the end of a file by reading backwards a byte at a time: a megabyte of junk after
# the last %%EOF took 4 s per parse. A genuine file ends with %%EOF and a line end.
_EOF_TAIL = re.compile(rb"%%EOF\s*\Z")
# Objects a file declares: rows of classic cross-reference tables, /Size, and the counts in the
# /Index of cross-reference streams (whose rows are compressed, so cannot be counted).
_XREF_ROW = re.compile(rb"\d{10} \d{5} [fn]")
_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]{0,200})\]")
# Other sealed documents /verify recognises, such as deletion certificates: each finder takes the
# file's SHA-256 and returns the record or None. The record's `verify_explanation` says what it is.
DOCUMENT_FINDERS: list[Callable[[str], Any]] = []


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
    # A genuine sealed document that is not an agreement (a deletion certificate).
    document: Any = None


def verify_pdf(data: bytes, config: Any) -> Verification:
    """Check a file: PAdES signature valid against the vendor root over the ENTIRE file, and hash on record."""
    digest = hashlib.sha256(data).hexdigest()
    if b"%PDF-" not in data[:1024]:
        return Verification(Verdict.NOT_PDF, str(_("This file is not a PDF.")), digest)
    refusal = _outside_limits(data)
    if refusal is not None:
        return Verification(Verdict.ALTERED, refusal, digest)
    if not _EOF_TAIL.search(data[-1024:]):
        return Verification(
            Verdict.ALTERED,
            str(_("Something was added to the file after it was signed (an update or extra bytes).")),
            digest,
            _record_before_junk(data),
        )
    try:
        return _verify(data, digest, config)
    except Exception:
        # A damaged or hostile file must get an answer, never a server error.
        log.info("unreadable PDF uploaded for verification", exc_info=True)
        return Verification(
            Verdict.ALTERED,
            str(_("This file looks like a PDF but cannot be read as one: it may be damaged, cut short or altered.")),
            digest,
            _record(_signed_revision_hash(data)),
        )


def _verify(data: bytes, digest: str, config: Any) -> Verification:
    reader = PdfFileReader(BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    if not signatures:
        return Verification(
            Verdict.NOT_OURS, str(_("This PDF has no electronic signature, so it was not issued here.")), digest
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
        return Verification(Verdict.ALTERED, str(_("The file was changed after it was signed.")), digest, original)
    if not status.trusted:
        return Verification(
            Verdict.NOT_OURS,
            str(_("This PDF is signed, but not with our certificate: it was not issued here.")),
            digest,
        )
    # `valid` and even `bottom_line` stay true when an update or junk is appended: insist on the whole file.
    if len(signatures) > 1 or status.coverage != SignatureCoverageLevel.ENTIRE_FILE or not status.bottom_line:
        return Verification(
            Verdict.ALTERED,
            str(_("Something was added to the file after it was signed (an update or extra bytes).")),
            digest,
            original,
        )
    agreement = _record(digest)
    for finder in DOCUMENT_FINDERS if agreement is None else []:
        document = finder(digest)
        if document is not None:
            return Verification(Verdict.GENUINE, document.verify_explanation, digest, document=document)
    if agreement is None:
        return Verification(
            Verdict.NOT_OURS,
            str(
                _(
                    "It carries a signature made with our certificate, but we have no record of issuing an "
                    "agreement with this content, so do not rely on it."
                )
            ),
            digest,
        )
    return Verification(
        Verdict.GENUINE, str(_("This is a genuine agreement issued by this portal, unaltered.")), digest, agreement
    )


def _outside_limits(data: bytes) -> str | None:
    """Why a file is not checked further (too many revisions, objects or levels), or None.

    Byte scans only, linear in the size the upload limit already bounds: the revisions are
    counted by their cross-reference sections (classic tables and streams) and end markers.
    """
    revisions = max(data.count(b"startxref"), data.count(b"xref") - data.count(b"startxref") + data.count(b"/XRef"))
    if revisions > MAX_REVISIONS:
        return str(
            ngettext(
                "This file has been saved %(num)d time (it has %(num)d revision). An agreement issued here has "
                "one or two: the document and its signature. It was changed after it was signed, or it is not "
                "one of ours, so it was not checked further.",
                "This file has been saved %(num)d times (it has %(num)d revisions). An agreement issued here has "
                "one or two: the document and its signature. It was changed after it was signed, or it is not "
                "one of ours, so it was not checked further.",
                revisions,
            )
        )
    objects = max(data.count(b"endobj"), _declared_objects(data))
    if objects > MAX_OBJECTS:
        return str(
            ngettext(
                "This file holds %(num)d object; an agreement issued here holds a few dozen. It is not one of "
                "ours, so it was not checked further.",
                "This file holds %(num)d objects; an agreement issued here holds a few dozen. It is not one of "
                "ours, so it was not checked further.",
                objects,
            )
        )
    return None


def _declared_objects(data: bytes) -> int:
    rows = len(_XREF_ROW.findall(data))
    sizes = [int(size) for size in _SIZE.findall(data)]
    indexes = [sum(int(n) for n in index.split()[1::2]) for index in _INDEX.findall(data)]
    return max([rows, *sizes, *indexes])


def _record_before_junk(data: bytes) -> Agreement | None:
    """The agreement a file was made from by appending bytes after its end, found by hash, not parsing."""
    end = data.rfind(b"%%EOF")
    if end < 0:
        return None
    end += len(b"%%EOF")
    candidates = [data[:end], data[: end + 1], data[: end + 2]]
    for found in map(_record, (hashlib.sha256(c).hexdigest() for c in candidates)):
        if found is not None:
            return found
    return None


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
