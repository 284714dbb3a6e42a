"""Agreement texts (published versions) and signed agreements (stored bytes, never re-rendered)."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import TYPE_CHECKING, Any, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.tenancy.models import Tenancy


class DpaTextVersion(db.Model):  # type: ignore[name-defined,misc]
    """A published version of the agreement text: frozen content and its SHA-256."""

    __tablename__ = "dpa_text_version"
    __table_args__ = (CheckConstraint("number > 0", name="number_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    # The whole text (clauses, annex II, annex III) with configuration filled in, as canonical JSON.
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(1000))
    published_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # The notice period, in clear days, this text promises before a sub-processor change (#21).
    notice_period_days: Mapped[Optional[int]]
    # Exit terms the text promises: the export within this many days of the request, and deletion
    # (at the vendor and every sub-processor) within this many days after the service ends.
    export_days: Mapped[int] = mapped_column(default=30, server_default="30")
    deletion_days: Mapped[int] = mapped_column(default=90, server_default="90")

    published_by: Mapped[Optional[User]] = relationship()

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.content)  # type: ignore[no-any-return]


class SignerCapacity(enum.StrEnum):
    """On whose behalf the signer signed: their own school, or a trust for its academy."""

    SELF = "self"
    TRUST = "trust"


class Agreement(db.Model):  # type: ignore[name-defined,misc]
    """One signed agreement for one tenancy: who accepted which text, when, from where, and the signed PDF."""

    __tablename__ = "agreement"
    __table_args__ = (
        Index("ix_agreement_sha256", "sha256", unique=True),
        Index("ix_agreement_tenancy_signed", "tenancy_id", "signed_at"),
        # One submission of a sign form makes at most one agreement per tenancy, however often it arrives.
        UniqueConstraint("tenancy_id", "submission_key"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    text_version_id: Mapped[int] = mapped_column(ForeignKey("dpa_text_version.id", ondelete="RESTRICT"), index=True)
    signed_at: Mapped[dt.datetime]
    signer_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # As typed by the signer (escaped when rendered).
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[SignerCapacity] = mapped_column(
        Enum(SignerCapacity, values_callable=enum_values, native_enum=False, length=16)
    )
    # The trust that signed for an academy (capacity TRUST).
    signed_via_tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id", ondelete="SET NULL"))
    # Annex I as the signer entered it (nullable: agreements signed before text version 2 lack it).
    controller_name: Mapped[Optional[str]] = mapped_column(String(300))
    controller_address: Mapped[Optional[str]] = mapped_column(String(400))
    companies_house_number: Mapped[Optional[str]] = mapped_column(String(8))
    dpo_name: Mapped[Optional[str]] = mapped_column(String(200))
    dpo_email: Mapped[Optional[str]] = mapped_column(String(320))
    ico_registration: Mapped[Optional[str]] = mapped_column(String(20))
    # Where contractual notices go (sub-processor changes, breaches); the notice capability reads these.
    notice_contact_name: Mapped[Optional[str]] = mapped_column(String(200))
    notice_contact_email: Mapped[Optional[str]] = mapped_column(String(320))
    authority_statement: Mapped[Optional[str]] = mapped_column(String(600))
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[Optional[str]] = mapped_column(String(400))
    # Annex IV as it stood at signing: a frozen snapshot, never recomputed.
    register_version: Mapped[Optional[str]] = mapped_column(String(16))
    annex: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Annex II rows, announced changes and exclusions as sealed (None before text version 2).
    annexes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    # The language version of the text the signer read and accepted ("en" or "cy"; #29): the PDF is in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # The sign form's one-time key (NULL for agreements signed without a form, such as the demo's).
    submission_key: Mapped[Optional[str]] = mapped_column(String(64))
    # The signed bytes, loaded only when downloaded or verified.
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    tenancy: Mapped[Tenancy] = relationship(foreign_keys=[tenancy_id])
    signed_via: Mapped[Optional[Tenancy]] = relationship(foreign_keys=[signed_via_tenancy_id])
    text_version: Mapped[DpaTextVersion] = relationship()
    signer: Mapped[Optional[User]] = relationship()
