"""A trust's signing job: a status page that refreshes itself, and a retry for the academies that failed (#26)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user

from portal import policy
from portal.documents import signing_jobs
from portal.documents.forms import RetryForm
from portal.documents.views import bp
from portal.extensions import db
from portal.jobs import queue as jobs_queue
from portal.jobs import service as jobs
from portal.jobs.models import Job
from portal.policy import Permission
from portal.tenancy.scoping import current_tenancy

# Seconds between refreshes of an unfinished job's page (without JavaScript: a refresh in <noscript>).
REFRESH_SECONDS = 3


def _job_or_404(job_id: int) -> Job:
    trust = current_tenancy()
    if not trust.is_trust:
        abort(404)
    job = jobs.job_for(trust.id, job_id, signing_jobs.KIND)
    if job is None:
        abort(404)
    return job


@bp.get("/agreements/signing/<int:job_id>")
@policy.allow(policy.tenancy(Permission.ACT_FOR_TRUST))
def signing_job(job_id: int) -> Any:
    job = _job_or_404(job_id)
    return render_template(
        "documents/signing_job.html",
        tenancy=current_tenancy(),
        job=job,
        items=job.items,
        form=RetryForm(),
        refresh=None if job.finished else REFRESH_SECONDS,
    )


@bp.post("/agreements/signing/<int:job_id>/retry")
@policy.allow(policy.tenancy(Permission.ACT_FOR_TRUST))
def signing_job_retry(job_id: int) -> Any:
    job = _job_or_404(job_id)
    if RetryForm().validate_on_submit():
        count = jobs.retry_failed(job, actor=current_user)
        db.session.commit()
        if count:
            jobs_queue.dispatch(job_id)
            flash(ngettext("%(num)s academy will be tried again.", "%(num)s academies will be tried again.", count))
    return redirect(url_for("documents.signing_job", job_id=job_id))
