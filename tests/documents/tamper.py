"""Ways to alter a signed PDF, made with real PDF tooling (pyHanko's incremental writer)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader


def byte_range(data: bytes) -> list[int]:
    signature = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    return [int(x) for x in signature.sig_object["/ByteRange"]]


def flip_byte(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def signed_positions(data: bytes) -> dict[str, int]:
    """Positions inside the signed range: the header, the middle of the first part, after the signature, the end."""
    start1, length1, start2, length2 = byte_range(data)
    return {
        "header": 5,
        "body": start1 + length1 // 2,
        "after-signature": start2 + 2,
        "last-byte": start2 + length2 - 3,
    }


def append_page_change(data: bytes) -> bytes:
    """An incremental update that draws on page 1."""
    writer = IncrementalPdfFileWriter(BytesIO(data))
    writer.add_stream_to_page(0, generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 72 Td (FORGED) Tj ET"))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def append_metadata_change(data: bytes) -> bytes:
    """An incremental update that changes only the document information (/Info)."""
    writer = IncrementalPdfFileWriter(BytesIO(data))
    info = generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Forged title")})
    writer.set_info(writer.add_object(info))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def append_junk(data: bytes) -> bytes:
    return data + b"\n% appended after the end of file\n"
