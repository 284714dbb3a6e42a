"""Jobs: asked for in a request's transaction, claimed by one worker at a time, run item by item.

Exactly once: the job's row and items are written in the transaction that asks for the work, so a
crash before the commit leaves nothing and one after it leaves a job a worker will find (the queue
hears of it after the commit; the sweep finds any it did not). A worker claims a job with a
compare-and-set on its lease, renews the lease with each item, and commits each item's result in
the same transaction as the item's own writes: killed at any moment, an item is either wholly done
or not at all, and the next claim resumes with the items still pending. Each kind's handler also
makes its work idempotent (signing stores a key under a unique constraint), so even two workers
racing past an expired lease cannot do an item twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import dates, transactions
from portal.audit import service as audit
from portal.extensions import db
from portal.jobs.models import ItemState, Job, JobItem, JobState

log = logging.getLogger(__name__)

BUSY_ATTEMPTS = 3


class JobItemFailed(Exception):
    """An item could not be done, for a reason the person who asked should read."""


class JobError(Exception):
    """A job cannot be asked for or changed as requested; the message says why."""


# One handler per kind: does one item in the open transaction (flush, never commit) and returns the id
# of what it made. Registered by the capability that owns the kind (documents for trust signing).
Handler = Callable[[Job, JobItem], int | None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does one item of a kind of job."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


@dataclass(frozen=True)
class Target:
    """One item to ask for: what it is about and how to name it on the status page."""

    id: int
    label: str


def create_job(
    kind: str,
    *,
    tenancy_id: int | None,
    actor: Any,
    targets: Sequence[Target],
    params: dict[str, Any],
    request_key: str | None = None,
) -> Job:
    """Ask for a job in the caller's transaction; the same request key returns the job it made first."""
    if not targets:
        raise JobError(_("There is nothing to do"))
    if request_key is not None and (earlier := _job_with_key(request_key)) is not None:
        return earlier
    job = Job(
        kind=kind,
        tenancy_id=tenancy_id,
        created_by_user_id=getattr(actor, "id", None) or getattr(actor, "user_id", None),
        request_key=request_key,
        params=params,
        total=len(targets),
        items=[JobItem(position=n, target_id=t.id, label=t.label[:200]) for n, t in enumerate(targets)],
    )
    try:
        with db.session.begin_nested():
            db.session.add(job)
    except IntegrityError:
        # The same form submitted twice at once: the unique key, not a check, decides.
        found = _job_with_key(request_key) if request_key is not None else None
        if found is None:
            raise
        return found
    _audit("job.created", job, actor, {"kind": kind, "items": len(targets)})
    return job


def _job_with_key(request_key: str) -> Job | None:
    found: Job | None = db.session.scalar(select(Job).where(Job.request_key == request_key))
    return found


def retry_failed(job: Job, *, actor: Any) -> int:
    """Put a finished job's failed items back in the queue (compare-and-set: a second press does nothing)."""
    reopened = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == JobState.FINISHED, Job.failed > 0)
        .values(state=JobState.QUEUED, failed=0, finished_at=None, lease_until=None)
    ).rowcount  # type: ignore[attr-defined]
    if not reopened:
        return 0
    count = db.session.execute(
        update(JobItem)
        .where(JobItem.job_id == job.id, JobItem.state == ItemState.FAILED)
        .values(state=ItemState.PENDING, reason=None, finished_at=None)
    ).rowcount  # type: ignore[attr-defined]
    db.session.expire(job)
    _audit("job.retried", job, actor, {"items": count})
    return int(count)


def claim(job_id: int, lease: dt.timedelta) -> Job | None:
    """Take the job for this worker until the lease runs out, if nobody holds it; commits."""
    now = dates.now()
    taken = db.session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            Job.state != JobState.FINISHED,
            or_(Job.lease_until.is_(None), Job.lease_until < now),
        )
        .values(state=JobState.RUNNING, lease_until=now + lease, claims=Job.claims + 1)
    ).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return db.session.get(Job, job_id) if taken else None


