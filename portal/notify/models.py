"""The mail outbox: every message the portal sends, written in the transaction that causes it."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """One email to one recipient, delivered by the outbox worker."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_reference", "reference", "status"),
        # Unsubscribing finds the address's mail (to drop what is queued and blank what was sent).
        Index("ix_outbox_message_recipient", "recipient"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[Optional[str]] = mapped_column(Text)
    # Extra headers (List-Unsubscribe and friends), already validated.
    headers: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    # What kind of message and what it is about ("change-notice:12"), for counts per notice.
    category: Mapped[str] = mapped_column(String(40))
    reference: Mapped[Optional[str]] = mapped_column(String(80))
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, values_callable=enum_values, native_enum=False, length=16), default=OutboxStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=now)
    claimed_by: Mapped[Optional[str]] = mapped_column(String(64))
    claimed_at: Mapped[Optional[dt.datetime]]
    sent_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(String(500))
    # A subscriber's mail: the worker adds the personal unsubscribe link and the RFC 8058 headers.
    list_unsubscribe: Mapped[bool] = mapped_column(default=False)


class Subscriber(db.Model):  # type: ignore[name-defined,misc]
    """A member of the public who asked to be emailed before the sub-processor list changes.

    The address is kept only for that purpose: unconfirmed rows are forgotten when their
    token expires, and unsubscribing deletes the row.
    """

    __tablename__ = "subscriber"
    __table_args__ = (
        CheckConstraint("(confirmed_at IS NULL) <> (confirm_token_hash IS NULL)", name="confirmed_or_pending"),
        CheckConstraint("language IN ('en', 'cy')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    # Normalised (email-validator) and lower-cased, so one mailbox is one row.
    address: Mapped[str] = mapped_column(String(320), unique=True)
    # SHA-256 of the single-use confirmation token; cleared once confirmed.
    confirm_token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[Optional[dt.datetime]]
    confirmed_at: Mapped[Optional[dt.datetime]] = mapped_column(index=True)
    # SHA-256 of the unsubscribe token (an HMAC of the address), to find the row from a link.
    unsubscribe_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The language the address subscribed in: its mails are written in it (#29).
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
