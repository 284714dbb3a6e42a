"""Uploaded PDFs: checked, re-written without active content; downloads stamped with who they are for.

Only the pages are carried over into a new file: the catalogue (with /OpenAction, /AA, /Names and
so /JavaScript and /EmbeddedFiles, /AcroForm) is left behind, and on each page additional actions
and every annotation that can act (links to scripts or programs, widgets, attachments, media)
are dropped. The stamp is a footer merged onto each page: the original content is not re-rendered.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

log = logging.getLogger(__name__)

MAX_PAGES = 500
# Annotations that can carry content or behaviour of their own: never kept.
ACTIVE_ANNOTATIONS = {"/Widget", "/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
# Actions a kept link may carry: going to a page or a web address.
SAFE_ACTIONS = {"/GoTo", "/URI"}
STAMP_FONT = "/PortalStamp"


class PdfRejected(ValueError):
    """An upload the portal refuses; the message says why, in words for the uploader."""


@dataclass(frozen=True)
class CleanPdf:
    data: bytes
    sha256: str
    pages: int


def clean_pdf(data: bytes, *, max_bytes: int) -> CleanPdf:
    """The upload re-written with its pages only and no active content, or PdfRejected."""
    if not data:
        raise PdfRejected(_("The selected file is empty"))
    if len(data) > max_bytes:
        raise PdfRejected(_("The selected file must be smaller than %(size)s MB", size=max_bytes // (1024 * 1024)))
    if b"%PDF-" not in data[:1024]:
        raise PdfRejected(_("The selected file must be a PDF"))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRejected(_("The selected file is password protected: upload it without a password"))
        count = len(reader.pages)
        if count == 0:
            raise PdfRejected(_("The selected file has no pages"))
        if count > MAX_PAGES:
            raise PdfRejected(_("The selected file must have %(pages)s pages or fewer", pages=MAX_PAGES))
        writer = PdfWriter()
        for page in reader.pages:
            # Cleaned before it is copied, so nothing it referred to is copied with it.
            _drop_active_content(page)
            writer.add_page(page)
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
        cleaned = out.getvalue()
        pages = len(PdfReader(io.BytesIO(cleaned)).pages)
    except PdfRejected:
        raise
    except Exception as error:  # pypdf raises many kinds on a damaged file; each means "cannot read it"
        log.info("PDF upload refused: %s: %s", type(error).__name__, str(error)[:200])
        raise PdfRejected(_("The selected file is not a PDF we can read")) from error
    return CleanPdf(cleaned, hashlib.sha256(cleaned).hexdigest(), pages)


def _drop_active_content(page: PageObject) -> None:
    for key in ("/AA", "/Thumb", "/PieceInfo"):
        if key in page:
            del page[NameObject(key)]
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject()
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if not isinstance(annotation, DictionaryObject) or annotation.get("/Subtype") in ACTIVE_ANNOTATIONS:
            continue
        if "/AA" in annotation:
            del annotation[NameObject("/AA")]
        action = annotation.get("/A")
        if action is not None and action.get_object().get("/S") not in SAFE_ACTIONS:
            continue
        kept.append(reference)
    page[NameObject("/Annots")] = kept


def _pdf_text(value: str) -> bytes:
    """A PDF literal string in WinAnsi (Helvetica's encoding): unknown characters become '?'."""
    raw = value.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + bytes(c if c >= 32 else 63 for c in escaped) + b")"


def stamp_pdf(data: bytes, line: str) -> bytes:
    """A copy with `line` as a visible footer on every page, merged over the stored pages."""
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        box = page.cropbox
        left, bottom, width = float(box.left), float(box.bottom), float(box.width)
        # Small enough that the whole line fits the page (Helvetica averages about half an em a character).
        size = max(3.0, min(7.5, (width - 36) / (0.5 * max(len(line), 1))))
        overlay = PageObject.create_blank_page(width=float(page.mediabox.width), height=float(page.mediabox.height))
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        overlay[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject(STAMP_FONT): font})}
        )
        stream = DecodedStreamObject()
        stream.set_data(
            b"q 1 1 1 rg %.2f %.2f %.2f %.2f re f Q " % (left, bottom, width, size * 2.6)
            + b"BT 0 0 0 rg %s %.1f Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET"
            % (STAMP_FONT.encode(), size, left + 18, bottom + size, _pdf_text(line))
        )
        overlay[NameObject("/Contents")] = writer._add_object(stream)
        page.merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
