"""Public pages (/security, security.txt, /security/documents) and signed-in requests and downloads."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.dates import now
from portal.extensions import db, limiter
from portal.tenancy.models import Membership, Tenancy
from portal.trusthub import access, library, nda, overview
from portal.trusthub.claims import portal_claims
from portal.trusthub.errors import TrustHubError
from portal.trusthub.forms import NdaForm, RequestForm
from portal.trusthub.models import AccessLevel, AccessRequest, DiligenceDocument
from portal.trusthub.securitytxt import security_txt
from portal.web.messages import success

bp = policy.declare(Blueprint("trusthub", __name__), policy.PUBLIC)
REQUEST_LIMIT = "10 per minute"
member = policy.declare(Blueprint("trusthub_member", __name__, url_prefix="/security/documents"), policy.SIGNED_IN)


@bp.get("/security", endpoint="overview")
def overview_page() -> str:
    current = overview.current_overview()
    return _overview(current, current=True)


@bp.get("/security/versions")
def versions() -> str:
    return render_template("trusthub/versions.html", versions=overview.published_overviews())


@bp.get("/security/versions/<int:sequence>")
def version(sequence: int) -> str:
    found = overview.published_overview(sequence)
    if found is None:
        abort(404)
    current = overview.current_overview()
    return _overview(found, current=current is not None and current.id == found.id)


def _overview(found: Any, *, current: bool) -> str:
    return render_template(
        "trusthub/overview.html",
        overview=found,
        current=current,
        inheritance=overview.inherited_certifications(found, current=current),
        claims=portal_claims(current_app.config),
        documents=library.listed_documents(),
    )


@bp.get("/.well-known/security.txt", endpoint="security_txt")
def security_txt_file() -> Response:
    return Response(security_txt(), content_type="text/plain; charset=utf-8")


@bp.get("/security/documents")
def documents() -> str:
    signed_in = current_user.is_authenticated
    return render_template(
        "trusthub/documents.html",
        documents=library.listed_documents(),
        requests=access.requests_of(current_user.id) if signed_in else [],
        organisations=_organisations() if signed_in else [],
        now=now(),
    )


@bp.get("/security/documents/<int:document_id>/public.pdf")
def public_download(document_id: int) -> Response:
    document = library.get_document(document_id, with_pdf=True)
    if document is None or document.access_level is not AccessLevel.PUBLIC:
        abort(404)
    data = library.public_copy(document, actor=audit.Actor.of(current_user))
    filename = document.filename
    db.session.commit()
    return _pdf(data, filename)


@member.get("/<int:document_id>/download")
def customer_download(document_id: int) -> Response:
    document = library.get_document(document_id, with_pdf=True)
    if document is None or document.access_level is not AccessLevel.CUSTOMER:
        abort(404)
    organisations = _organisations()
    if not organisations and not current_user.is_vendor:
        _refused(document, "not a customer")
    organisation = organisations[0] if organisations else None
    label = organisation.name if organisation else current_app.config["VENDOR_LEGAL_ENTITY"]
    data = library.stamped_copy(
        document,
        user_id=current_user.id,
        user_name=current_user.display_name,
        tenancy=organisation,
        organisation=label,
        actor=audit.Actor.of(current_user),
    )
    filename = document.filename
    db.session.commit()
    return _pdf(data, filename)


@member.route("/<int:document_id>/request", methods=["GET", "POST"])
@limiter.limit(REQUEST_LIMIT, methods=["POST"])
def request_document(document_id: int) -> Any:
    document = library.get_document(document_id)
    if document is None or document.access_level is not AccessLevel.ON_REQUEST:
        abort(404)
    organisations = {str(t.id): t for t in _organisations()}
    if request.method == "POST" and not organisations:
        abort(403)  # only school and trust staff ask for documents
    form = RequestForm()
    form.tenancy.choices = [SelectChoice(key, t.name) for key, t in organisations.items()]
    if form.validate_on_submit():
        try:
            created = access.request_access(
                document,
                tenancy=organisations[form.tenancy.data or ""],
                user=current_user,
                purpose=form.purpose.data or "",
                actor=audit.Actor.of(current_user),
            )
        except TrustHubError as error:
            db.session.rollback()
            form.purpose.errors = [*form.purpose.errors, str(error)]
        else:
            db.session.commit()
            success(_("Request sent. We will email you when we decide."))
            return redirect(url_for("trusthub_member.request_page", request_id=created.id))
    status = 400 if form.errors else 200
    return render_template("trusthub/request.html", form=form, document=document, organisations=organisations), status


@member.get("/requests/<int:request_id>")
def request_page(request_id: int) -> Any:
    found = _own_request(request_id)
    return _request_page(found, NdaForm())


def _request_page(found: AccessRequest, form: NdaForm) -> Any:
    latest = nda.latest_nda()
    accepted = nda.acceptance_for(found.tenancy_id, latest)
    form.version.data = str(latest.number) if latest else ""
    shown = _language() if latest and _language() in nda.nda_languages(nda.nda_content(latest)) else "en"
    page = render_template(
        "trusthub/request_status.html",
        access_request=found,
        is_open=found.is_open(now()),
        nda_version=latest,
        nda_text=nda.nda_in(nda.nda_content(latest), shown) if latest else None,
        nda_language=shown,
        accepted=accepted,
        form=form,
    )
    return (page, 400) if form.errors else page


def _language() -> str:
    """The page's language: the NDA is shown, and accepted, in it where the version has it (#29)."""
    return str(get_locale() or "en").split("_")[0]


