"""The security overview (versions), diligence documents, access requests, the NDA and its acceptances."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.dates import now
from portal.db import stored_enum
from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User
    from portal.tenancy.models import Tenancy


class OverviewStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


# The prose sections of the overview, in the order the page shows them.
OVERVIEW_SECTIONS = (
    "encryption",
    "access_control",
    "logging_monitoring",
    "vulnerability_management",
    "incident_response",
    "business_continuity",
    "certifications",
)


class SecurityOverviewVersion(db.Model):  # type: ignore[name-defined,misc]
    """One version of the public security overview: a draft, or a published version that never changes."""

    __tablename__ = "security_overview_version"
    __table_args__ = (
        Index(
            "uq_security_overview_one_draft",
            "status",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_is_dated"),
        CheckConstraint("rto_hours > 0 AND rpo_hours > 0", name="objectives_positive"),
        CheckConstraint("backup_retention_days > 0", name="retention_positive"),
        CheckConstraint("acknowledge_business_days > 0 AND triage_business_days > 0", name="disclosure_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Order of versions; the published version with the highest sequence is current.
    sequence: Mapped[int] = mapped_column(unique=True)
    status: Mapped[OverviewStatus] = mapped_column(stored_enum(OverviewStatus, 16), default=OverviewStatus.DRAFT)
    summary: Mapped[str] = mapped_column(Text, default="")
    encryption: Mapped[str] = mapped_column(Text, default="")
    access_control: Mapped[str] = mapped_column(Text, default="")
    logging_monitoring: Mapped[str] = mapped_column(Text, default="")
    vulnerability_management: Mapped[str] = mapped_column(Text, default="")
    incident_response: Mapped[str] = mapped_column(Text, default="")
    business_continuity: Mapped[str] = mapped_column(Text, default="")
    certifications: Mapped[str] = mapped_column(Text, default="")
    # Business continuity and disclosure promises as numbers, so they are stated exactly.
    rto_hours: Mapped[int] = mapped_column(default=4)
    rpo_hours: Mapped[int] = mapped_column(default=24)
    backup_retention_days: Mapped[int] = mapped_column(default=30)
    acknowledge_business_days: Mapped[int] = mapped_column(default=1)
    triage_business_days: Mapped[int] = mapped_column(default=5)
    # The register version current when this version was published (for earlier versions' inherited list).
    register_sequence: Mapped[Optional[int]]
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_at: Mapped[Optional[dt.datetime]]
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    @property
    def is_published(self) -> bool:
        return self.status is OverviewStatus.PUBLISHED


class AccessLevel(enum.StrEnum):
    PUBLIC = "public"
    CUSTOMER = "customer"
    ON_REQUEST = "on_request"


class DiligenceDocument(db.Model):  # type: ignore[name-defined,misc]
    """A PDF for procurement diligence: checked, cleaned of active content, stored with its SHA-256."""

    __tablename__ = "diligence_document"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size_bytes > 0", name="size_positive"),
        CheckConstraint("page_count > 0", name="pages_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    access_level: Mapped[AccessLevel] = mapped_column(stored_enum(AccessLevel, 16))
    review_on: Mapped[dt.date]
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int]
    page_count: Mapped[int]
    # The cleaned bytes, loaded only when downloaded.
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=now)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[Optional[dt.datetime]]

    uploaded_by: Mapped[Optional[User]] = relationship()


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    REVOKED = "revoked"


class AccessRequest(db.Model):  # type: ignore[name-defined,misc]
    """A school or trust user's request for an on-request document, and the vendor's decision."""

    __tablename__ = "document_access_request"
    __table_args__ = (
        # One open request per person, organisation and document, however often the form is sent.
        Index(
            "uq_document_access_request_one_pending",
            "document_id",
            "tenancy_id",
            "requester_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        CheckConstraint("status = 'pending' OR decided_at IS NOT NULL", name="decision_is_dated"),
        CheckConstraint("status NOT IN ('approved', 'revoked') OR expires_at IS NOT NULL", name="approval_expires"),
        CheckConstraint("status <> 'refused' OR length(refusal_reason) > 0", name="refusal_has_reason"),
        CheckConstraint("status <> 'revoked' OR revoked_at IS NOT NULL", name="revocation_is_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("diligence_document.id", ondelete="RESTRICT"), index=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[RequestStatus] = mapped_column(stored_enum(RequestStatus, 16), default=RequestStatus.PENDING)
    requested_at: Mapped[dt.datetime] = mapped_column(default=now)
    decided_at: Mapped[Optional[dt.datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    expires_at: Mapped[Optional[dt.datetime]]
    refusal_reason: Mapped[Optional[str]] = mapped_column(Text)
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    document: Mapped[DiligenceDocument] = relationship()
    tenancy: Mapped[Tenancy] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])

    def is_open(self, at: dt.datetime) -> bool:
        """Approved, not revoked, not expired: downloads are allowed (given the NDA)."""
        return self.status is RequestStatus.APPROVED and self.expires_at is not None and at < _aware(self.expires_at)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


class NdaTextVersion(db.Model):  # type: ignore[name-defined,misc]
    """A published version of the non-disclosure terms: frozen text and its SHA-256."""

    __tablename__ = "nda_text_version"
    __table_args__ = (CheckConstraint("number > 0", name="number_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    published_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))


class NdaAcceptance(db.Model):  # type: ignore[name-defined,misc]
    """Evidence that an organisation accepted one NDA text version: who, when, from where, which text."""

    __tablename__ = "nda_acceptance"
    __table_args__ = (UniqueConstraint("tenancy_id", "nda_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    nda_version_id: Mapped[int] = mapped_column(ForeignKey("nda_text_version.id", ondelete="RESTRICT"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # As typed by the person accepting (escaped when shown).
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_role: Mapped[str] = mapped_column(String(200))
    accepted_at: Mapped[dt.datetime] = mapped_column(default=now)
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[Optional[str]] = mapped_column(String(400))
    text_sha256: Mapped[str] = mapped_column(String(64))
    # The language the terms were read and accepted in ("en" or "cy"; the hash covers both texts, #29).
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    nda_version: Mapped[NdaTextVersion] = relationship()
    tenancy: Mapped[Tenancy] = relationship()


class DocumentDownload(db.Model):  # type: ignore[name-defined,misc]
    """One download of a document: who, for which organisation, when, and the stamped copy's hash."""

    __tablename__ = "document_download"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("diligence_document.id", ondelete="RESTRICT"), index=True)
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("document_access_request.id", ondelete="RESTRICT"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    downloaded_at: Mapped[dt.datetime] = mapped_column(default=now)
    sha256: Mapped[str] = mapped_column(String(64))

    document: Mapped[DiligenceDocument] = relationship()
