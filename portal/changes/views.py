"""The school's side: announced changes, the date it can object until, its objections; and the public notice."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal import policy
from portal.audit.service import Actor
from portal.changes import objections, queries, service, window
from portal.changes.errors import ChangeError
from portal.changes.forms import LodgeForm
from portal.changes.models import ChangeNotice, Objection
from portal.changes.states import TRANSITIONS, IllegalTransition, ObjectionState
from portal.extensions import db
from portal.policy import Permission
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy, get_owned_or_404, tenancy_blueprint

bp = tenancy_blueprint("changes", __name__)
public = policy.declare(Blueprint("changes_public", __name__, url_prefix="/changes"), policy.PUBLIC)
LODGE = policy.tenancy(Permission.LODGE_OBJECTIONS)


@bp.app_template_global("object_until")
def object_until(change: ChangeNotice) -> dt.date:
    """The last UK day a school may object to a change (for every page that shows one)."""
    return window.object_until(change.effective_on)


@bp.app_template_global("window_open")
def window_open(change: ChangeNotice) -> bool:
    return window.window_open(change.effective_on)


@bp.app_template_global("announced_change_notices")
def announced_change_notices() -> list[ChangeNotice]:
    """The hook for other capabilities' pages (the register's): announced changes not yet in effect."""
    return service.announced_for_display()


@public.get("/<int:notice_id>")
def notice(notice_id: int) -> str:
    change = service.get_notice(notice_id)
    if change is None:
        abort(404)
    return render_template("changes/notice.html", change=change)


@bp.get("/changes")
def tenancy_objections() -> str:
    return _page()


@bp.post("/changes/<int:change_id>/object")
@policy.allow(LODGE)
def lodge(change_id: int) -> str | Response | tuple[str, int]:
    tenancy = current_tenancy()
    change = service.get_notice(change_id)
    if change is None:
        abort(404)
    form = _lodge_form(change, tenancy, _objected(tenancy))
    if form.validate_on_submit():
        try:
            message = _lodge(change, tenancy, form)
        except ChangeError as error:
            db.session.commit()  # the refusal's audit row, and nothing else, is kept
            form.grounds.errors = [*form.grounds.errors, error.message]
        else:
            db.session.commit()
            flash(message)
            return redirect(url_for("changes.tenancy_objections"))
    return _page(failed=(change.id, form)), 400


@bp.post("/objections/<int:objection_id>/withdraw")
@policy.allow(LODGE)
def withdraw(objection_id: int) -> str | Response | tuple[str, int]:
    tenancy = current_tenancy()
    objection = queries.owned_objection(objection_id, _tenancy_ids(tenancy))
    if objection is None:
        get_owned_or_404(Objection, objection_id)  # audits the attempt and answers 404
        abort(404)
    try:
        objections.withdraw_objection(objection, actor=Actor.of(current_user))
    except IllegalTransition as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("changes.tenancy_objections"))
    db.session.commit()
    flash(f"{objection.tenancy.name}'s objection to “{objection.change.title}” is withdrawn.")
    return redirect(url_for("changes.tenancy_objections"))


def _lodge(change: ChangeNotice, tenancy: Tenancy, form: LodgeForm) -> str:
    """Lodge for the school, for one academy, or for all the trust's academies; the message to flash."""
    actor, grounds = Actor.of(current_user), form.grounds.data or ""
    target = form.target.data if "target" in form else None
    if target == "all":
        result = objections.lodge_for_academies(change, tenancy, grounds=grounds, actor=actor)
        if not result.lodged:
            raise ChangeError("Every academy of the trust has already objected to this change.")
        skipped = f" {len(result.already)} already had an objection." if result.already else ""
        return f"Objection lodged for {len(result.lodged)} academies.{skipped}"
    owner = next((a for a in tenancy.academies if a.slug == target), tenancy)
    objections.lodge_objection(change, owner, grounds=grounds, actor=actor)
    return f"Objection lodged for {owner.name}. We will acknowledge it and tell you our decision by email."


def _tenancy_ids(tenancy: Tenancy) -> list[int]:
    return [tenancy.id, *(academy.id for academy in tenancy.academies)]


def _objected(tenancy: Tenancy) -> set[tuple[int, int]]:
    return {(o.change_id, o.tenancy_id) for o in queries.tenancy_objections(_tenancy_ids(tenancy))}


def _lodge_form(change: ChangeNotice, tenancy: Tenancy, objected: set[tuple[int, int]]) -> LodgeForm:
    """A lodge form for one change; a trust chooses itself, one academy or all of them."""
    # One form per change on the page, so each is prefixed; CSRFProtect checks every POST app-wide,
    # which lets the page carry the plain `csrf_token` field.
    form = LodgeForm(prefix=f"change-{change.id}", meta={"csrf": False})
    if not tenancy.is_trust:
        del form.target
        return form
    free = [a for a in tenancy.academies if (change.id, a.id) not in objected]
    choices = []
    if (change.id, tenancy.id) not in objected:
        choices.append(SelectChoice(tenancy.slug, f"{tenancy.name} (the trust itself)"))
    if len(free) > 1:
        choices.append(SelectChoice("all", f"All {len(free)} academies that have not objected yet"))
    choices += [SelectChoice(a.slug, a.name) for a in free]
    form.target.choices = choices
    form.target.validators = [InputRequired(message="Select who you are objecting for")]
    return form


def _page(failed: tuple[int, LodgeForm] | None = None) -> str:
    tenancy = current_tenancy()
    mine = queries.tenancy_objections(_tenancy_ids(tenancy))
    objected = {(o.change_id, o.tenancy_id) for o in mine}
    may_lodge = policy.may(current_user, Permission.LODGE_OBJECTIONS, tenancy)
    changes = service.announced_changes()
    forms = {}
    for change in changes:
        if failed is not None and failed[0] == change.id:
            forms[change.id] = failed[1]
        elif may_lodge and window.window_open(change.effective_on):
            form = _lodge_form(change, tenancy, objected)
            if "target" not in form and (change.id, tenancy.id) in objected:
                continue
            if "target" in form and not form.target.choices:
                continue
            forms[change.id] = form
    return render_template(
        "changes/tenancy.html",
        tenancy=tenancy,
        changes=changes,
        objections=mine,
        forms=forms,
        form=failed[1] if failed else None,
        may_lodge=may_lodge,
        withdrawable={o.id for o in mine if ObjectionState.WITHDRAWN in TRANSITIONS[o.state]},
    )
