"""Each download of a tenancy's DPIA pack: when, which format, and the effective set it was built from."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User


class PackFormat(enum.StrEnum):
    """The formats a pack is downloaded in: the DPIA draft (DOCX, PDF) or the records of processing (CSV, JSON)."""

    DOCX = "docx"
    PDF = "pdf"
    CSV = "csv"
    JSON = "json"

    @property
    def part(self) -> str:
        """Which part of the pack this format carries: "dpia" or "record"."""
        return "dpia" if self in (PackFormat.DOCX, PackFormat.PDF) else "record"

    @property
    def label(self) -> str:
        return str(
            {
                "docx": _l("DPIA draft (Word document)"),
                "pdf": _l("DPIA draft (PDF)"),
                "csv": _l("Records of processing (CSV)"),
                "json": _l("Records of processing (JSON)"),
            }[self.value]
        )


class DpiaDownload(db.Model):  # type: ignore[name-defined,misc]
    """One generation of the pack for one tenancy, with the fingerprint of the effective set it showed."""

    __tablename__ = "dpia_download"
    __table_args__ = (
        Index("ix_dpia_download_tenancy_at", "tenancy_id", "at"),
        CheckConstraint("length(fingerprint) = 64", name="fingerprint_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    format: Mapped[PackFormat] = mapped_column(
        Enum(PackFormat, values_callable=enum_values, native_enum=False, length=8)
    )
    # SHA-256 of the canonical summary below: equal fingerprints mean the same effective set and options.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Register version, included entry keys with supplier names, option values: enough to say what changed.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Downloaded by someone who answers for the DPIA (a data lead or trust admin): only such a
    # download clears the "out of date" notice; a viewer's does not (#18).
    by_lead: Mapped[bool] = mapped_column(default=False)

    user: Mapped[Optional[User]] = relationship()
