"""Vendor staff upload a GIAS extract, review what it will change, and confirm."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import policy
from portal.audit import service as audit
from portal.extensions import db, limiter
from portal.gias import service
from portal.gias.cli import import_command
from portal.gias.forms import ConfirmForm, UploadForm
from portal.gias.models import BatchState, GiasImportBatch
from portal.gias.parse import ExtractError

bp = policy.declare(
    Blueprint("gias", __name__, url_prefix="/vendor/gias", cli_group="gias"),
    policy.vendor(policy.Permission.ONBOARD_TENANCIES),
)
bp.cli.add_command(import_command)
UPLOAD_LIMIT = "10 per minute"
DEFAULT_UPLOAD_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 50


def upload_limit() -> int:
    """The largest upload the page takes; full-size extracts go through `flask gias import`."""
    return int(current_app.config.get("GIAS_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_BYTES))


def _recent() -> list[GiasImportBatch]:
    query = select(GiasImportBatch).order_by(GiasImportBatch.created_at.desc(), GiasImportBatch.id.desc()).limit(10)
    return list(db.session.scalars(query.options()))


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
                f"The selected file must be smaller than {upload_limit() // (1024 * 1024)} MB: "
                "import a full extract with flask gias import"
            )
        else:
            try:
                batch = service.stage(
                    data,
                    filename=form.extract.data.filename or "",
                    uploaded_by=current_user,
                    actor=audit.Actor.of(current_user),
                )
            except ExtractError as error:
                db.session.rollback()
                form.extract.errors.append(str(error))
            else:
                db.session.commit()
                return redirect(url_for("gias.preview", batch_id=batch.id))
    return render_template("gias/upload.html", form=form, batches=_recent(), limit=upload_limit())


@bp.get("/imports/<int:batch_id>")
def preview(batch_id: int) -> str:
    batch = db.get_or_404(GiasImportBatch, batch_id)
    planned = service.plan(batch.kind, batch.rows) if batch.state is BatchState.STAGED else None
    return render_template("gias/preview.html", batch=batch, plan=planned, form=ConfirmForm(), shown=PREVIEW_ROWS)


@bp.post("/imports/<int:batch_id>/confirm")
@policy.allow(policy.GRANT_ACCESS)  # an import can move a school to another trust
def confirm(batch_id: int) -> Response:
    batch = db.get_or_404(GiasImportBatch, batch_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("gias.preview", batch_id=batch.id))
    try:
        summary = service.apply(batch, actor=audit.Actor.of(current_user))
    except service.BatchError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(f"Imported: {summary['created']} created, {summary['updated']} updated, {summary['unchanged']} unchanged")
    return redirect(url_for("gias.preview", batch_id=batch_id))
