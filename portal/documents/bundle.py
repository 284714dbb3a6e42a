"""A trust's bundle: one ZIP of the latest signed agreement of every academy, streamed with flat memory."""

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


def manifest_csv(items: list[BundleItem]) -> bytes:
    """manifest.csv: school, URN, version, signed at, signer, SHA-256, file."""
    return csv_bytes(
        ["school", "urn", "version", "signed_at_utc", "signer", "sha256", "file"],
        ([i.school, i.urn, i.version, i.signed_at, i.signer, i.sha256, i.filename] for i in items),
        byte_order_mark=False,
    )


def stream_zip(items: list[BundleItem]) -> Iterator[bytes]:
    """Yield the ZIP piece by piece, holding at most one agreement's bytes in memory."""
    sink = _Chunks()
    names: set[str] = set()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(
            zipfile.ZipInfo("manifest.csv", date_time=(2026, 1, 1, 0, 0, 0)),
            manifest_csv(items),
            compress_type=zipfile.ZIP_DEFLATED,
        )
        yield sink.drain()
        for item in items:
            pdf = db.session.scalar(select(Agreement.pdf).where(Agreement.id == item.agreement_id))
            name = item.filename if item.filename not in names else f"{item.agreement_id}-{item.filename}"
            names.add(name)
            info = zipfile.ZipInfo(name, date_time=_zip_time(item.signed_at))
            archive.writestr(info, pdf or b"")
            del pdf
            yield sink.drain()
    yield sink.drain()


def _zip_time(stamp: str) -> tuple[int, int, int, int, int, int]:
    date, time = stamp.rstrip("Z").split("T")
    y, m, d = (int(x) for x in date.split("-"))
    hh, mm, ss = (int(x) for x in time.split(":"))
    return (y, m, d, hh, mm, ss)
