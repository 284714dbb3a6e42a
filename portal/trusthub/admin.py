"""Vendor pages: the security overview's drafts and publication, documents, requests, the NDA text."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.audit import service as audit
from portal.extensions import db, limiter
from portal.policy import Permission
from portal.tenancy.models import Tenancy
from portal.trusthub import access, library, nda, overview
from portal.trusthub.errors import TrustHubError
from portal.trusthub.forms import ApproveForm, ConfirmForm, NdaPublishForm, OverviewForm, RefuseForm, UploadForm
from portal.trusthub.models import AccessLevel, RequestStatus
from portal.web.messages import success

bp = policy.declare(
    Blueprint("trusthub_admin", __name__, url_prefix="/vendor"), policy.vendor(Permission.MANAGE_REGISTER)
)

# Each upload is parsed and re-written: a burst of hostile files must not tie the workers up.
UPLOAD_LIMIT = "10 per minute"


def _actor() -> audit.Actor:
    return audit.Actor.of(current_user)


@bp.get("/security")
def overview_home() -> str:
    return render_template(
        "trusthub/admin_overview.html",
        versions=overview.published_overviews(),
        draft=overview.draft_overview(),
        form=ConfirmForm(),
    )


@bp.post("/security/draft/start")
def start_draft() -> Any:
    if ConfirmForm().validate_on_submit():
        overview.start_draft(actor=_actor())
        db.session.commit()
    return redirect(url_for("trusthub_admin.edit_draft"))


@bp.route("/security/draft", methods=["GET", "POST"])
def edit_draft() -> Any:
    draft = overview.draft_overview()
    if draft is None:
        return redirect(url_for("trusthub_admin.overview_home"))
    form = OverviewForm(obj=draft)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in overview.EDITABLE}
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        overview.save_draft(draft, values, actor=_actor())
        db.session.commit()
        success(_("Draft saved."))
        return redirect(url_for("trusthub_admin.edit_draft"))
    page = render_template(
        "trusthub/admin_draft.html", form=form, draft=draft, publish_form=ConfirmForm(prefix="publish")
    )
    return (page, 400) if form.errors else page


@bp.post("/security/draft/publish")
def publish_draft() -> Any:
    form = ConfirmForm(prefix="publish")
    if form.validate_on_submit():
        try:
            published = overview.publish_overview(actor=_actor(), user_id=current_user.id)
        except TrustHubError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("trusthub_admin.overview_home"))
        db.session.commit()
        success(_("Version %(number)s of the security overview is published.", number=published.sequence))
    return redirect(url_for("trusthub_admin.overview_home"))


@bp.get("/documents")
def documents() -> str:
    return render_template(
        "trusthub/admin_documents.html",
        documents=library.all_documents(),
        pending=access.all_requests(status=RequestStatus.PENDING),
        decided=[r for r in access.all_requests() if r.status is not RequestStatus.PENDING][:50],
    )


@bp.route("/documents/new", methods=["GET", "POST"])
@limiter.limit(UPLOAD_LIMIT, methods=["POST"])
def upload() -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        new = library.NewDocument(
            title=form.title.data or "",
            description=form.description.data or "",
            access_level=AccessLevel(form.access_level.data),
            review_on=form.review_on.data,  # type: ignore[arg-type]
            filename=form.document.data.filename or "",
            data=form.document.data.read(),
        )
        try:
            document = library.upload_document(new, actor=_actor())
        except TrustHubError as error:
            db.session.rollback()
            form.document.errors = [*form.document.errors, str(error)]
        else:
            db.session.commit()
            success(_("%(title)s uploaded.", title=document.title))
            return redirect(url_for("trusthub_admin.document", document_id=document.id))
    page = render_template("trusthub/admin_upload.html", form=form)
    return (page, 400) if form.errors else page


@bp.get("/documents/<int:document_id>")
def document(document_id: int) -> str:
    found = library.get_document(document_id, offered_only=False)
    if found is None:
        abort(404)
    requests = [r for r in access.all_requests() if r.document_id == found.id]
    return render_template(
        "trusthub/admin_document.html",
        document=found,
        downloads=library.downloads_of(found.id),
        requests=requests,
        form=ConfirmForm(),
    )


@bp.post("/documents/<int:document_id>/withdraw")
def withdraw(document_id: int) -> Any:
    found = library.get_document(document_id, offered_only=False)
    if found is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        library.withdraw_document(found, actor=_actor())
        db.session.commit()
        success(_("%(title)s withdrawn: nobody can download it now.", title=found.title))
    return redirect(url_for("trusthub_admin.document", document_id=found.id))


@bp.get("/documents/requests/<int:request_id>")
def request_page(request_id: int) -> Any:
    return _request_page(_request(request_id), ApproveForm(data={"days": 7}), RefuseForm())


def _request_page(found: Any, approve_form: ApproveForm, refuse_form: RefuseForm) -> Any:
    page = render_template(
        "trusthub/admin_request.html",
        access_request=found,
        approve_form=approve_form,
        refuse_form=refuse_form,
        # The form whose errors the layout's error summary shows.
        form=refuse_form if refuse_form.errors else approve_form,
        revoke_form=ConfirmForm(),
        is_open=found.is_open(_now()),
        accepted=nda.acceptance_for(found.tenancy_id, nda.latest_nda()),
    )
    return (page, 400) if approve_form.errors or refuse_form.errors else page


@bp.post("/documents/requests/<int:request_id>/approve")
def approve(request_id: int) -> Any:
    found = _request(request_id)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            access.approve(found, days=int(form.days.data or 0), actor=_actor())
        except TrustHubError as error:
            db.session.rollback()
            form.days.errors = [*form.days.errors, str(error)]
        else:
            db.session.commit()
            success(_("Approved. We have emailed the requester."))
            return redirect(url_for("trusthub_admin.request_page", request_id=found.id))
    return _request_page(found, form, RefuseForm())


@bp.post("/documents/requests/<int:request_id>/refuse")
def refuse(request_id: int) -> Any:
    found = _request(request_id)
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            access.refuse(found, reason=form.reason.data or "", actor=_actor())
        except TrustHubError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            success(_("Refused. We have emailed the requester with your reason."))
            return redirect(url_for("trusthub_admin.request_page", request_id=found.id))
    return _request_page(found, ApproveForm(data={"days": 7}), form)


@bp.post("/documents/requests/<int:request_id>/revoke")
def revoke(request_id: int) -> Any:
    found = _request(request_id)
    if ConfirmForm().validate_on_submit():
        try:
            access.revoke(found, actor=_actor())
        except TrustHubError as error:
            db.session.rollback()
            flash(str(error))
        else:
            db.session.commit()
            success(_("Access revoked: further downloads are refused."))
    return redirect(url_for("trusthub_admin.request_page", request_id=found.id))


@bp.get("/documents/organisations/<int:tenancy_id>")
def organisation(tenancy_id: int) -> str:
    tenancy = db.session.get(Tenancy, tenancy_id)
    if tenancy is None:
        abort(404)
    return render_template(
        "trusthub/admin_organisation.html",
        tenancy=tenancy,
        requests=access.requests_for_tenancy(tenancy.id),
        downloads=library.downloads_by(tenancy.id),
    )


@bp.route("/documents/nda", methods=["GET", "POST"])
def nda_versions() -> Any:
    form = NdaPublishForm()
    if form.validate_on_submit():
        try:
            version = nda.publish_nda(actor=_actor(), summary=form.summary.data or "", user_id=current_user.id)
        except TrustHubError as error:
            db.session.rollback()
            form.summary.errors = [*form.summary.errors, str(error)]
        else:
            db.session.commit()
            success(_("Version %(number)s of the terms is published.", number=version.number))
            return redirect(url_for("trusthub_admin.nda_versions"))
    latest = nda.latest_nda()
    page = render_template(
        "trusthub/admin_nda.html",
        form=form,
        latest=latest,
        text=nda.nda_content(latest) if latest else nda.compose_nda(),
        nda_language="en",  # the English text, marked so on a page in Welsh (#29)
    )
    return (page, 400) if form.errors else page


def _request(request_id: int) -> Any:
    found = access.get_request(request_id)
    if found is None:
        abort(404)
    return found


def _now() -> Any:
    from portal.dates import now

    return now()
