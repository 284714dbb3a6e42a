"""Change notices, objections to them, and every dated, attributed step of an objection."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.changes.states import ExitChoice, ObjectionChannel, ObjectionState, StepKind
from portal.dates import now
from portal.db import enum_values
from portal.extensions import db
from portal.web.language import label

if TYPE_CHECKING:
    from portal.tenancy.models import Tenancy


class ChangeKind(enum.StrEnum):
    ADDITION = "addition"
    REPLACEMENT = "replacement"
    REMOVAL = "removal"
    MATERIAL_CHANGE = "material_change"

    @property
    def label(self) -> str:
        return label(_CHANGE_KIND_LABELS[self.value])


# Module-level lazy strings: translated once a language (web.language.label).
_CHANGE_KIND_LABELS = {
    "addition": _l("New sub-processor"),
    "replacement": _l("Replacement sub-processor"),
    "removal": _l("Sub-processor removed"),
    "material_change": _l("Material change to a sub-processor"),
}


class NoticeState(enum.StrEnum):
    ANNOUNCED = "announced"
    WITHDRAWN = "withdrawn"


def _enum(cls: type[enum.Enum], length: int = 24) -> Enum:
    return Enum(cls, values_callable=enum_values, native_enum=False, length=length)


class ChangeNotice(db.Model):  # type: ignore[name-defined,misc]
    """A published notice of an intended change to the register, with its effective UK date."""

    __tablename__ = "change_notice"
    __table_args__ = (
        CheckConstraint("kind <> 'replacement' OR replaces_key IS NOT NULL", name="replacement_names_replaced"),
        CheckConstraint(
            "state <> 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)",
            name="withdrawal_is_dated",
        ),
        Index("ix_change_notice_state_effective", "state", "effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind))
    # The register entry key the change concerns (the new supplier for a replacement).
    entry_key: Mapped[str] = mapped_column(String(60))
    # A replacement: the entry key it replaces.
    replaces_key: Mapped[Optional[str]] = mapped_column(String(60))
    supplier: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[dt.date]
    state: Mapped[NoticeState] = mapped_column(_enum(NoticeState, 16), default=NoticeState.ANNOUNCED)
    published_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    published_by_label: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_at: Mapped[Optional[dt.datetime]]
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ChangeNotice {self.id} {self.kind.value} {self.entry_key} {self.effective_on}>"


class Objection(db.Model):  # type: ignore[name-defined,misc]
    """One tenancy's objection to one change: at most one, however often the form is sent."""

    __tablename__ = "objection"
    __table_args__ = (
        UniqueConstraint("change_id", "tenancy_id"),
        CheckConstraint(
            "state NOT IN ('accommodated', 'not_accommodated') OR "
            "(decision_reason IS NOT NULL AND decision_reason <> '' AND decided_at IS NOT NULL)",
            name="decision_has_reason",
        ),
        CheckConstraint("state <> 'not_accommodated' OR exit_answer_by IS NOT NULL", name="exit_offer_dated"),
        CheckConstraint("exit_choice IS NULL OR state = 'not_accommodated'", name="exit_choice_after_offer"),
        CheckConstraint(
            "channel = 'portal' OR (received_on IS NOT NULL AND sender IS NOT NULL)", name="written_is_dated"
        ),
        Index("ix_objection_state_lodged", "state", "lodged_at"),
        # The vendor's queue, unfiltered, oldest first: its first page is read from this index
        # instead of joining and sorting every objection (500 on the day of a contested change).
        Index("ix_objection_lodged", "lodged_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("change_notice.id", ondelete="CASCADE"), index=True)
    tenancy_id: Mapped[int] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    state: Mapped[ObjectionState] = mapped_column(_enum(ObjectionState), default=ObjectionState.LODGED)
    grounds: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[dt.datetime] = mapped_column(default=now)
    lodged_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[Optional[dt.datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    # Not accommodated: the UK date by which the school must answer the exit offer.
    exit_answer_by: Mapped[Optional[dt.date]]
    # The school's answer to the exit offer (#21): accepted, exit taken, or the deadline passed.
    exit_choice: Mapped[Optional[ExitChoice]] = mapped_column(_enum(ExitChoice, 20))
    exit_chosen_at: Mapped[Optional[dt.datetime]]
    exit_chosen_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # How it arrived; for email or letter (recorded by staff) the UK date received and who sent it.
    channel: Mapped[ObjectionChannel] = mapped_column(_enum(ObjectionChannel, 12), default=ObjectionChannel.PORTAL)
    received_on: Mapped[Optional[dt.date]]
    sender: Mapped[Optional[str]] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    change: Mapped[ChangeNotice] = relationship()
    tenancy: Mapped[Tenancy] = relationship()
    steps: Mapped[list[ObjectionStep]] = relationship(
        back_populates="objection", cascade="all, delete-orphan", order_by="(ObjectionStep.at, ObjectionStep.id)"
    )

    @property
    def is_open(self) -> bool:
        return self.state in (ObjectionState.LODGED, ObjectionState.ACKNOWLEDGED)


class ObjectionStep(db.Model):  # type: ignore[name-defined,misc]
    """One step of an objection: what happened, when, by whom, and the note given."""

    __tablename__ = "objection_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id", ondelete="CASCADE"), index=True)
    step: Mapped[StepKind] = mapped_column(_enum(StepKind))
    at: Mapped[dt.datetime] = mapped_column(default=now)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    # The actor's name as it was: a step keeps its author even if the account is renamed.
    actor_label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")

    objection: Mapped[Objection] = relationship(back_populates="steps")
