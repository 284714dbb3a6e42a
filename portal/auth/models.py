"""Users and the identities (provider subjects) they sign in with."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import TimestampMixin, enum_values
from portal.extensions import db

if TYPE_CHECKING:
    from portal.tenancy.models import Membership


class VendorRole(enum.StrEnum):
    STAFF = "vendor_staff"
    ADMIN = "vendor_admin"

    @property
    def label(self) -> str:
        return str(gettext("Vendor staff") if self is VendorRole.STAFF else gettext("Vendor admin"))


class User(UserMixin, TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person. Found only through an Identity, never by email."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("language IS NULL OR language IN ('en', 'cy')", name="language_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # For contact only (invitations, notices); never used to find or link an account.
    email: Mapped[Optional[str]] = mapped_column(String(320))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    # Bumped to end every session at once (sign out everywhere, removal, disabling, revocation).
    session_version: Mapped[int] = mapped_column(default=1)
    vendor_role: Mapped[Optional[VendorRole]] = mapped_column(
        Enum(VendorRole, values_callable=enum_values, native_enum=False, length=16)
    )
    last_sign_in_at: Mapped[Optional[dt.datetime]]
    # The language the person chose ("en" or "cy", #29); none until they choose one.
    language: Mapped[Optional[str]] = mapped_column(String(2))

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")
    identities: Mapped[list[Identity]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return not self.is_disabled

    @property
    def is_vendor(self) -> bool:
        return self.vendor_role is not None

    def get_id(self) -> str:
        # The session version travels with the id, so a bump invalidates old cookies.
        return f"{self.id}:{self.session_version}"


class Identity(db.Model):  # type: ignore[name-defined,misc]
    """A provider's stable subject: Entra tid+oid, or Google iss+sub."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("provider", "issuer_key", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    # Entra: the directory tid. Google: the normalised issuer.
    issuer_key: Mapped[str] = mapped_column(String(255))
    # Entra: the object id (oid). Google: sub.
    subject: Mapped[str] = mapped_column(String(255))
    # Entra: tid; Google: the hosted domain (hd). Where the identity came from, for binding checks.
    directory: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_used_at: Mapped[Optional[dt.datetime]]

    user: Mapped[User] = relationship(back_populates="identities")


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """One signed-in session, on the server: sign-out deletes it, so a copied cookie dies with it.

    The cookie carries a random token; only its SHA-256 is kept here, so a copy of this table
    opens no session. The user loader reads this row in the same statement as the user.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