def run_job(job_id: int) -> str:
    """Do a job's pending items one by one, each committed with its result; what happened, for the log."""
    lease = dt.timedelta(seconds=float(current_app.config["JOBS_LEASE_SECONDS"]))
    job = claim(job_id, lease)
    if job is None:
        db.session.rollback()
        return "held by another worker or finished"
    do_item = HANDLERS[job.kind]
    pending = db.session.scalars(
        select(JobItem.id)
        .where(JobItem.job_id == job.id, JobItem.state == ItemState.PENDING)
        .order_by(JobItem.position)
    ).all()
    db.session.commit()
    for item_id in pending:
        _run_item(job_id, item_id, do_item, lease)
    job = db.session.get(Job, job_id)
    assert job is not None
    job.state, job.finished_at, job.lease_until = JobState.FINISHED, dates.now(), None
    _audit("job.finished", job, audit.Actor.system("jobs"), {"done": job.done, "failed": job.failed})
    db.session.commit()
    return f"{job.done} done, {job.failed} failed"


def _run_item(job_id: int, item_id: int, do_item: Handler, lease: dt.timedelta) -> None:
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            _attempt_item(job_id, item_id, do_item, lease)
            return
        except Exception as error:
            db.session.rollback()
            if transactions.is_busy(error) and attempt < BUSY_ATTEMPTS:
                time.sleep(0.2 * attempt)
                continue
            log.exception("job %s item %s failed", job_id, item_id)
            _finish_item(job_id, item_id, None, _("Sorry, there was a problem on our side. Try again."))
            db.session.commit()
            return


def _attempt_item(job_id: int, item_id: int, do_item: Handler, lease: dt.timedelta) -> None:
    job, item = db.session.get(Job, job_id), db.session.get(JobItem, item_id)
    assert job is not None and item is not None
    if item.state is not ItemState.PENDING:
        db.session.rollback()
        return
    try:
        with db.session.begin_nested():
            result = do_item(job, item)
    except JobItemFailed as failure:
        _finish_item(job_id, item_id, None, str(failure))
    else:
        _finish_item(job_id, item_id, result, None)
    db.session.execute(update(Job).where(Job.id == job_id).values(lease_until=dates.now() + lease))
    db.session.commit()


def _finish_item(job_id: int, item_id: int, result_id: int | None, reason: str | None) -> None:
    state = ItemState.FAILED if reason is not None else ItemState.DONE
    moved = db.session.execute(
        update(JobItem)
        .where(JobItem.id == item_id, JobItem.state == ItemState.PENDING)
        .values(state=state, reason=reason, result_id=result_id, finished_at=dates.now())
    ).rowcount  # type: ignore[attr-defined]
    if moved:
        counter = Job.failed if reason is not None else Job.done
        db.session.execute(update(Job).where(Job.id == job_id).values({counter: counter + 1}))


def unfinished() -> list[tuple[int, dt.datetime | None]]:
    """Every job not yet finished, with when its lease runs out (None: nobody holds it)."""
    rows = db.session.execute(select(Job.id, Job.lease_until).where(Job.state != JobState.FINISHED).order_by(Job.id))
    return [(row[0], row[1]) for row in rows]


def job_for(tenancy_id: int, job_id: int, kind: str) -> Job | None:
    """A tenancy's job of a kind, or None (another tenancy's job is not found, never shown)."""
    job = db.session.get(Job, job_id)
    return job if job is not None and job.tenancy_id == tenancy_id and job.kind == kind else None


def _audit(action: str, job: Job, actor: Any, details: dict[str, Any]) -> None:
    db.session.flush()
    audit.record(
        action,
        actor=actor if isinstance(actor, audit.Actor) else audit.Actor.of(actor),
        tenancy_id=job.tenancy_id,
        object_type="Job",
        object_id=job.id,
        details=details,
    )
