"""A GIAS extract uploaded through the vendor console, read and applied by background jobs (#26).

The upload request makes the quick checks of the whole file (size, binary, encoding, columns), cuts it
into parts of whole records and stores them, the batch and the job that reads them in one transaction:
a crash before the commit leaves nothing, one after it leaves a job a worker finds. The bytes are kept
in the database, not in instance/, so a worker on another machine reads them and the transaction
covers them with the rest; they are deleted once read, leaving the parsed rows.

Reading: one job item per part (its rows kept on the part), then a last item merges the parts, compares
them with the register (the preview) and stages the batch, or marks it failed with the reason. Applying:
one item per chunk of rows, each chunk's changes committed with the item and its counts, then a last item
updates the tenancies (a school moved between trusts changes who sees its agreements) and marks the
batch applied. A killed worker resumes with the items still pending; an item done twice by racing
workers does nothing the second time (the claim below), and applying rows again finds them unchanged.
"""

from __future__ import annotations

import math
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.auth.models import User
from portal.dates import now
from portal.extensions import db
from portal.gias import parse as parsing
from portal.gias import service
from portal.gias.models import BatchState, GiasImportBatch, GiasUploadPart
from portal.jobs import service as jobs
from portal.jobs.models import ItemState, Job, JobItem

PARSE = "gias_read"
APPLY = "gias_apply"
# A job item's target for the step after the parts or chunks (their targets start at 1).
LAST_STEP = 0
DEFAULT_PART_BYTES = 1024 * 1024
DEFAULT_APPLY_ROWS = 2000


def part_bytes() -> int:
    return int(current_app.config.get("GIAS_PART_BYTES", DEFAULT_PART_BYTES))


def apply_rows() -> int:
    return int(current_app.config.get("GIAS_APPLY_ROWS", DEFAULT_APPLY_ROWS))


def upload(data: bytes, *, filename: str, user: User) -> GiasImportBatch:
    """Store an upload and ask for it to be read (ExtractError, and nothing written, for a file that is not one)."""
    checked = parsing.check_upload(data, part_bytes())
    batch = GiasImportBatch(
        kind=checked.kind,
        filename=(filename or "upload.csv")[:255],
        sha256=service.sha256(data),
        state=BatchState.PARSING,
        rows=[],
        rejects=[],
        size=len(data),
        encoding=checked.encoding,
        header=checked.header,
        uploaded_by_id=user.id,
    )
    db.session.add(batch)
    db.session.flush()
    parts = [
        GiasUploadPart(batch_id=batch.id, position=n, first_line=line, data=data[start:end])
        for n, (line, start, end) in enumerate(checked.parts, start=1)
    ]
    db.session.add_all(parts)
    db.session.flush()
    targets = [jobs.Target(part.id, _("Part %(num)s", num=part.position)) for part in parts]
    job = jobs.create_job(
        PARSE,
        tenancy_id=None,
        actor=user,
        targets=[*targets, jobs.Target(LAST_STEP, _("Compare with the register"))],
        params={"batch_id": batch.id},
    )
    batch.job_id = job.id
    audit.record(
        "gias.uploaded",
        actor=audit.Actor.of(user),
        object_type="gias_import_batch",
        object_id=batch.id,
        details={"kind": batch.kind.value, "sha256": batch.sha256, "bytes": len(data), "parts": len(parts)},
    )
    return batch


