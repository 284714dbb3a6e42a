"""Tenancies (schools and trusts), their directories, members and invitations."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import TimestampMixin, enum_values
from portal.extensions import db

if TYPE_CHECKING:
    from portal.auth.models import User


class TenancyKind(enum.StrEnum):
    SCHOOL = "school"
    TRUST = "trust"


class Role(enum.StrEnum):
    """A member's role in a tenancy. Vendor roles live on the user (see User.vendor_role)."""

    VIEWER = "viewer"
    DATA_LEAD = "data_lead"
    TRUST_ADMIN = "trust_admin"

    @property
    def label(self) -> str:
        return str({"viewer": _("Viewer"), "data_lead": _("Data lead"), "trust_admin": _("Trust admin")}[self.value])


class DirectoryProvider(enum.StrEnum):
    MICROSOFT = "microsoft"
    GOOGLE = "google"


class Tenancy(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A controller customer: a school (by URN) or a multi-academy trust (by group id)."""

    __tablename__ = "tenancy"
    __table_args__ = (
        CheckConstraint("kind <> 'school' OR urn IS NOT NULL", name="school_has_urn"),
        CheckConstraint("kind <> 'trust' OR group_uid IS NOT NULL", name="trust_has_group_uid"),
        CheckConstraint("kind <> 'trust' OR trust_id IS NULL", name="trust_not_nested"),
        CheckConstraint("language IN ('en', 'cy')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TenancyKind] = mapped_column(
        Enum(TenancyKind, values_callable=enum_values, native_enum=False, length=16)
    )
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Schools: the DfE unique reference number, local authority and phase.
    urn: Mapped[Optional[str]] = mapped_column(String(6), unique=True)
    local_authority: Mapped[Optional[str]] = mapped_column(String(120))
    phase: Mapped[Optional[str]] = mapped_column(String(60))
    establishment_type: Mapped[Optional[str]] = mapped_column(String(120))
    # Trusts: the GIAS group UID and the Companies House number.
    group_uid: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    companies_house_number: Mapped[Optional[str]] = mapped_column(String(8))
    # An academy belongs to its trust; the trust is then its controller.
    trust_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id"), index=True)
    auto_join_enabled: Mapped[bool] = mapped_column(default=False)
    # A trust whose own central staff use the service is a controller in its own right and signs for itself.
    central_staff_use_service: Mapped[bool] = mapped_column(default=False)
    # The language its mails and documents use for anyone who has not chosen one ("en" or "cy", #29).
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")

    trust: Mapped[Optional[Tenancy]] = relationship(remote_side=[id], back_populates="academies")
    academies: Mapped[list[Tenancy]] = relationship(back_populates="trust", order_by="Tenancy.name")
    directories: Mapped[list[TenancyDirectory]] = relationship(
        back_populates="tenancy", cascade="all, delete-orphan", order_by="TenancyDirectory.id"
    )

    @property
    def is_trust(self) -> bool:
        return self.kind is TenancyKind.TRUST

    @property
    def reference(self) -> str:
        """How the DfE and Companies House know it: URN for a school, group id for a trust."""
        if self.is_trust:
            return f"Group {self.group_uid}" + (
                f", Companies House {self.companies_house_number}" if self.companies_house_number else ""
            )
        return f"URN {self.urn}"

    @property
    def display_reference(self) -> str:
        """`reference` in the reader's language, for pages and mail (the stored records keep `reference`)."""
        if self.is_trust:
            if self.companies_house_number:
                return str(
                    _(
                        "Group %(group)s, Companies House %(number)s",
                        group=self.group_uid,
                        number=self.companies_house_number,
                    )
                )
            return str(_("Group %(group)s", group=self.group_uid))
        return str(_("URN %(urn)s", urn=self.urn))

    def __repr__(self) -> str:
        return f"<Tenancy {self.slug}>"


class TenancyDirectory(db.Model):  # type: ignore[name-defined,misc]
    """A Microsoft Entra directory (tenant id) or Google Workspace domain bound to one tenancy."""

    __tablename__ = "tenancy_directory"
    __table_args__ = (UniqueConstraint("provider", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    provider: Mapped[DirectoryProvider] = mapped_column(
        Enum(DirectoryProvider, values_callable=enum_values, native_enum=False, length=16)
    )
    # A lower-case GUID for Microsoft, a lower-case domain for Google.
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    tenancy: Mapped[Tenancy] = relationship(back_populates="directories")


class Membership(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """A user's role in one tenancy."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "tenancy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, values_callable=enum_values, native_enum=False, length=16))

    user: Mapped[User] = relationship(back_populates="memberships")
    tenancy: Mapped[Tenancy] = relationship()


class Invitation(TimestampMixin, db.Model):  # type: ignore[name-defined,misc]
    """An invitation to join a tenancy, bound on first sign-in to an identity from its directory."""

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_token_hash", "token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(Enum(Role, values_callable=enum_values, native_enum=False, length=16))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime]
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[Optional[dt.datetime]]
    accepted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[Optional[dt.datetime]]

    tenancy: Mapped[Tenancy] = relationship()
