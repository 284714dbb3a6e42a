"""Incidents (personal data breaches at the vendor or a supplier), the tenancies each concerns, and its timeline."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import stored_enum
from portal.extensions import db
from portal.incidents.states import EntryKind, IncidentState

if TYPE_CHECKING:
    from portal.tenancy.models import Tenancy

# Art. 33(3)'s four contents, each either known (its text) or "not yet known" with a reason.
ART33_FIELDS = ("nature", "consequences", "measures", "contact")


def _stated(field: str) -> str:
    return f"({field} <> '' OR {field}_unknown_reason <> '')"


class Incident(db.Model):  # type: ignore[name-defined,misc]
    """One incident: when the vendor became aware (the 72-hour clock), what, where, when, and what is known."""

    __tablename__ = "incident"
    __table_args__ = (
        # No notice leaves without Art. 33(3)'s contents, each stated or said to be not yet known.
        CheckConstraint(
            "state NOT IN ('notified', 'closed') OR (" + " AND ".join(_stated(f) for f in ART33_FIELDS) + ")",
            name="notice_has_art33_contents",
        ),
        CheckConstraint("state <> 'notified' OR notified_at IS NOT NULL", name="notified_is_dated"),
        CheckConstraint("state <> 'closed' OR (closed_at IS NOT NULL AND outcome <> '')", name="closed_has_outcome"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        Index("ix_incident_state_aware", "state", "aware_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[IncidentState] = mapped_column(stored_enum(IncidentState, 16), default=IncidentState.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    # When the vendor became aware: the 72-hour clock of Art. 33 starts here.
    aware_at: Mapped[dt.datetime]
    what_happened: Mapped[str] = mapped_column(Text, default="")
    # Register entry keys of the suppliers involved (empty: the vendor's own systems).
    entry_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[str] = mapped_column(Text, default="")
    data_categories: Mapped[str] = mapped_column(Text, default="")
    # The UK dates the incident concerns (inclusive).
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    nature: Mapped[str] = mapped_column(Text, default="")
    nature_unknown_reason: Mapped[str] = mapped_column(Text, default="")
    consequences: Mapped[str] = mapped_column(Text, default="")
    consequences_unknown_reason: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    measures_unknown_reason: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")
    contact_unknown_reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    # A school's report: the tenancy that reported it (the vendor's awareness starts at the report).
    reported_by_tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id"), index=True)
    opened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    notified_at: Mapped[Optional[dt.datetime]]
    notified_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[Optional[dt.datetime]]

    reported_by: Mapped[Optional[Tenancy]] = relationship()
    entries: Mapped[list[IncidentEntry]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="(IncidentEntry.at, IncidentEntry.id)"
    )

    @property
    def public_entries(self) -> list[IncidentEntry]:
        """The timeline a school sees: what was mailed to it, its own report, and a dismissal."""
        return [e for e in self.entries if e.mailed or e.kind in (EntryKind.REPORTED, EntryKind.DISMISSED)]

    def stated(self, field: str) -> bool:
        """Whether one Art. 33(3) content is given, or said to be not yet known with a reason."""
        return bool(getattr(self, field).strip() or getattr(self, f"{field}_unknown_reason").strip())


class AffectedSource(enum.StrEnum):
    COMPUTED = "computed"
    ADDED = "added"


class IncidentTenancy(db.Model):  # type: ignore[name-defined,misc]
    """One tenancy an incident concerns (or was taken off the list, with the reason), and its acknowledgement."""

    __tablename__ = "incident_tenancy"
    __table_args__ = (
        UniqueConstraint("incident_id", "tenancy_id"),
        CheckConstraint("source <> 'added' OR reason <> ''", name="added_has_reason"),
        CheckConstraint("included OR reason <> ''", name="removed_has_reason"),
        CheckConstraint("acknowledged_at IS NULL OR acknowledged_by_label <> ''", name="acknowledgement_named"),
        Index("ix_incident_tenancy_listed", "incident_id", "included", "tenancy_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    source: Mapped[AffectedSource] = mapped_column(stored_enum(AffectedSource, 16), default=AffectedSource.COMPUTED)
    included: Mapped[bool] = mapped_column(default=True)
    # Why staff added or removed it (empty for a computed row left as computed).
    reason: Mapped[str] = mapped_column(Text, default="")
    # What of the school's effective set the incident touched, as decided when computed.
    concerns: Mapped[str] = mapped_column(Text, default="")
    changed_by_label: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[dt.datetime] = mapped_column(default=now)
    acknowledged_at: Mapped[Optional[dt.datetime]]
    acknowledged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_by_label: Mapped[str] = mapped_column(String(200), default="")
    reminded_at: Mapped[Optional[dt.datetime]]

    incident: Mapped[Incident] = relationship()
    tenancy: Mapped[Tenancy] = relationship()


class IncidentEntry(db.Model):  # type: ignore[name-defined,misc]
    """One dated entry in an incident's timeline: opened, first notice, each update, closing."""

    __tablename__ = "incident_entry"
    # An update's one-time key: the same form sent twice (a double click) posts and mails once.
    __table_args__ = (UniqueConstraint("incident_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EntryKind] = mapped_column(stored_enum(EntryKind, 16))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    # Whether this entry went to the affected schools by mail (drafts' entries do not).
    mailed: Mapped[bool] = mapped_column(default=False)
    submission_key: Mapped[Optional[str]] = mapped_column(String(64))

    incident: Mapped[Incident] = relationship(back_populates="entries")
