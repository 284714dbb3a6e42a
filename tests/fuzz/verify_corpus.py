"""Hostile files for /verify, made from a genuine signed agreement: the corpus the fuzz test and
bench/verify_hostile.py both use (made fresh each run, so nothing binary is committed).

Each targets a way a PDF can make its reader work hard: many incremental updates (the reported
4 MB file with 40,000 of them took 7.5 s), a long chain of cross-reference sections, deep
nesting, very many objects, a compressed stream that inflates a thousandfold, a /Prev loop,
a huge declared /Length, and junk appended up to the size limit.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable

MB = 1024 * 1024


def _trailer_refs(data: bytes) -> tuple[bytes, int]:
    """The /Root reference and /Size of the file's last trailer (or cross-reference stream)."""
    root = re.findall(rb"/Root\s+(\d+\s+\d+\s+R)", data)[-1]
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    return root, size


def _startxref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def incremental_updates(data: bytes, count: int, *, budget: int | None = None) -> bytes:
    """`count` tiny incremental updates, each a classic xref section chained by /Prev."""
    root, size = _trailer_refs(data)
    prev = _startxref(data)
    out = bytearray(data)
    for n in range(count):
        number = size + n
        offset = len(out)
        out += b"%d 0 obj\n<< /N %d >>\nendobj\n" % (number, n)
        xref = len(out)
        out += b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
            number,
            offset,
            number + 1,
            root,
            prev,
            xref,
        )
        prev = xref
        if budget is not None and len(out) > budget:
            break
    return bytes(out)


def xref_bloat(data: bytes, entries: int) -> bytes:
    """One update whose cross-reference section lists `entries` objects (free ones: nothing to read)."""
    root, size = _trailer_refs(data)
    xref = len(data)
    rows = b"0000000000 65535 f \n" * entries
    tail = b"xref\n%d %d\n" % (size, entries) + rows
    tail += b"trailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + entries,
        root,
        _startxref(data),
        xref,
    )
    return data + tail


def page_bomb(data: bytes, inflated: int = 100 * MB) -> bytes:
    """One real incremental update (pyHanko's writer) drawing page 1 from a stream that inflates a thousandfold."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    packed = zlib.compressobj(9)
    body = b"".join(packed.compress(b"0 0 m " * (MB // 6)) for _ in range(inflated // MB)) + packed.flush()
    stream = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")}, encoded_data=body
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def prev_loop(data: bytes) -> bytes:
    """One update whose trailer's /Prev points at itself."""
    root, size = _trailer_refs(data)
    xref = len(data)
    tail = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
    return data + tail % (size, root, xref, xref)


def _minimal_pdf(body: bytes) -> bytes:
    """A one-object PDF around `body` (object 1 is the catalog, body is object 2)."""
    head = b"%PDF-1.7\n"
    objects = [b"1 0 obj\n<< /Type /Catalog /Extra 2 0 R >>\nendobj\n", b"2 0 obj\n" + body + b"\nendobj\n"]
    out = bytearray(head)
    offsets = []
    for obj in objects:
        offsets.append(len(out))
        out += obj
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def deep_nesting(depth: int = 200_000) -> bytes:
    return _minimal_pdf(b"[" * depth + b"]" * depth)


def deep_dictionaries(depth: int = 100_000) -> bytes:
    return _minimal_pdf(b"<< /A " * depth + b"null" + b" >>" * depth)


def many_objects(count: int = 150_000) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n in range(1, count + 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n<< /Type /Catalog >>\nendobj\n" % n if n == 1 else b"%d 0 obj\nnull\nendobj\n" % n
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (count + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count + 1, xref)
    return bytes(out)


def inflating_stream(inflated: int = 200 * MB) -> bytes:
    """A Flate stream of a few hundred KB that inflates to `inflated` bytes."""
    packed = zlib.compressobj(9)
    chunk = b"\0" * MB
    body = b"".join(packed.compress(chunk) for _ in range(inflated // MB)) + packed.flush()
    return _minimal_pdf(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream")


def huge_length() -> bytes:
    return _minimal_pdf(b"<< /Length 999999999999 >>\nstream\nabc\nendstream")


def corpus(genuine: bytes, max_bytes: int) -> dict[str, Callable[[], bytes]]:
    """Named makers of hostile files, each within the upload limit (the view refuses larger ones)."""
    max_bytes -= 4096  # the multipart form around the file counts towards the limit too
    return {
        "40000-updates": lambda: incremental_updates(genuine, 40_000, budget=max_bytes - 200),
        "3-updates": lambda: incremental_updates(genuine, 3),
        "prev-loop": lambda: prev_loop(genuine),
        "xref-bloat": lambda: xref_bloat(genuine, (max_bytes - len(genuine) - 200) // 20),
        "page-bomb": lambda: page_bomb(genuine),
        "deep-arrays": lambda: deep_nesting(min(200_000, max_bytes // 3)),
        "deep-dictionaries": lambda: deep_dictionaries(min(100_000, max_bytes // 12)),
        "many-objects": lambda: many_objects(min(150_000, max_bytes // 60)),
        "inflating-stream": inflating_stream,
        "huge-length": huge_length,
        "junk-to-the-limit": lambda: genuine + b"%" * max(0, max_bytes - len(genuine) - 1),
        "truncated-half": lambda: genuine[: len(genuine) // 2],
    }
