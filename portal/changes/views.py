"""The school's side: announced changes, the date it can object until, its objections; and the public notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal import policy
from portal.audit.service import Actor
from portal.changes import exits, objections, queries, service, window
from portal.changes.errors import ChangeError
from portal.changes.exits import answerable
from portal.changes.forms import ConfirmWithdrawForm, ExitAnswerForm, LodgeForm
from portal.changes.models import ChangeKind, ChangeNotice, Objection
from portal.changes.states import TRANSITIONS, IllegalTransition, ObjectionState
from portal.dates import uk_today
from portal.errors import render_error
from portal.extensions import db
from portal.policy import Permission
from portal.register.cache import register_cache
from portal.register.effective import has_own_set
from portal.register.tenancy_views import BadOnDate, on_date
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy, get_owned_or_404, tenancy_blueprint
from portal.web.messages import success

bp = tenancy_blueprint("changes", __name__)
public = policy.declare(Blueprint("changes_public", __name__, url_prefix="/changes"), policy.PUBLIC)
LODGE = policy.tenancy(Permission.LODGE_OBJECTIONS)


@bp.app_template_global("object_until")
def object_until(change: ChangeNotice) -> dt.date:
    """The last UK day a school may object to a change (for every page that shows one)."""
    return window.object_until(change.effective_on)


@bp.app_template_global("window_open")
def window_open(change: ChangeNotice, on: dt.date | None = None) -> bool:
    """Whether a school may object to the change now, or on the UK date a page shows (`?on=`)."""
    if on is None or on == uk_today():
        return window.window_open(change.effective_on)
    return on <= window.object_until(change.effective_on)


@bp.app_template_global("days_to_object")
def days_to_object(change: ChangeNotice, on: dt.date | None = None) -> int:
    """The UK days left to object on this date (today by default), that day and the last one included."""
    return max((window.object_until(change.effective_on) - (on or uk_today())).days + 1, 0)


@bp.app_template_global("announced_line")
def announced_line(change: ChangeNotice, on: dt.date | None = None) -> dict[str, Markup]:
    """What the register's pages say of an announced change: what it is and when (`summary`), and
    the call to object while its window is open, that it has closed, or that there is nothing to
    object to (`call`), as on the UK date `on` (today without it).

    The same for every school, so rendered once per notice, date and language and kept (the
    register's cache): an announced notice's content never changes (database triggers refuse it,
    migration 0005), and a withdrawn one is no longer listed. Each school's own position on the
    change is written by the page itself (changes/_announced.html)."""

    def make() -> dict[str, Markup]:
        macros: Any = current_app.jinja_env.get_template("changes/_announced_line.html").module
        return {"summary": macros.summary(change), "call": macros.call(change, on)}  # macros return Markup

    return register_cache().fragment(("announced-line", change.id, on, uk_today()), make)


@bp.errorhandler(BadOnDate)
@public.errorhandler(BadOnDate)
def _bad_date(error: BadOnDate) -> Response:
    return render_error(BadRequest(), str(error))


def _on_day() -> dt.date:
    """The UK date the page shows (`?on=YYYY-MM-DD`, today without it), as the register's pages read it."""
    return on_date(request.args.get("on", ""))


@public.get("/<int:notice_id>")
def notice(notice_id: int) -> str:
    change = service.get_notice(notice_id)
    if change is None:
        abort(404)
    day = _on_day()
    # A signed-in member sees each of its organisations' position on the change.
    positions = queries.member_positions(current_user.id, change.id) if current_user.is_authenticated else []
    return render_template(
        "changes/notice.html", change=change, positions=positions, on_day=day, planning=day != uk_today()
    )


@bp.get("/changes")
def tenancy_objections() -> str | Response:
    # A mail links to `?change=<id>#change-<id>`: the query survives signing in, where a fragment
    # would be lost; once here the person is sent on to the change itself.
    change_id = request.args.get("change", type=int)
    if change_id is not None:
        return redirect(url_for("changes.tenancy_objections", _anchor=f"change-{change_id}"))
    objection_id = request.args.get("objection", type=int)
    if objection_id is not None:
        return redirect(url_for("changes.tenancy_objections", _anchor=f"objection-{objection_id}"))
    return _page()


@bp.post("/changes/<int:change_id>/object")
@policy.allow(LODGE)
def lodge(change_id: int) -> str | Response | tuple[str, int]:
    tenancy = current_tenancy()
    change = service.get_notice(change_id)
    if change is None:
        abort(404)
    form = _lodge_form(change, tenancy, _objected(tenancy), tenancy.is_trust and has_own_set(tenancy))
    if form.validate_on_submit():
        try:
            message = _lodge(change, tenancy, form)
        except ChangeError as error:
            db.session.commit()  # the refusal's audit row, and nothing else, is kept
            form.grounds.errors = [*form.grounds.errors, error.message]
        else:
            db.session.commit()
            success(message)
            return redirect(url_for("changes.tenancy_objections"))
    return _page(failed=(change.id, form)), 400


def _owned(objection_id: int) -> Objection:
    """An objection of this tenancy (a trust's: of its academies too), or 404 (audited)."""
    objection = queries.owned_objection(objection_id, _tenancy_ids(current_tenancy()))
    if objection is None:
        get_owned_or_404(Objection, objection_id)  # audits the attempt and answers 404
        abort(404)
    return objection


@bp.get("/objections/<int:objection_id>/withdraw")
@policy.allow(LODGE)
def confirm_withdraw(objection_id: int) -> str:
    """Withdrawing an accommodated objection gives the exclusion back: say what will apply, and when."""
    objection = _owned(objection_id)
    starts = max(uk_today(), objection.change.effective_on)
    replaced = None  # a replacement: the supplier the school keeps until then
    if objection.change.replaces_key:
        names = {entry.key: entry.supplier for entry in service.register_candidates()}
        replaced = names.get(objection.change.replaces_key, objection.change.replaces_key)
    return render_template(
        "changes/confirm_withdraw.html",
        objection=objection,
        starts=starts,
        replaced=replaced,
        form=ConfirmWithdrawForm(),
    )


@bp.post("/objections/<int:objection_id>/withdraw")
@policy.allow(LODGE)
def withdraw(objection_id: int) -> str | Response | tuple[str, int]:
    objection = _owned(objection_id)
    if objection.state is ObjectionState.ACCOMMODATED and request.form.get("confirmed") != "yes":
        return redirect(url_for("changes.confirm_withdraw", objection_id=objection_id))
    try:
        objections.withdraw_objection(objection, actor=Actor.of(current_user))
    except IllegalTransition as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("changes.tenancy_objections"))
    db.session.commit()
    success(
        _(
            "%(name)s's objection to “%(title)s” is withdrawn.",
            name=objection.tenancy.name,
            title=objection.change.title,
        )
    )
    return redirect(url_for("changes.tenancy_objections"))


