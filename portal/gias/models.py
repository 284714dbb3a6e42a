"""Reference rows from the DfE register (GIAS), and the staged uploads they are imported from.

A GIAS row is reference data, not a customer: a full extract holds ~50,000 establishments and
a vendor has a few hundred customers. Tenancies (which have members) are created from these rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db


class ExtractKind(enum.StrEnum):
    ESTABLISHMENTS = "establishments"
    GROUPS = "groups"
    LINKS = "links"

    @property
    def label(self) -> str:
        return str(
            {
                "establishments": _("Establishment fields"),
                "groups": _("Academy trusts and groups"),
                "links": _("Group links (academy to trust)"),
            }[self.value]
        )


class BatchState(enum.StrEnum):
    # Uploaded through the console: a job reads it part by part (#26), then it is staged or failed.
    PARSING = "parsing"
    FAILED = "failed"
    STAGED = "staged"
    # Confirmed: a job applies its rows a chunk at a time, then it is applied.
    APPLYING = "applying"
    APPLIED = "applied"


class GiasEstablishment(db.Model):  # type: ignore[name-defined,misc]
    """One establishment from the GIAS register, keyed by its URN."""

    __tablename__ = "gias_establishment"
    __table_args__ = (CheckConstraint("length(urn) = 6", name="urn_six_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    urn: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    local_authority: Mapped[Optional[str]] = mapped_column(String(120))
    establishment_type: Mapped[Optional[str]] = mapped_column(String(120))
    phase: Mapped[Optional[str]] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(60))
    # The GIAS group UID of its academy trust ("Trusts (code)" or the links extract).
    trust_uid: Mapped[Optional[str]] = mapped_column(String(12), index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    @property
    def is_closed(self) -> bool:
        return self.status == "Closed"


class GiasGroup(db.Model):  # type: ignore[name-defined,misc]
    """One academy trust from the GIAS groups extract, keyed by its group UID."""

    __tablename__ = "gias_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    companies_house_number: Mapped[Optional[str]] = mapped_column(String(8))
    group_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    @property
    def is_closed(self) -> bool:
        return self.status == "Closed"


class GiasImportBatch(db.Model):  # type: ignore[name-defined,misc]
    """A parsed upload kept server-side, so the preview staff confirm is exactly what is applied."""

    __tablename__ = "gias_import_batch"
    __table_args__ = (CheckConstraint("length(sha256) = 64", name="sha256_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ExtractKind] = mapped_column(
        Enum(ExtractKind, values_callable=enum_values, native_enum=False, length=16)
    )
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[BatchState] = mapped_column(
        Enum(BatchState, values_callable=enum_values, native_enum=False, length=16), default=BatchState.STAGED
    )
    row_count: Mapped[int] = mapped_column(default=0)
    # The normalised valid rows and the rejected ones ({"line", "reason", "key"}), as parsed. The rows
    # (megabytes for a full extract) are loaded only by what applies them, never by the pages.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON, deferred=True)
    rejects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # What applying would do, as the register stood when the file was read: counts and the first rows
    # of each kind of change (service.preview_of), so the preview page never compares 50,000 rows.
    preview: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # An upload read by a job: its size, encoding and header row, and why it could not be read.
    size: Mapped[int] = mapped_column(default=0)
    encoding: Mapped[Optional[str]] = mapped_column(String(16))
    header: Mapped[Optional[list[str]]] = mapped_column(JSON)
    error: Mapped[Optional[str]] = mapped_column(Text)
    # The job reading or applying it now (the last one once it is done).
    job_id: Mapped[Optional[int]] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    # What applying it did: {"created": n, "updated": n, "unchanged": n, "skipped": n}.
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    applied_at: Mapped[Optional[dt.datetime]]


class GiasUploadPart(db.Model):  # type: ignore[name-defined,misc]
    """A slice of an uploaded extract (whole CSV records), stored with the batch in the upload's transaction.

    A job reads one part per item and keeps what it found here until the last item merges them; the
    parts are deleted then, so the upload's bytes live only while the file is being read.
    """

    __tablename__ = "gias_upload_part"
    __table_args__ = (UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("gias_import_batch.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    # The file's line number of the part's first line, so rejected rows name the line in the file.
    first_line: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    parsed: Mapped[bool] = mapped_column(default=False)
    row_count: Mapped[int] = mapped_column(default=0)
    ignored: Mapped[int] = mapped_column(default=0)
    rows: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON, deferred=True)
    rejects: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON, deferred=True)
    error: Mapped[Optional[str]] = mapped_column(Text)
