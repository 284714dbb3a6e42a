"""Webhook endpoints, the durable outbox of messages to them, and the log of every delivery attempt."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db
from portal.tenancy.models import Tenancy


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(db.Model):  # type: ignore[name-defined,misc]
    """A URL of the vendor's platform that receives events, with its signing secret.

    The secret must be kept to sign (it is an HMAC key, not a password), so it is stored; the
    console shows it once, when made or rotated. After a rotation the previous secret also signs
    until `previous_secret_until`, so the platform can change its copy without missing a message.
    """

    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(100))
    # Only the events that concern this school or trust (and those that concern every tenancy,
    # such as a published register version); none means every tenancy's events.
    tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    # Space-separated event types this endpoint receives.
    events: Mapped[str] = mapped_column(String(400))
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[Optional[str]] = mapped_column(String(100))
    previous_secret_until: Mapped[Optional[dt.datetime]]
    # The console form's one-time key: a double click registers one endpoint.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    disabled_at: Mapped[Optional[dt.datetime]]

    tenancy: Mapped[Optional[Tenancy]] = relationship()

    @property
    def event_set(self) -> frozenset[str]:
        return frozenset(self.events.split())

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class WebhookMessage(db.Model):  # type: ignore[name-defined,misc]
    """One event for one endpoint, written in the transaction of the change it tells of.

    `body` is the exact JSON sent, and `msg_id` the `webhook-id` header: both stay the same on
    every retry, so a receiver that saw an attempt whose answer was lost can drop the repeat.
    """

    __tablename__ = "webhook_message"
    __table_args__ = (
        Index("ix_webhook_message_due", "status", "next_attempt_at"),
        Index("ix_webhook_message_endpoint", "endpoint_id", "id"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, values_callable=enum_values, native_enum=False, length=16), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=now)
    claimed_by: Mapped[Optional[str]] = mapped_column(String(64))
    claimed_at: Mapped[Optional[dt.datetime]]
    delivered_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(String(500))

    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(db.Model):  # type: ignore[name-defined,misc]
    """One delivery attempt of a message: when, the receiver's HTTP status or the error, how long."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("webhook_message.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=now)
    status_code: Mapped[Optional[int]]
    error: Mapped[Optional[str]] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(default=0)
