"""Vendor staff upload a GIAS extract, watch it being read, review what it will change, and confirm (#26).

Reading and applying run as background jobs (portal/gias/imports.py); the batch's page shows their
progress, refreshing itself without JavaScript and in place with it, then the preview or the result.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import policy
from portal.extensions import db, limiter
from portal.gias import imports, service
from portal.gias.cli import import_command
from portal.gias.forms import ConfirmForm, UploadForm
from portal.gias.models import BatchState, GiasImportBatch
from portal.gias.parse import ExtractError
from portal.jobs import queue as jobs_queue
from portal.jobs.models import Job

bp = policy.declare(
    Blueprint("gias", __name__, url_prefix="/vendor/gias", cli_group="gias"),
    policy.vendor(policy.Permission.ONBOARD_TENANCIES),
)
bp.cli.add_command(import_command)
UPLOAD_LIMIT = "10 per minute"
# A full England establishments extract is about 60 MB; a file past this is not one.
DEFAULT_UPLOAD_BYTES = 100 * 1024 * 1024
# The multipart envelope around the file (boundaries, the CSRF token): a file just over the limit
# still reaches the form and gets its message, rather than the bare "too large" page.
ENVELOPE_BYTES = 64 * 1024
# Seconds between refreshes of a batch's page while a job reads or applies it.
REFRESH_SECONDS = 3


def upload_limit() -> int:
    """The largest file the page takes; a larger one goes through `flask gias import`."""
    return int(current_app.config.get("GIAS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_BYTES))


@bp.url_value_preprocessor
def _allow_a_full_extract(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # URL value preprocessors run before any before_request (CSRF reads the body there). Only this
    # route, and only for staff who may upload, takes more than the app's MAX_CONTENT_LENGTH.
    if endpoint == "gias.upload_post" and policy.may(current_user, policy.Permission.ONBOARD_TENANCIES):
        request.max_content_length = max(
            upload_limit() + ENVELOPE_BYTES, int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        )


def _recent() -> list[GiasImportBatch]:
    query = select(GiasImportBatch).order_by(GiasImportBatch.created_at.desc(), GiasImportBatch.id.desc()).limit(10)
    return list(db.session.scalars(query))


@bp.get("/")
def upload() -> str:
    return render_template("gias/upload.html", form=UploadForm(), batches=_recent(), limit=upload_limit())


@bp.post("/")
@limiter.limit(UPLOAD_LIMIT)
def upload_post() -> str | Response:
    form = UploadForm()
    if form.validate_on_submit():
        data = form.extract.data.stream.read(upload_limit() + 1)
        if len(data) > upload_limit():
            form.extract.errors.append(
                _(
                    "The selected file must be smaller than %(size)s MB: ask an engineer to import a larger "
                    "file with flask gias import",
                    size=upload_limit() // (1024 * 1024),
                )
            )
        else:
            try:
                batch = imports.upload(data, filename=form.extract.data.filename or "", user=current_user)
            except ExtractError as error:
                db.session.rollback()
                form.extract.errors.append(str(error))
            else:
                db.session.commit()
                assert batch.job_id is not None
                jobs_queue.dispatch(batch.job_id)
                return redirect(url_for("gias.preview", batch_id=batch.id))
    return render_template("gias/upload.html", form=form, batches=_recent(), limit=upload_limit())


@bp.get("/imports/<int:batch_id>")
def preview(batch_id: int) -> str:
    batch = db.get_or_404(GiasImportBatch, batch_id)
    working = batch.state in (BatchState.PARSING, BatchState.APPLYING)
    job = db.session.get(Job, batch.job_id) if working and batch.job_id is not None else None
    # A job that finished without finishing its batch failed in a way its items say (the worker's log has more).
    stuck = job is not None and job.finished
    return render_template(
        "gias/preview.html",
        batch=batch,
        preview=batch.preview or {},
        progress=imports.progress(batch, job) if working else None,
        refresh=REFRESH_SECONDS if working and not stuck else None,
        stuck=stuck,
        may_import=policy.can_open("gias.confirmation"),
    )


@bp.get("/imports/<int:batch_id>/confirm")
@policy.allow(policy.GRANT_ACCESS)  # an import can move a school to another trust
def confirmation(batch_id: int) -> str | Response:
    batch = db.get_or_404(GiasImportBatch, batch_id)
    if batch.state is not BatchState.STAGED:
        flash(imports.refusal(batch.state))
        return redirect(url_for("gias.preview", batch_id=batch.id))
    return render_template("gias/confirm.html", batch=batch, preview=batch.preview or {}, form=ConfirmForm())


@bp.post("/imports/<int:batch_id>/confirm")
@policy.allow(policy.GRANT_ACCESS)
def confirm(batch_id: int) -> Response:
    batch = db.get_or_404(GiasImportBatch, batch_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("gias.preview", batch_id=batch.id))
    try:
        job = imports.start_apply(batch, user=current_user)
    except service.BatchError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        jobs_queue.dispatch(job.id)
    return redirect(url_for("gias.preview", batch_id=batch_id))