@bp.post("/objections/<int:objection_id>/answer")
@policy.allow(LODGE)
def answer(objection_id: int) -> str | Response | tuple[str, int]:
    """The school answers the exit offer: accept the change, or take the exit."""
    objection = _owned(objection_id)
    form = ExitAnswerForm(prefix=f"answer-{objection.id}", meta={"csrf": False})
    if not form.validate_on_submit():
        flash(_("Select whether you accept the change or take the exit"))
        return redirect(url_for("changes.tenancy_objections", _anchor=f"objection-{objection.id}"))
    choose = exits.accept_change if form.choice.data == "accept" else exits.take_exit_offer
    try:
        choose(objection, Actor.of(current_user))
    except ChangeError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for("changes.tenancy_objections", _anchor=f"objection-{objection.id}"))
    db.session.commit()
    success(objection.exit_choice.label if objection.exit_choice else "")
    return redirect(url_for("changes.tenancy_objections", _anchor=f"objection-{objection.id}"))


def _lodge(change: ChangeNotice, tenancy: Tenancy, form: LodgeForm) -> str:
    """Lodge for the school, the trust itself, or the academies a trust chose (all of them); the message."""
    actor, grounds = Actor.of(current_user), form.grounds.data or ""
    target = form.target.data if "target" in form else None
    if target in ("all", "chosen"):
        chosen = None
        if target == "chosen":
            slugs = set(form.academies.data or [])
            chosen = [a for a in tenancy.academies if a.slug in slugs]
        result = objections.lodge_for_academies(change, tenancy, grounds=grounds, actor=actor, academies=chosen)
        if not result.lodged:
            raise ChangeError(_("Each academy you chose has already objected to this change."))
        names = ", ".join(o.tenancy.name for o in result.lodged)
        skipped = _(" %(count)d already had an objection.", count=len(result.already)) if result.already else ""
        return str(_("Objection lodged for %(names)s.", names=names)) + str(skipped)
    objections.lodge_objection(change, tenancy, grounds=grounds, actor=actor)
    return str(
        _(
            "Objection lodged for %(name)s. We will acknowledge it and tell you our decision by email.",
            name=tenancy.name,
        )
    )


