"""A job and its items: written in the transaction of the request that asks for the work (a transactional outbox)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.dates import now
from portal.db import enum_values
from portal.extensions import db


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"


class ItemState(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):  # type: ignore[name-defined,misc]
    """Work asked for by one person for one tenancy, in items a worker does one at a time."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_unfinished", "state", "lease_until"),
        CheckConstraint("done >= 0 AND failed >= 0 AND done + failed <= total", name="counts_fit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    tenancy_id: Mapped[Optional[int]] = mapped_column(ForeignKey("tenancy.id", ondelete="CASCADE"), index=True)
    created_by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The asking form's one-time key: a double click or a resubmission makes one job (unique).
    request_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    # What the work needs that is not in its items (for signing: the parties and the text version).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, values_callable=enum_values, native_enum=False, length=16), default=JobState.QUEUED
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    finished_at: Mapped[Optional[dt.datetime]]
    # A worker holds the job until then, renewing it after each item; a killed worker's lease runs out
    # and another worker (or the same one restarted) takes the job over.
    lease_until: Mapped[Optional[dt.datetime]]
    claims: Mapped[int] = mapped_column(default=0)

    items: Mapped[list[JobItem]] = relationship(
        back_populates="job", order_by="JobItem.position", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.state is JobState.FINISHED


class JobItem(db.Model):  # type: ignore[name-defined,misc]
    """One piece of a job (for signing: one academy), done or failed exactly once per run."""

    __tablename__ = "job_item"
    __table_args__ = (UniqueConstraint("job_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    target_id: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    state: Mapped[ItemState] = mapped_column(
        Enum(ItemState, values_callable=enum_values, native_enum=False, length=16), default=ItemState.PENDING
    )
    reason: Mapped[Optional[str]] = mapped_column(Text)
    # What the item made (for signing: the agreement's id), for the result's links.
    result_id: Mapped[Optional[int]]
    finished_at: Mapped[Optional[dt.datetime]]

    job: Mapped[Job] = relationship(back_populates="items")