@member.post("/requests/<int:request_id>/nda")
def accept_nda(request_id: int) -> Any:
    found = _own_request(request_id)
    form = NdaForm()
    if not found.is_open(now()):
        abort(403)
    if form.validate_on_submit():
        given = nda.NdaAcceptanceInput(
            signer_name=form.signer_name.data or "",
            signer_role=form.signer_role.data or "",
            confirmed=bool(form.confirm.data),
            ip=request.remote_addr,
            user_agent=request.user_agent.string,
            language=_language(),
        )
        try:
            nda.accept_nda(
                found.tenancy,
                version_number=_int(form.version.data),
                user_id=current_user.id,
                given=given,
                actor=audit.Actor.of(current_user),
            )
        except TrustHubError as error:
            db.session.rollback()
            form.signer_name.errors = [*form.signer_name.errors, str(error)]
        else:
            db.session.commit()
            success(
                _(
                    "Terms accepted for %(organisation)s. You can now download the document.",
                    organisation=found.tenancy.name,
                )
            )
            return redirect(url_for("trusthub_member.request_page", request_id=found.id))
    return _request_page(found, form)


@member.get("/requests/<int:request_id>/download")
def requested_download(request_id: int) -> Any:
    found = _own_request(request_id)
    try:
        data = access.requested_copy(found, user=current_user, actor=audit.Actor.of(current_user))
    except access.NdaNeeded:
        return redirect(url_for("trusthub_member.request_page", request_id=found.id))
    except TrustHubError:
        _refused(found.document, "access ended", tenancy_id=found.tenancy_id)
    filename = found.document.filename
    db.session.commit()
    return _pdf(data, filename)


def _own_request(request_id: int) -> AccessRequest:
    found = access.own_request(request_id, current_user.id)
    if found is None:
        abort(404)
    return found


def _organisations() -> list[Tenancy]:
    """The signed-in person's own schools and trusts, by name."""
    return list(
        db.session.scalars(
            select(Tenancy)
            .join(Membership, Membership.tenancy_id == Tenancy.id)
            .where(Membership.user_id == current_user.id)
            .order_by(Tenancy.name)
        )
    )


def _refused(document: DiligenceDocument, reason: str, tenancy_id: int | None = None) -> None:
    db.session.rollback()
    audit.record(
        "trusthub.download_refused",
        actor=audit.Actor.of(current_user),
        outcome=Outcome.DENIED,
        tenancy_id=tenancy_id,
        object_type="DiligenceDocument",
        object_id=document.id,
        reason=reason,
    )
    db.session.commit()
    abort(403)


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
