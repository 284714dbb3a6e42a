"""Exit cases: the request, the export, the end of service, deletion at each place, and the certificate."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.exits.states import ExitState, ExitStepKind
from portal.extensions import db

if TYPE_CHECKING:
    from portal.tenancy.models import Tenancy


def _enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=length)


_OPEN = "state IN ('requested', 'export_delivered', 'service_ended')"


class ExitCase(db.Model):  # type: ignore[name-defined,misc]
    """One tenancy's exit: its deadlines come from the text version of the agreement it signed."""

    __tablename__ = "exit_case"
    __table_args__ = (
        # One open exit per tenancy, however often the form is sent.
        Index(
            "uq_exit_case_one_open",
            "tenancy_id",
            unique=True,
            sqlite_where=text(_OPEN),
            postgresql_where=text(_OPEN),
        ),
        CheckConstraint(
            "state <> 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawn_reason <> '')", name="withdrawal_dated"
        ),
        CheckConstraint(
            "state NOT IN ('service_ended', 'deletion_confirmed') "
            "OR (service_ended_on IS NOT NULL AND deletion_due_on IS NOT NULL)",
            name="end_dated",
        ),
        CheckConstraint("state <> 'deletion_confirmed' OR deletion_confirmed_at IS NOT NULL", name="deletion_dated"),
        CheckConstraint("export_days >= 0 AND deletion_days >= 0", name="days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    state: Mapped[ExitState] = mapped_column(_enum(ExitState), default=ExitState.REQUESTED)
    reason: Mapped[str] = mapped_column(Text)
    requested_end_on: Mapped[dt.date]
    # A not-accommodated objection whose exit offer the school took (no foreign key: the changes capability's).
    objection_id: Mapped[Optional[int]]
    opened_at: Mapped[dt.datetime] = mapped_column(default=now)
    opened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    opened_by_label: Mapped[str] = mapped_column(String(200), default="")
    # The agreement it ends and the terms copied from its text version when the exit opened.
    agreement_id: Mapped[Optional[int]] = mapped_column(ForeignKey("agreement.id", ondelete="RESTRICT"))
    text_version_number: Mapped[Optional[int]]
    export_days: Mapped[int]
    deletion_days: Mapped[int]
    export_formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    export_due_on: Mapped[dt.date]
    # When staff recorded the delivery, and the UK date they say it was delivered.
    export_delivered_at: Mapped[Optional[dt.datetime]]
    export_delivered_on: Mapped[Optional[dt.date]]
    export_method: Mapped[str] = mapped_column(Text, default="")
    export_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    service_ended_on: Mapped[Optional[dt.date]]
    deletion_due_on: Mapped[Optional[dt.date]]
    deletion_confirmed_at: Mapped[Optional[dt.datetime]]
    withdrawn_at: Mapped[Optional[dt.datetime]]
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")

    tenancy: Mapped[Tenancy] = relationship()
    deletions: Mapped[list[ExitDeletion]] = relationship(
        back_populates="exit_case", cascade="all, delete-orphan", order_by="ExitDeletion.position"
    )
    steps: Mapped[list[ExitStep]] = relationship(
        back_populates="exit_case", cascade="all, delete-orphan", order_by="(ExitStep.at, ExitStep.id)"
    )

    @property
    def is_open(self) -> bool:
        return self.state in (ExitState.REQUESTED, ExitState.EXPORT_DELIVERED, ExitState.SERVICE_ENDED)

    @property
    def wants_export(self) -> bool:
        return bool(self.export_formats)


class ExitDeletion(db.Model):  # type: ignore[name-defined,misc]
    """Deletion at one place: the vendor's own platform, or one sub-processor of the school's effective set."""

    __tablename__ = "exit_deletion"
    __table_args__ = (CheckConstraint("confirmed_on IS NULL OR confirmed_by_label <> ''", name="confirmation_named"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(ForeignKey("exit_case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # The register entry key; empty for the vendor's own platform.
    entry_key: Mapped[str] = mapped_column(String(60), default="")
    supplier: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text, default="")
    confirmed_on: Mapped[Optional[dt.date]]
    confirmed_by_label: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    exit_case: Mapped[ExitCase] = relationship(back_populates="deletions")


class ExitStep(db.Model):  # type: ignore[name-defined,misc]
    """One dated, attributed step of an exit."""

    __tablename__ = "exit_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(ForeignKey("exit_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ExitStepKind] = mapped_column(_enum(ExitStepKind))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

    exit_case: Mapped[ExitCase] = relationship(back_populates="steps")


class DeletionCertificate(db.Model):  # type: ignore[name-defined,misc]
    """The sealed certificate that deletion is complete: stored once as bytes with its SHA-256."""

    __tablename__ = "deletion_certificate"
    __table_args__ = (
        Index("ix_deletion_certificate_sha256", "sha256", unique=True),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(ForeignKey("exit_case.id", ondelete="RESTRICT"), unique=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="RESTRICT"), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=now)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    exit_case: Mapped[ExitCase] = relationship()
    tenancy: Mapped[Tenancy] = relationship()

    @property
    def reference(self) -> str:
        return f"DEL-{self.exit_id}"

    @property
    def verify_explanation(self) -> str:
        from flask_babel import gettext

        return str(
            gettext(
                "This is a genuine deletion certificate issued by this portal, unaltered. "
                "It is a certificate that data was deleted, not an agreement."
            )
        )
