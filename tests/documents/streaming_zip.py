"""A streaming ZIP reader written from the ZIP specification (APPNOTE 6.3.10, 4.3.7 to 4.3.9), as strict as Java's.

It reads local file headers one after another from the front, never the central directory, as
`java.util.zip.ZipInputStream` does. An entry whose flag bit 3 says its sizes come after the data (a
data descriptor) can be read that way only when the data says where it ends, which deflate does and
stored data does not: such a stored entry is refused with Java's own message.
"""

from __future__ import annotations

import struct
import zlib

LOCAL = b"PK\x03\x04"
DESCRIPTOR = b"PK\x07\x08"
CENTRAL = b"PK\x01\x02"
STORED, DEFLATED = 0, 8
HAS_DESCRIPTOR = 0x08


class StreamingZipError(ValueError):
    """The archive cannot be read front to back."""


def read_entries(data: bytes) -> dict[str, bytes]:
    """Every entry's name and bytes, read front to back; CRC and sizes checked against the header or descriptor."""
    entries: dict[str, bytes] = {}
    at = 0
    while data[at : at + 4] == LOCAL:
        (_, flags, method, _, _, crc, compressed, size, name_len, extra_len) = struct.unpack(
            "<HHHHHIIIHH", data[at + 4 : at + 30]
        )
        name = data[at + 30 : at + 30 + name_len].decode("utf-8" if flags & 0x800 else "cp437")
        at += 30 + name_len + extra_len
        if flags & HAS_DESCRIPTOR and method != DEFLATED:
            raise StreamingZipError(f"{name}: only DEFLATED entries can have EXT descriptor")
        if method == STORED:
            body, at = data[at : at + compressed], at + compressed
        elif method == DEFLATED:
            inflater = zlib.decompressobj(-15)
            limit = len(data) if flags & HAS_DESCRIPTOR else at + compressed
            body = inflater.decompress(data[at:limit])
            if not inflater.eof:
                raise StreamingZipError(f"{name}: deflate stream does not end")
            used = limit - at - len(inflater.unused_data)
            at += used
            if flags & HAS_DESCRIPTOR:
                if data[at : at + 4] == DESCRIPTOR:
                    at += 4
                crc, compressed, size = struct.unpack("<III", data[at : at + 12])
                at += 12
                if compressed != used:
                    raise StreamingZipError(f"{name}: descriptor says {compressed} compressed bytes, read {used}")
        else:
            raise StreamingZipError(f"{name}: compression method {method} not supported")
        if len(body) != size or zlib.crc32(body) != crc:
            raise StreamingZipError(f"{name}: size or CRC does not match")
        entries[name] = body
    if data[at : at + 4] != CENTRAL:
        raise StreamingZipError(f"no entry or central directory at byte {at}")
    return entries
