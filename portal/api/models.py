"""Service tokens: how the vendor's platform authenticates to /api/v1/. Only a hash is kept."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.dates import now
from portal.extensions import db


class TokenScope(enum.StrEnum):
    """What a token may do: read options and sets, or also confirm what the platform applied."""

    READ = "read"
    CONFIRM = "confirm"


class ServiceToken(db.Model):  # type: ignore[name-defined,misc]
    """A bearer token a vendor admin created; the secret itself is shown once and never stored."""

    __tablename__ = "service_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the whole token, hex: the token has 256 random bits, so no salt or slow hash is needed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, to tell tokens apart on the page (not enough to use one).
    prefix: Mapped[str] = mapped_column(String(16))
    # Space-separated TokenScope values.
    scopes: Mapped[str] = mapped_column(String(60))
    # The create form's one-time key: a double click or Back and resend makes one token.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_used_at: Mapped[Optional[dt.datetime]]
    revoked_at: Mapped[Optional[dt.datetime]]
    revoked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    @property
    def scope_set(self) -> frozenset[TokenScope]:
        return frozenset(TokenScope(value) for value in self.scopes.split())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
