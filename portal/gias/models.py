"""Reference rows from the DfE register (GIAS), and the staged uploads they are imported from.

A GIAS row is reference data, not a customer: a full extract holds ~50,000 establishments and
a vendor has a few hundred customers. Tenancies (which have members) are created from these rows.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String
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
        return {
            "establishments": "Establishment fields",
            "groups": "Academy trusts and groups",
            "links": "Group links (academy to trust)",
        }[self.value]


class BatchState(enum.StrEnum):
    STAGED = "staged"
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
    # The normalised valid rows and the rejected ones ({"line", "reason", "key"}), as parsed.
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    rejects: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # What applying it did: {"created": n, "updated": n, "unchanged": n, "skipped": n}.
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    applied_at: Mapped[Optional[dt.datetime]]
