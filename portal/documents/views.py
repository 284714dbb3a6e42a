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
from wtforms.fields.choices import SelectChoice

from portal import policy, transactions
from portal.audit import service as audit
from portal.documents import annex, bundle, signing, versions
from portal.documents.forms import PublishForm, SignAcademiesForm, SignForm, VerifyForm
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
    )


@bp.route("/agreements/sign", methods=["GET", "POST"])
@policy.allow(policy.tenancy(Permission.SIGN_AGREEMENTS))
def sign() -> Any:
    tenancy = current_tenancy()
    if tenancy.is_trust:
        return redirect(url_for("documents.sign_academies"))
    version = versions.latest_text_version()
    form = SignForm()
    status = 200
    if version is not None and form.validate_on_submit():
        try:
            signed = signing.sign(
                [tenancy], user=current_user, acceptance=_acceptance(form), version_number=_int(form.version.data)
            )
        except versions.DocumentsError as error:
            db.session.rollback()
            form.signer_name.errors = [*form.signer_name.errors, str(error)]
        except Exception as error:
            status = _signing_failed(error, form.signer_name)
        else:
            db.session.commit()
            return _signed(signed)
    return _sign_page(form, tenancy, version, None), status


@bp.route("/agreements/academies/sign", methods=["GET", "POST"])
@policy.allow(policy.tenancy(Permission.ACT_FOR_TRUST))
def sign_academies() -> Any:
    trust = current_tenancy()
    if not trust.is_trust:
        abort(404)
    version = versions.latest_text_version()
    statuses = versions.statuses(_academies(trust))
    batch = int(current_app.config["TRUST_SIGNING_BATCH"])
    form = SignAcademiesForm()
    form.academies.choices = [
        SelectChoice(str(s.tenancy.id), f"{s.tenancy.name} (URN {s.tenancy.urn})") for s in statuses
    ]
    if request.method == "GET":
        form.academies.data = [str(s.tenancy.id) for s in statuses if s.needs_signature][:batch]
    status = 200
    if version is not None and statuses and form.validate_on_submit():
        chosen = {int(value) for value in form.academies.data or []}
        if len(chosen) > batch:
            form.academies.errors = [
                *form.academies.errors,
                f"Select up to {batch} academies at a time: each agreement is drawn up and sealed on its own",
            ]
            return _sign_page(form, trust, version, statuses, batch), 400
        try:
            signed = signing.sign(
                [s.tenancy for s in statuses if s.tenancy.id in chosen],
                user=current_user,
                acceptance=_acceptance(form),
                version_number=_int(form.version.data),
                via=trust,
            )
        except versions.DocumentsError as error:
            db.session.rollback()
            form.academies.errors = [*form.academies.errors, str(error)]
        except Exception as error:
            status = _signing_failed(error, form.academies)
        else:
            db.session.commit()
            if signed.earlier:
                return _signed(signed)
            count = len(signed.agreements)
            done = f"Agreements signed for {count} {'academy' if count == 1 else 'academies'}."
            remaining = sum(1 for s in statuses if s.needs_signature and s.tenancy.id not in chosen)
            if remaining:
                flash(f"{done} {remaining} more still need an agreement: the next ones are selected below.")
                return redirect(url_for("documents.sign_academies"))
            flash(done)
            return redirect(url_for("documents.agreements"))
    return _sign_page(form, trust, version, statuses, batch), status


def _signed(signed: signing.Signed) -> Any:
    """Where a submission lands: the agreements page, saying whether this press made them or an earlier one did."""
    names = ", ".join(a.filename for a in signed.agreements)
    if signed.earlier:
        flash(
            _(
                "This form was already submitted and the agreement made then: nothing new was signed (file %(names)s).",
                names=names,
            )
        )
    else:
        flash(f"Agreement signed. Download it below (file {names}).")
    return redirect(url_for("documents.agreements"))


def _signing_failed(error: Exception, field: Any) -> int:
    """Signing broke on our side: the form comes back as typed, saying nothing was saved (503)."""
    if transactions.should_retry(error):
        raise error  # the request is run once more (portal/transactions.py)
    db.session.rollback()
    current_app.logger.exception("signing failed", exc_info=error)
    field.errors = [
        *field.errors,
        _("Sorry, the agreement could not be signed because of a problem on our side. Nothing was saved: try again"),
    ]
    return 503


def _sign_page(form: SignForm, tenancy: Tenancy, version: Any, statuses: list[Any] | None, batch: int = 0) -> str:
    form.version.data = str(version.number) if version else ""
    signed_for = [s.tenancy for s in statuses] if statuses is not None else [tenancy]
    return render_template(
        "documents/sign.html",
        form=form,
        tenancy=tenancy,
        version=version,
        academies=statuses,
        batch=batch,
        controller=annex.controller_party(tenancy),
        already_signed=signing.already_signed(signed_for) if version is not None else [],
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
    return render_template("documents/verify.html", form=form, result=result)


@vendor_bp.get("/agreements")
def text_versions() -> Any:
    return _text_versions_page(PublishForm())


@vendor_bp.post("/agreements")
@policy.allow(policy.GRANT_ACCESS)
def publish_text() -> Any:
    form = PublishForm()
    if not form.validate_on_submit():
        return _text_versions_page(form)
    try:
        version = versions.publish_text_version(actor=current_user, summary=form.summary.data or "")
    except versions.DocumentsError as error:
        db.session.rollback()
        form.summary.errors = [*form.summary.errors, str(error)]
        return _text_versions_page(form)
    db.session.commit()
    flash(f"Version {version.number} of the agreement is published. Schools will be asked to sign it.")
    return redirect(url_for("vendor_agreements.text_versions"))


def _text_versions_page(form: PublishForm) -> str:
    return render_template(
        "documents/vendor_versions.html",
        form=form,
        versions=versions.all_text_versions(),
        counts=versions.signed_counts(),
    )


def _academies(trust: Tenancy) -> list[Tenancy]:
    return list(db.session.scalars(select(Tenancy).where(Tenancy.trust_id == trust.id).order_by(Tenancy.name)))


def _acceptance(form: SignForm) -> signing.Acceptance:
    return signing.Acceptance(
        signer_name=form.signer_name.data or "",
        signer_role=form.signer_role.data or "",
        confirmed=bool(form.confirm.data),
        submission_key=form.submission_key.data or None,
        sign_again=bool(form.sign_again.data),
        ip=request.remote_addr,
        user_agent=request.user_agent.string,
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _file_headers(filename: str, sha256: str, data: bytes) -> dict[str, str]:
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-SHA256": sha256,
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "private, no-store",
    }
