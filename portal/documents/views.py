"""Agreement pages: read and sign, history and downloads, a trust's bundle, and public verification."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import undefer

from portal import policy
from portal.audit import service as audit
from portal.documents import bundle, signing, signing_jobs, text_diff, versions
from portal.documents.forms import PublishForm, VerifyForm
from portal.documents.models import Agreement
from portal.documents.verify import verify_pdf
from portal.extensions import db, limiter
from portal.policy import Permission
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy, get_owned_or_404, tenancy_blueprint

bp = tenancy_blueprint("documents", __name__)
policy.declare(bp, policy.tenancy(Permission.DOWNLOAD_AGREEMENTS))
vendor_bp = policy.declare(Blueprint("vendor_agreements", __name__, url_prefix="/vendor"), policy.vendor())
VERIFY_LIMIT = "20 per minute"
# An agreement issued here is about 40 KB; 1 MB leaves room for a long register and refuses the
# multi-megabyte files that made a check expensive (#18).
VERIFY_MAX_BYTES = 1024 * 1024


@bp.get("/agreements")
def agreements() -> str:
    tenancy = current_tenancy()
    status = versions.statuses([tenancy])[0]
    academies = versions.statuses(_academies(tenancy)) if tenancy.is_trust else []
    return render_template(
        "documents/agreements.html",
        tenancy=tenancy,
        status=status,
        history=versions.history(tenancy),
        academies=academies,
        signing_job=signing_jobs.latest_for(tenancy) if tenancy.is_trust else None,
    )


@bp.get("/agreements/<int:agreement_id>/download")
def download(agreement_id: int) -> Response:
    agreement = get_owned_or_404(Agreement, agreement_id, None, undefer(Agreement.pdf))
    pdf, filename, sha256 = agreement.pdf, agreement.filename, agreement.sha256  # read before the commit expires them
    audit.record(
        "agreement.downloaded",
        actor=audit.Actor.of(current_user),
        tenancy_id=agreement.tenancy_id,
        object_type="Agreement",
        object_id=agreement.id,
        details={"sha256": sha256},
    )
    db.session.commit()
    response = Response(pdf, mimetype="application/pdf")
    response.headers.update(_file_headers(filename, sha256, pdf))
    return response


@bp.get("/agreements/academies.zip")
@policy.allow(policy.tenancy(Permission.ACT_FOR_TRUST))
def academies_zip() -> Response:
    trust = current_tenancy()
    if not trust.is_trust:
        abort(404)
    items = bundle.bundle_items(trust)
    audit.record(
        "agreement.bundle_downloaded",
        actor=audit.Actor.of(current_user),
        tenancy_id=trust.id,
        object_type="Tenancy",
        object_id=trust.id,
        details={"agreements": len(items), "sha256": [item.sha256 for item in items]},
    )
    db.session.commit()
    name = signing.filename_for(trust, 0, "").replace("-dpa-v0-.pdf", "-agreements.zip")
    response = Response(stream_with_context(bundle.stream_zip(items)), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.record_once
def _add_public_verify(state: Any) -> None:
    # /verify is public and sits outside /t/<tenancy>, but keeps the documents.verify endpoint name.
    state.app.add_url_rule("/verify", endpoint="documents.verify", view_func=verify, methods=["GET", "POST"])


@bp.url_value_preprocessor
def _limit_verify_upload(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # URL value preprocessors run before any before_request (CSRF reads the body there), so the
    # smaller upload limit applies before a byte of the form is parsed.
    if endpoint == "documents.verify":
        request.max_content_length = current_app.config.get("VERIFY_MAX_BYTES", VERIFY_MAX_BYTES)


@policy.allow(policy.PUBLIC)
@limiter.limit(VERIFY_LIMIT, methods=["POST"])
def verify() -> Any:
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        result = verify_pdf(form.document.data.read(), current_app.config)
    later = versions.later_agreement(result.agreement) if result and result.agreement and not result.document else None
    return render_template("documents/verify.html", form=form, result=result, later=later)


@vendor_bp.get("/agreements")
def text_versions() -> Any:
    return render_template(
        "documents/vendor_versions.html", versions=versions.all_text_versions(), counts=versions.signed_counts()
    )


@vendor_bp.get("/agreements/new")
@policy.allow(policy.GRANT_ACCESS)
def preview_text() -> Any:
    """Ask first (#25): the text as it would be published, what it changes, and who must sign again."""
    return _preview_page(PublishForm())


@vendor_bp.post("/agreements")
@policy.allow(policy.GRANT_ACCESS)
def publish_text() -> Any:
    form = PublishForm()
    if not form.validate_on_submit():
        return _preview_page(form), 400
    try:
        version = versions.publish_text_version(actor=current_user, summary=form.summary.data or "")
    except versions.DocumentsError as error:
        db.session.rollback()
        form.summary.errors = [*form.summary.errors, str(error)]
        return _preview_page(form), 400
    db.session.commit()
    flash(
        _("Version %(number)s of the agreement is published. Schools will be asked to sign it.", number=version.number)
    )
    return redirect(url_for("vendor_agreements.text_versions"))


def _preview_page(form: PublishForm) -> str:
    composed = versions.compose_text()
    latest = versions.latest_text_version()
    return render_template(
        "documents/vendor_preview.html",
        form=form,
        text=composed,
        latest=latest,
        changes=text_diff.changes(latest.content if latest else None, composed),
        unchanged=latest is not None and latest.sha256 == versions.text_digest(),
    )


def _academies(trust: Tenancy) -> list[Tenancy]:
    return list(db.session.scalars(select(Tenancy).where(Tenancy.trust_id == trust.id).order_by(Tenancy.name)))


def _file_headers(filename: str, sha256: str, data: bytes) -> dict[str, str]:
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-SHA256": sha256,
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "private, no-store",
    }


# The signing journey's routes live in their own module, on this blueprint.
from portal.documents import job_views, sign_views  # noqa: E402,F401
