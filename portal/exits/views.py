"""The school's side: ask to end the service, follow the exit, withdraw it, download the certificate."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from portal import policy
from portal.audit.service import Actor, record
from portal.documents import verify
from portal.exits import (
    forms,
    service,
    tiles,  # noqa: F401  (registers the console tiles)
)
from portal.exits.certificate import certificate_by_sha256
from portal.exits.models import DeletionCertificate, ExitCase
from portal.exits.states import TRANSITIONS, ExitState, IllegalTransition
from portal.extensions import db
from portal.policy import Permission
from portal.tenancy.scoping import current_tenancy, get_owned_or_404, tenancy_blueprint
from portal.web.messages import success

bp = tenancy_blueprint("exits", __name__, "/exit")
REQUEST = policy.tenancy(Permission.REQUEST_EXIT)
if certificate_by_sha256 not in verify.DOCUMENT_FINDERS:
    verify.DOCUMENT_FINDERS.append(certificate_by_sha256)


@bp.get("")
def exit_case() -> str:
    return _page(forms.RequestExitForm(), forms.WithdrawExitForm())


@bp.post("")
@policy.allow(REQUEST)
def request_exit() -> Any:
    form = forms.RequestExitForm()
    if form.validate_on_submit() and form.requested_end_on.data is not None:
        try:
            service.open_exit(
                current_tenancy(),
                Actor.of(current_user),
                reason=form.reason.data or "",
                requested_end_on=form.requested_end_on.data,
                export_formats=list(form.export_formats.data or []),
            )
        except service.ExitError as error:
            db.session.rollback()
            field = getattr(form, error.field or "reason")
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            success(_("Your request to end the service is recorded. We will email each step."))
            return redirect(url_for("exits.exit_case"))
    return _page(form, forms.WithdrawExitForm(), failed=form), 400


@bp.post("/withdraw")
@policy.allow(REQUEST)
def withdraw() -> Any:
    form = forms.WithdrawExitForm()
    case = service.open_case(current_tenancy())
    if case is None:
        abort(404)
    if form.validate_on_submit():
        try:
            service.withdraw_exit(case, reason=form.withdraw_reason.data or "", actor=Actor.of(current_user))
        except (service.ExitError, IllegalTransition) as error:
            db.session.rollback()
            form.withdraw_reason.errors = [*form.withdraw_reason.errors, str(error)]
        else:
            db.session.commit()
            success(_("The exit is withdrawn. The service continues."))
            return redirect(url_for("exits.exit_case"))
    return _page(forms.RequestExitForm(), form, failed=form), 400


@bp.get("/<int:exit_id>/certificate.pdf")
@policy.allow(policy.tenancy(Permission.DOWNLOAD_AGREEMENTS))
def certificate(exit_id: int) -> Response:
    case = get_owned_or_404(ExitCase, exit_id)
    found = db.session.scalar(
        select(DeletionCertificate)
        .where(DeletionCertificate.exit_id == case.id)
        .options(undefer(DeletionCertificate.pdf))
    )
    if found is None:
        abort(404)
    record(
        "exit.certificate_downloaded",
        actor=Actor.of(current_user),
        tenancy_id=case.tenancy_id,
        object_type="DeletionCertificate",
        object_id=found.id,
    )
    db.session.commit()
    return Response(
        found.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


def _page(request_form: forms.RequestExitForm, withdraw_form: forms.WithdrawExitForm, failed: Any = None) -> str:
    tenancy = current_tenancy()
    cases = list(
        db.session.scalars(
            select(ExitCase)
            .where(ExitCase.tenancy_id == tenancy.id)
            .options(selectinload(ExitCase.steps), selectinload(ExitCase.deletions))
            .order_by(ExitCase.opened_at.desc(), ExitCase.id.desc())
        )
    )
    certificates = {
        c.exit_id: c
        for c in db.session.scalars(select(DeletionCertificate).where(DeletionCertificate.tenancy_id == tenancy.id))
    }
    current = next((c for c in cases if c.is_open), None)
    return render_template(
        "exits/tenancy.html",
        tenancy=tenancy,
        current=current,
        past=[c for c in cases if c is not current],
        certificates=certificates,
        request_form=request_form,
        withdraw_form=withdraw_form,
        form=failed,
        may_request=policy.may(current_user, Permission.REQUEST_EXIT, tenancy),
        can_withdraw=current is not None and ExitState.WITHDRAWN in TRANSITIONS[current.state],
        formats=service.EXPORT_FORMATS,
    )
