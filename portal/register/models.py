"""The sub-processor register: versions, entries, "not a sub-processor" statements, tenancy options."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Optional

from flask_babel import gettext as _
from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db

if TYPE_CHECKING:
    from portal.register.facts import EntryFacts


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class EntryKind(enum.StrEnum):
    """Data sub-processors are in the path of personal data; platform utilities support the service."""

    DATA_SUBPROCESSOR = "data_subprocessor"
    PLATFORM_UTILITY = "platform_utility"

    @property
    def label(self) -> str:
        return str(
            {"data_subprocessor": _("Data sub-processor"), "platform_utility": _("Platform utility")}[self.value]
        )


class EntryStatus(enum.StrEnum):
    ACTIVE = "active"
    ACTIVE_TEMPORARY = "active_temporary"
    CONDITIONAL = "conditional"
    PLANNED = "planned"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return str(
            {
                "active": _("Active"),
                "active_temporary": _("Active (temporary)"),
                "conditional": _("Conditional"),
                "planned": _("Planned"),
                "retired": _("Retired"),
            }[self.value]
        )


def _enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=length)


class RegisterVersion(db.Model):  # type: ignore[name-defined,misc]
    """One version of the register: a draft being edited, or a published version that never changes."""

    __tablename__ = "register_version"
    __table_args__ = (
        # At most one draft at a time: parallel drafts would publish over each other.
        Index(
            "uq_register_version_one_draft",
            "status",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
        CheckConstraint(
            "status <> 'published' OR (published_at IS NOT NULL AND reviewed_on IS NOT NULL)",
            name="published_is_dated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Order of versions; the published version with the highest sequence is current.
    sequence: Mapped[int] = mapped_column(unique=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus, 16), default=VersionStatus.DRAFT)
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    reviewed_on: Mapped[Optional[dt.date]]
    next_review_on: Mapped[Optional[dt.date]]
    summary: Mapped[str] = mapped_column(Text, default="")
    # General notes shown under the tables (what the register covers, what it does not).
    notes: Mapped[str] = mapped_column(Text, default="")
    # Welsh beside the English (#29): None until the vendor writes it; pages fall back to the English.
    summary_cy: Mapped[Optional[str]] = mapped_column(Text)
    notes_cy: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[Optional[dt.datetime]]
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # Set on publishing: whether any entry changed materially since the previous version, and the
    # number of the latest version that did (this one, or an earlier one when only wording changed).
    material: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    material_since: Mapped[str] = mapped_column(String(16), default="", server_default="")

    entries: Mapped[list[RegisterEntry]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="(RegisterEntry.position, RegisterEntry.id)"
    )
    statements: Mapped[list[NotSubProcessor]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="(NotSubProcessor.position, NotSubProcessor.id)",
    )

    @property
    def is_published(self) -> bool:
        return self.status is VersionStatus.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status is VersionStatus.DRAFT

    def __repr__(self) -> str:
        return f"<RegisterVersion {self.number} {self.status.value}>"


# The free-text fields of an entry, in the order the register shows them (forms, JSON and annexes share it).
ENTRY_TEXT_FIELDS = (
    "supplier",
    "parent_entity",
    "services_used",
    "purpose",
    "data_categories",
    "location",
    "residency_note",
    "certifications",
    "dpa_reference",
    "privacy_contact",
    "risk_note",
)

# The free text schools read that the vendor may also write in Welsh (#29): the English field and
# its Welsh column. Names, URLs, references and contacts stay as written.
ENTRY_WELSH_FIELDS = {
    "services_used": "services_used_cy",
    "purpose": "purpose_cy",
    "data_categories": "data_categories_cy",
    "location": "location_cy",
    "residency_note": "residency_note_cy",
    "risk_note": "risk_note_cy",
}


class RegisterEntry(db.Model):  # type: ignore[name-defined,misc]
    """One supplier in one version. `key` names the same supplier across versions."""

    __tablename__ = "register_entry"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        CheckConstraint(
            "status <> 'conditional' OR (condition_service IS NOT NULL AND condition_service <> '')",
            name="conditional_names_service",
        ),
        CheckConstraint("status <> 'planned' OR effective_on IS NOT NULL", name="planned_has_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("register_version.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    parent_entity: Mapped[str] = mapped_column(String(200), default="")
    services_used: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    data_categories: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    residency_note: Mapped[str] = mapped_column(Text, default="")
    certifications: Mapped[str] = mapped_column(String(400), default="")
    dpa_reference: Mapped[str] = mapped_column(String(400), default="")
    privacy_contact: Mapped[str] = mapped_column(String(320), default="")
    risk_note: Mapped[str] = mapped_column(Text, default="")
    services_used_cy: Mapped[Optional[str]] = mapped_column(Text)
    purpose_cy: Mapped[Optional[str]] = mapped_column(Text)
    data_categories_cy: Mapped[Optional[str]] = mapped_column(Text)
    location_cy: Mapped[Optional[str]] = mapped_column(String(200))
    residency_note_cy: Mapped[Optional[str]] = mapped_column(Text)
    risk_note_cy: Mapped[Optional[str]] = mapped_column(Text)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
    status: Mapped[EntryStatus] = mapped_column(_enum(EntryStatus))
    # The service a conditional entry depends on ("voice input").
    condition_service: Mapped[Optional[str]] = mapped_column(String(200))
    # A planned entry: the UK date it takes effect. Any entry: the UK date it is to be removed.
    effective_on: Mapped[Optional[dt.date]]
    retires_on: Mapped[Optional[dt.date]]
    # Set on publishing: the UK date since which this supplier has had this status, unbroken.
    listed_since: Mapped[Optional[dt.date]]
    position: Mapped[int] = mapped_column(default=0)
    # The controlled facts (register/facts.py), as one JSON document: read them through `facts`.
    facts_data: Mapped[dict[str, Any]] = mapped_column("facts", JSON, default=dict, server_default="{}")

    version: Mapped[RegisterVersion] = relationship(back_populates="entries")

    @property
    def facts(self) -> EntryFacts:
        from portal.register.facts import EntryFacts

        return EntryFacts.from_json(self.facts_data)

    def __repr__(self) -> str:
        return f"<RegisterEntry {self.key} {self.status.value}>"


class NotSubProcessor(db.Model):  # type: ignore[name-defined,misc]
    """A statement that a supplier is NOT a sub-processor, and why (the marketing-site CDN)."""

    __tablename__ = "not_sub_processor"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("register_version.id", ondelete="CASCADE"), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    reason_cy: Mapped[Optional[str]] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    version: Mapped[RegisterVersion] = relationship(back_populates="statements")


class TenancyOption(db.Model):  # type: ignore[name-defined,misc]
    """A switch a tenancy may set. The entries it governs are in only while it is on."""

    __tablename__ = "tenancy_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    name_cy: Mapped[Optional[str]] = mapped_column(String(200))
    description_cy: Mapped[Optional[str]] = mapped_column(Text)
    default_enabled: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    governed: Mapped[list[TenancyOptionEntry]] = relationship(
        back_populates="option", cascade="all, delete-orphan", order_by="TenancyOptionEntry.entry_key"
    )

    @property
    def entry_keys(self) -> list[str]:
        return [row.entry_key for row in self.governed]


class TenancyOptionEntry(db.Model):  # type: ignore[name-defined,misc]
    """An entry key governed by an option. One option per entry, so "why" has one answer."""

    __tablename__ = "tenancy_option_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("tenancy_option.id", ondelete="CASCADE"), index=True)
    entry_key: Mapped[str] = mapped_column(String(60), unique=True)

    option: Mapped[TenancyOption] = relationship(back_populates="governed")


class TenancyOptionSetting(db.Model):  # type: ignore[name-defined,misc]
    """A tenancy's own value of an option; absent means the option's default."""

    __tablename__ = "tenancy_option_setting"
    __table_args__ = (
        UniqueConstraint("tenancy_id", "option_id"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("tenancy_option.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool]
    # Optimistic locking: a change names the version it saw; 0 means "no setting yet".
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now)
    # When the vendor's platform confirmed it applied this version (#27); None: requested, not yet applied.
    applied_at: Mapped[Optional[dt.datetime]]

    option: Mapped[TenancyOption] = relationship()


class TenancyExclusion(db.Model):  # type: ignore[name-defined,misc]
    """An entry kept out of one tenancy's effective set because its objection was accommodated.

    Written by the objections capability; the register only reads it.
    """

    __tablename__ = "tenancy_exclusion"
    __table_args__ = (UniqueConstraint("tenancy_id", "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    entry_key: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text, default="")
    # No foreign key: objections belong to the changes capability.
    objection_id: Mapped[Optional[int]]
    since: Mapped[dt.datetime] = mapped_column(default=now)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # When the vendor's platform confirmed it stopped using the supplier for this tenancy (#27).
    applied_at: Mapped[Optional[dt.datetime]]