def start_apply(batch: GiasImportBatch, *, user: User) -> Job:
    """Ask for a staged batch to be applied (compare-and-set: a second press raises BatchError)."""
    claimed = db.session.execute(
        update(GiasImportBatch)
        .where(GiasImportBatch.id == batch.id, GiasImportBatch.state == BatchState.STAGED)
        .values(state=BatchState.APPLYING, applied_at=now(), summary=_zero())
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        db.session.refresh(batch)
        raise service.BatchError(refusal(batch.state))
    db.session.refresh(batch)
    # Every valid row is counted once in the preview: the number of chunks without loading the rows.
    valid = sum(batch.preview["counts"].values()) if batch.preview else len(batch.rows)
    size = apply_rows()
    targets = [
        jobs.Target(n, _("Rows %(first)s to %(last)s", first=(n - 1) * size + 1, last=min(n * size, valid)))
        for n in range(1, math.ceil(valid / size) + 1)
    ]
    job = jobs.create_job(
        APPLY,
        tenancy_id=None,
        actor=user,
        targets=[*targets, jobs.Target(LAST_STEP, _("Update the schools and trusts set up here"))],
        # The chunk size goes with the job: a worker configured otherwise still applies these chunks.
        params={"batch_id": batch.id, "rows_per_item": size},
    )
    batch.job_id = job.id
    audit.record(
        "gias.import_started",
        actor=audit.Actor.of(user),
        object_type="gias_import_batch",
        object_id=batch.id,
        details={"kind": batch.kind.value, "sha256": batch.sha256, "job_id": job.id},
    )
    return job


def refusal(state: BatchState) -> str:
    """Why a batch in this state cannot be imported now."""
    return str(
        {
            BatchState.PARSING: _("This file is still being checked: wait for its preview"),
            BatchState.FAILED: _("This file could not be read: upload a corrected file"),
            BatchState.APPLYING: _("This file is already being imported"),
        }.get(state, _("This file has already been imported"))
    )


def _zero() -> dict[str, int]:
    return dict.fromkeys(("created", "updated", "unchanged", "closed_not_created", "unknown"), 0)


def _claim(item: JobItem) -> bool:
    """Hold the item's row for this transaction; False when another worker has already done it."""
    held = db.session.execute(
        update(JobItem)
        .where(JobItem.id == item.id, JobItem.state == ItemState.PENDING)
        .values(position=JobItem.position)
    ).rowcount  # type: ignore[attr-defined]
    return bool(held)


def _actor(job: Job) -> audit.Actor:
    user = db.session.get(User, job.created_by_user_id) if job.created_by_user_id else None
    return audit.Actor.of(user) if user is not None else audit.Actor.system("gias import")


@jobs.handler(PARSE)
def read_item(job: Job, item: JobItem) -> int | None:
    """Read one part of the upload, or (the last step) merge the parts and stage or fail the batch."""
    batch = db.session.get(GiasImportBatch, job.params["batch_id"])
    if batch is None or batch.state is not BatchState.PARSING or not _claim(item):
        return None
    if item.target_id == LAST_STEP:
        _finish_reading(batch, _actor(job))
        return batch.id
    part = db.session.get(GiasUploadPart, item.target_id)
    if part is None or part.parsed:
        return None
    assert batch.header is not None and batch.encoding is not None
    try:
        found = parsing.parse_part(batch.kind, batch.header, part.data.decode(batch.encoding), part.first_line)
    except parsing.ExtractError as error:
        part.error = str(error)
    else:
        part.rows, part.rejects, part.ignored = found.rows, found.rejects, found.ignored
        part.row_count = len(found.rows) + len(found.rejects) + found.ignored
    part.parsed = True
    db.session.flush()
    return part.id


def _finish_reading(batch: GiasImportBatch, actor: audit.Actor) -> None:
    parts = list(
        db.session.scalars(
            select(GiasUploadPart).where(GiasUploadPart.batch_id == batch.id).order_by(GiasUploadPart.position)
        )
    )
    error = next(
        (
            part.error or _("Sorry, there was a problem on our side. Upload the file again.")
            for part in parts
            if part.error or not part.parsed
        ),
        None,
    )
    details: dict[str, Any]
    if error is not None:
        batch.state, batch.error = BatchState.FAILED, str(error)
        action, details = "gias.refused", {"reason": batch.error}
    else:
        merged = parsing.merge(
            batch.kind,
            [parsing.ParsedExtract(batch.kind, part.rows or [], part.rejects or [], part.ignored) for part in parts],
        )
        batch.rows, batch.rejects = merged.rows, merged.rejects
        batch.row_count = len(merged.rows) + len(merged.rejects) + merged.ignored
        batch.preview = service.preview_of(service.plan(batch.kind, merged.rows))
        batch.state = BatchState.STAGED
        action, details = "gias.staged", {"rows": len(merged.rows), "rejected": len(merged.rejects)}
    # The bytes were needed only to be read: what is kept is the parsed rows (or the reason).
    db.session.execute(delete(GiasUploadPart).where(GiasUploadPart.batch_id == batch.id))
    db.session.flush()
    audit.record(
        action,
        actor=actor,
        outcome=Outcome.SUCCESS if error is None else Outcome.FAILURE,
        object_type="gias_import_batch",
        object_id=batch.id,
        details={"kind": batch.kind.value, "sha256": batch.sha256, **details},
    )


@jobs.handler(APPLY)
def apply_item(job: Job, item: JobItem) -> int | None:
    """Apply one chunk of the batch's rows, or (the last step) update the tenancies and finish."""
    batch = db.session.get(GiasImportBatch, job.params["batch_id"])
    if batch is None or batch.state is not BatchState.APPLYING or not _claim(item):
        return None
    if item.target_id == LAST_STEP:
        if _failed_chunks(job):
            # Not applied while rows are missing: the batch stays "being imported" and says so.
            raise jobs.JobItemFailed(_("Some rows could not be imported: nothing more was changed"))
        summary = dict(batch.summary or _zero()) | {"rejected": len(batch.rejects)}
        service.finish_apply(batch, summary, _actor(job))
        return batch.id
    size = int(job.params["rows_per_item"])
    counts = service.apply_rows(batch.kind, _rows_of(batch)[(item.target_id - 1) * size : item.target_id * size])
    summary = dict(batch.summary or _zero())
    batch.summary = {name: summary.get(name, 0) + counts.get(name, 0) for name in summary | counts}
    db.session.flush()
    return batch.id


# The staged rows of the batch this worker applies now: read once, not once per chunk (a full extract's
# rows are megabytes of JSON). A staged batch's rows never change; the key tells batches apart.
_ROWS: dict[tuple[int, str, Any], list[dict[str, Any]]] = {}


def _rows_of(batch: GiasImportBatch) -> list[dict[str, Any]]:
    key = (batch.id, batch.sha256, batch.created_at)
    rows = _ROWS.get(key)
    if rows is None:
        rows = batch.rows
        _ROWS.clear()
        _ROWS[key] = rows
    return rows


def _failed_chunks(job: Job) -> int:
    return int(
        db.session.scalar(
            select(func.count(JobItem.id)).where(JobItem.job_id == job.id, JobItem.state == ItemState.FAILED)
        )
        or 0
    )


def progress(batch: GiasImportBatch, job: Job | None) -> dict[str, Any]:
    """What the batch's page shows of its job: how far it is, in parts or rows."""
    done, total = (job.done + job.failed, job.total) if job is not None else (0, 0)
    if batch.state is BatchState.PARSING:
        rows = db.session.scalar(
            select(func.coalesce(func.sum(GiasUploadPart.row_count), 0)).where(GiasUploadPart.batch_id == batch.id)
        )
        return {"done": done, "total": total, "rows": int(rows or 0), "percent": _percent(done, total)}
    counts = batch.summary or {}
    applied = sum(counts.get(name, 0) for name in _zero())
    planned = sum((batch.preview or {}).get("counts", {}).values())
    return {"done": done, "total": total, "rows": applied, "of": planned, "percent": _percent(done, total)}


def _percent(done: int, total: int) -> int:
    return int(100 * done / total) if total else 0