def _tenancy_ids(tenancy: Tenancy) -> list[int]:
    return [tenancy.id, *(academy.id for academy in tenancy.academies)]


def _objected(tenancy: Tenancy) -> set[tuple[int, int]]:
    return {(o.change_id, o.tenancy_id) for o in queries.tenancy_objections(_tenancy_ids(tenancy))}


def _lodge_form(
    change: ChangeNotice, tenancy: Tenancy, objected: set[tuple[int, int]], trust_uses: bool = False
) -> LodgeForm:
    """A lodge form for one change. A trust is the controller for its academies: it objects for all of
    them or for those it chooses, and for itself only where its own staff use the service."""
    # One form per change on the page, so each is prefixed; CSRFProtect checks every POST app-wide,
    # which lets the page carry the plain `csrf_token` field.
    form = LodgeForm(prefix=f"change-{change.id}", meta={"csrf": False})
    if not tenancy.is_trust:
        del form.target, form.academies
        return form
    free = [a for a in tenancy.academies if (change.id, a.id) not in objected]
    choices = []
    if free:
        choices.append(SelectChoice("all", _("All %(count)d academies that have not objected yet", count=len(free))))
        choices.append(SelectChoice("chosen", _("Only the academies I choose below")))
    if trust_uses and (change.id, tenancy.id) not in objected:
        choices.append(
            SelectChoice(tenancy.slug, _("%(name)s itself (its central staff's own use)", name=tenancy.name))
        )
    form.target.choices = choices
    form.target.validators = [InputRequired(message=_("Select who you are objecting for"))]
    form.academies.choices = [SelectChoice(a.slug, a.name) for a in free]
    return form


def _page(failed: tuple[int, LodgeForm] | None = None) -> str:
    tenancy = current_tenancy()
    # `?on=`: the changes as they stand on that UK date with today's knowledge. Objecting and
    # answering happen today, so a page for another date shows positions and offers no form.
    day = _on_day() if failed is None else uk_today()
    planning = day != uk_today()
    mine = queries.tenancy_objections(_tenancy_ids(tenancy))
    objected = {(o.change_id, o.tenancy_id) for o in mine}
    may_lodge = policy.may(current_user, Permission.LODGE_OBJECTIONS, tenancy) and not planning
    changes = service.announced_changes(day)
    trust_uses = tenancy.is_trust and has_own_set(tenancy)
    forms = {}
    for change in changes:
        if failed is not None and failed[0] == change.id:
            forms[change.id] = failed[1]
        elif may_lodge and change.kind is not ChangeKind.REMOVAL and window.window_open(change.effective_on):
            form = _lodge_form(change, tenancy, objected, trust_uses)
            if "target" not in form and (change.id, tenancy.id) in objected:
                continue
            if "target" in form and not form.target.choices:
                continue
            forms[change.id] = form
    positions: dict[int, list[Objection]] = {}
    for found in mine:
        positions.setdefault(found.change_id, []).append(found)
    return render_template(
        "changes/tenancy.html",
        tenancy=tenancy,
        changes=changes,
        objections=mine,
        positions=positions,
        answer_forms={
            o.id: ExitAnswerForm(prefix=f"answer-{o.id}", meta={"csrf": False}) for o in mine if answerable(o)
        },
        forms=forms,
        form=failed[1] if failed else None,
        may_lodge=may_lodge,
        withdrawable={o.id for o in mine if ObjectionState.WITHDRAWN in TRANSITIONS[o.state]},
        notice_period=window.notice_period_days(),
        on_day=day,
        planning=planning,
    )
