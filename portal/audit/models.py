"""The audit log: one append-only row per security-relevant event."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import JSON, Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what, to what, where, when and with what outcome. Never updated; deleted only by retention."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_tenancy_time", "tenancy_id", "occurred_at"),
        Index("ix_audit_event_actor_time", "actor_id", "occurred_at"),
        Index("ix_audit_event_action_time", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    # No foreign keys: an audit row outlives what it names and is never rewritten.
    actor_id: Mapped[Optional[int]]
    actor_label: Mapped[str] = mapped_column(String(200), default="anonymous")
    tenancy_id: Mapped[Optional[int]]
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[Optional[str]] = mapped_column(String(60))
    object_id: Mapped[Optional[str]] = mapped_column(String(80))
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, values_callable=enum_values, native_enum=False, length=16))
    reason: Mapped[Optional[str]] = mapped_column(String(500))
    ip: Mapped[Optional[str]] = mapped_column(String(64))
    user_agent: Mapped[Optional[str]] = mapped_column(String(400))
    request_id: Mapped[Optional[str]] = mapped_column(String(64))
    details: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
