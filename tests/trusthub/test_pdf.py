"""Uploaded PDFs: refused when not a readable PDF, kept without active content; copies stamped on every page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from portal.trusthub.pdf import PdfRejected, clean_pdf, stamp_pdf
from tests.trusthub.builders import blank_pdf

LIMIT = 10 * 1024 * 1024
ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/EmbeddedFile", b"/Launch", b"/AcroForm", b"/AA")


def text_pdf(pages: int = 3) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p style='break-after: page'>Original content of page {n}</p>" for n in range(1, pages + 1))
    return HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def hostile_pdf() -> bytes:
    """A PDF with a script on opening, an attached file, page actions, a form and a Launch link."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(2))))
    writer.add_attachment("payload.exe", b"MZ not really")
    script = writer._add_object(
        DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x()")})
    )
    names = writer._root_object["/Names"].get_object()
    names[NameObject("/JavaScript")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("opened"), script])}
    )
    writer._root_object[NameObject("/OpenAction")] = script
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject()})
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    launch = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
            NameObject("/A"): DictionaryObject(
                {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
            ),
        }
    )
    web = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(60), NumberObject(50), NumberObject(90)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://larkspur.example/"),
                }
            ),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(launch), writer._add_object(web)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_active_content_is_not_kept(app):
    hostile = hostile_pdf()
    assert all(marker in hostile for marker in (b"/JavaScript", b"/OpenAction", b"/EmbeddedFile", b"/Launch"))
    cleaned = clean_pdf(hostile, max_bytes=LIMIT)
    for marker in ACTIVE:
        assert marker not in cleaned.data, marker
    reader = PdfReader(io.BytesIO(cleaned.data))
    assert cleaned.pages == 2
    assert "Original content of page 1" in reader.pages[0].extract_text()
    # The plain web link stays; the Launch link does not.
    annotations = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    assert [a["/A"]["/S"] for a in annotations] == ["/URI"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not a pdf", "must be a PDF"),
        (b"%PDF-1.7\n garbage without objects", "not a PDF we can read"),
        (blank_pdf()[:200], "not a PDF we can read"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(app, data, message):
    with pytest.raises(PdfRejected, match=message):
        clean_pdf(data, max_bytes=LIMIT)


def test_size_limit(app):
    with pytest.raises(PdfRejected, match="smaller than 1 MB"):
        clean_pdf(blank_pdf() + b"%" + b"x" * (1024 * 1024), max_bytes=1024 * 1024)


def test_password_protected_files_are_refused(app):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf())))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PdfRejected, match="password"):
        clean_pdf(out.getvalue(), max_bytes=LIMIT)


def test_the_stamp_is_on_every_page_over_the_original_content(app):
    original = clean_pdf(text_pdf(3), max_bytes=LIMIT).data
    stamped = stamp_pdf(original, "Provided to Tom Okafor, Northern Lights Learning Trust, on 6 December 2026.")
    pages = PdfReader(io.BytesIO(stamped)).pages
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Original content of page {number}" in text, "the original page is kept, not re-rendered"
        assert "Provided to Tom Okafor, Northern Lights Learning Trust, on 6 December 2026." in text


def test_the_stamp_fits_odd_page_sizes_and_escapes_pdf_syntax(app):
    stamped = stamp_pdf(blank_pdf(2, width=300, height=200), "Name (with) \\ brackets é 😀")
    for page in PdfReader(io.BytesIO(stamped)).pages:
        assert "Name (with) \\ brackets é ?" in page.extract_text()
