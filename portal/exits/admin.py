"""Vendor staff: every exit with what is overdue (/vendor/exits), and each exit's steps."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import policy
from portal.audit.service import Actor
from portal.exits import forms, service
from portal.exits.models import DeletionCertificate, ExitCase, ExitDeletion
from portal.exits.states import ExitState, IllegalTransition
from portal.extensions import db
from portal.policy import Permission
from portal.web.messages import success

bp = policy.declare(
    Blueprint("exits_admin", __name__, url_prefix="/vendor/exits"), policy.vendor(Permission.HANDLE_EXITS)
)


@bp.get("")
def index() -> str:
    closed = sql_case((ExitCase.state.in_([ExitState.WITHDRAWN, ExitState.DELETION_CONFIRMED]), 1), else_=0)
    cases = list(
        db.session.scalars(
            select(ExitCase)
            .options(joinedload(ExitCase.tenancy))
            .order_by(closed, ExitCase.opened_at.desc())
            .limit(200)
        )
    )
    return render_template("exits/admin_index.html", cases=cases, overdue=service.overdue)


@bp.get("/<int:exit_id>")
def exit_case(exit_id: int) -> str:
    return _page(_get(exit_id))


@bp.post("/<int:exit_id>/export")
def record_export(exit_id: int) -> Any:
    case, form = _get(exit_id), forms.ExportForm(prefix="export")
    if form.validate_on_submit() and form.delivered_on.data is not None:
        delivered_on = form.delivered_on.data
        return _act(
            case,
            form,
            lambda: service.record_export(
                case,
                method=form.method.data or "",
                delivered_on=delivered_on,
                sha256=form.sha256.data or "",
                actor=_actor(),
            ),
            _("Export recorded."),
        )
    return _page(case, export_form=form), 400


@bp.post("/<int:exit_id>/end")
def end_service(exit_id: int) -> Any:
    case, form = _get(exit_id), forms.EndServiceForm(prefix="end")
    if form.validate_on_submit() and form.ended_on.data is not None:
        ended_on = form.ended_on.data
        return _act(
            case,
            form,
            lambda: service.end_service(case, ended_on=ended_on, actor=_actor()),
            _("End of service recorded; deletion is now due."),
        )
    return _page(case, end_form=form), 400


@bp.post("/<int:exit_id>/deletions/<int:deletion_id>")
def confirm_at(exit_id: int, deletion_id: int) -> Any:
    case = _get(exit_id)
    place = db.session.scalar(
        select(ExitDeletion).where(ExitDeletion.id == deletion_id, ExitDeletion.exit_id == case.id)
    )
    if place is None:
        abort(404)
    form = forms.DeletionForm(prefix=f"place-{place.id}")
    if form.validate_on_submit() and form.confirmed_on.data is not None:
        day = form.confirmed_on.data
        return _act(
            case,
            form,
            lambda: service.confirm_deletion_at(
                case, place, confirmed_on=day, note=form.note.data or "", actor=_actor()
            ),
            _("Deletion at %(place)s confirmed.", place=place.supplier),
        )
    return _page(case, failed_place=(place.id, form)), 400


@bp.post("/<int:exit_id>/confirm")
def confirm(exit_id: int) -> Any:
    case = _get(exit_id)
    return _act(
        case,
        None,
        lambda: service.confirm_deletion(case, actor=_actor()),
        _("Deletion confirmed; the sealed certificate is issued and the school is being emailed."),
    )


def _actor() -> Actor:
    return Actor.of(current_user)


def _act(case: ExitCase, form: Any, step: Any, message: str) -> Any:
    try:
        # A savepoint: a refused step leaves nothing behind, and the page can still be read.
        with db.session.begin_nested():
            step()
    except (service.ExitError, IllegalTransition) as error:
        flash(str(error))
        return _page(_get(case.id), form=form), 400
    db.session.commit()
    success(message)
    return redirect(url_for("exits_admin.exit_case", exit_id=case.id))


def _get(exit_id: int) -> ExitCase:
    found: ExitCase | None = db.session.scalar(
        select(ExitCase)
        .where(ExitCase.id == exit_id)
        .options(joinedload(ExitCase.tenancy), selectinload(ExitCase.steps), selectinload(ExitCase.deletions))
    )
    if found is None:
        abort(404)
    return found


def _page(case: ExitCase, **given: Any) -> str:
    failed_place = given.get("failed_place")
    place_forms = {
        d.id: (
            failed_place[1] if failed_place and failed_place[0] == d.id else forms.DeletionForm(prefix=f"place-{d.id}")
        )
        for d in case.deletions
    }
    certificate = db.session.scalar(select(DeletionCertificate).where(DeletionCertificate.exit_id == case.id))
    errored = [
        f for f in (given.get("export_form"), given.get("end_form"), failed_place[1] if failed_place else None) if f
    ]
    return render_template(
        "exits/admin_exit.html",
        case=case,
        overdue=service.overdue(case),
        certificate=certificate,
        export_form=given.get("export_form") or forms.ExportForm(prefix="export"),
        end_form=given.get("end_form") or forms.EndServiceForm(prefix="end"),
        place_forms=place_forms,
        form=errored[0] if errored else None,
        formats=service.EXPORT_FORMATS,
    )
