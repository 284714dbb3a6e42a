"""A trust's bundle: one ZIP of the latest signed agreement of every academy, streamed with flat memory.

Every entry is deflated: streamed to a sink that cannot seek, zipfile writes each entry's CRC and sizes
after its data (a data descriptor), which the ZIP specification allows only where the data says where
it ends. Stored entries with descriptors are refused by Java's `ZipInputStream` and other streaming
readers ("only DEFLATED entries can have EXT descriptor"); deflated ones are read by all of them.
Entries are plain files readable by everyone (0644), and the manifest names each entry as it is in
the archive, after two agreements with one file name were told apart.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select

from portal.documents.models import Agreement, DpaTextVersion
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.csv_export import csv_bytes


@dataclass(frozen=True)
class BundleItem:
    """One academy's latest agreement, without its bytes (those are read one at a time while streaming)."""

    agreement_id: int
    school: str
    urn: str
    version: int
    signed_at: str
    signer: str
    sha256: str
    filename: str


def bundle_items(trust: Tenancy) -> list[BundleItem]:
    """The latest agreement of each academy of the trust (one query)."""
    newest = (
        select(func.max(Agreement.id))
        .join(Tenancy, Tenancy.id == Agreement.tenancy_id)
        .where(Tenancy.trust_id == trust.id)
        .group_by(Agreement.tenancy_id)
    )
    rows = db.session.execute(
        select(
            Agreement.id,
            Tenancy.name,
            Tenancy.urn,
            DpaTextVersion.number,
            Agreement.signed_at,
            Agreement.signer_name,
            Agreement.sha256,
            Agreement.filename,
        )
        .join(Tenancy, Tenancy.id == Agreement.tenancy_id)
        .join(DpaTextVersion, DpaTextVersion.id == Agreement.text_version_id)
        .where(Agreement.id.in_(newest))
        .order_by(Tenancy.name, Agreement.id)
    )
    return [
        BundleItem(row[0], row[1], row[2] or "", row[3], row[4].strftime("%Y-%m-%dT%H:%M:%SZ"), row[5], row[6], row[7])
        for row in rows
    ]


class _Chunks(io.RawIOBase):
    """A write-only, non-seekable sink: zipfile writes into it and the generator drains it."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def entry_names(items: list[BundleItem]) -> list[str]:
    """Each agreement's name in the archive: its file name, prefixed by its id where another has it already."""
    names: list[str] = []
    taken: set[str] = {"manifest.csv"}
    for item in items:
        name = item.filename if item.filename not in taken else f"{item.agreement_id}-{item.filename}"
        taken.add(name)
        names.append(name)
    return names


def manifest_csv(items: list[BundleItem], names: list[str] | None = None) -> bytes:
    """manifest.csv: school, URN, version, signed at, signer, SHA-256, and the entry's name in the archive."""
    names = names if names is not None else entry_names(items)
    return csv_bytes(
        ["school", "urn", "version", "signed_at_utc", "signer", "sha256", "file"],
        ([i.school, i.urn, i.version, i.signed_at, i.signer, i.sha256, n] for i, n in zip(items, names, strict=True)),
        byte_order_mark=False,
    )


FILE_MODE = 0o100644


def _entry(name: str, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = FILE_MODE << 16  # a regular file, rw-r--r--, whoever unpacks it
    return info


def stream_zip(items: list[BundleItem]) -> Iterator[bytes]:
    """Yield the ZIP piece by piece, holding at most one agreement's bytes in memory."""
    sink = _Chunks()
    names = entry_names(items)
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(_entry("manifest.csv", (2026, 1, 1, 0, 0, 0)), manifest_csv(items, names))
        yield sink.drain()
        for item, name in zip(items, names, strict=True):
            pdf = db.session.scalar(select(Agreement.pdf).where(Agreement.id == item.agreement_id))
            archive.writestr(_entry(name, _zip_time(item.signed_at)), pdf or b"")
            del pdf
            yield sink.drain()
    yield sink.drain()


def _zip_time(stamp: str) -> tuple[int, int, int, int, int, int]:
    date, time = stamp.rstrip("Z").split("T")
    y, m, d = (int(x) for x in date.split("-"))
    hh, mm, ss = (int(x) for x in time.split(":"))
    return (y, m, d, hh, mm, ss)
