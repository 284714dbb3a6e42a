"""A tenancy's own view of the register: its effective set (page and JSON) and its options."""

from __future__ import annotations

import datetime as dt
import secrets
from functools import partial
from typing import Any

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Row
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from portal.audit.service import Actor
from portal.changes.models import ChangeNotice
from portal.dates import govuk_date, uk_today
from portal.errors import render_error
from portal.extensions import db
from portal.policy import Permission, allow, tenancy
from portal.register.ai import tenancy_section
from portal.register.cache import register_cache
from portal.register.choices import OptionState, announced_objections, load_options, tenancy_choices
from portal.register.effective import (
    EffectiveLine,
    EffectiveSet,
    effective_set,
    effective_sets,
    has_own_set,
    published_on,
)
from portal.register.errors import OptionConflict
from portal.register.forms import OptionForm, TrustOptionForm
from portal.register.models import TenancyOption
from portal.register.options import set_option, set_option_for_academies
from portal.register.publication import academies_json, effective_set_json
from portal.register.service import MAX_DAYS_AHEAD, first_published_on
from portal.register.signals import register_today
from portal.tenancy.models import Tenancy
from portal.tenancy.scoping import current_tenancy, tenancy_blueprint
from portal.web.messages import success

bp = tenancy_blueprint("tenancy_register", __name__)


class _BadDate(ValueError):
    """A `?on=` date the portal cannot answer for."""


BadOnDate = _BadDate  # the API answers the same dates with the same messages (#27)


def _on_date() -> dt.date:
    """The UK date asked for with `?on=YYYY-MM-DD` (today without it), within the range the portal knows."""
    return on_date(request.args.get("on", ""))


def on_date(raw: str) -> dt.date:
    """A `YYYY-MM-DD` date the register can answer for (today when empty); raises BadOnDate with why not."""
    raw = raw.strip()
    today = uk_today()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise _BadDate(_("Enter the date as YYYY-MM-DD, for example 2027-01-15")) from None
    first = first_published_on()
    latest = today + dt.timedelta(days=MAX_DAYS_AHEAD)
    if first is None or day < first:
        raise _BadDate(_("There was no published register before %(first)s", first=govuk_date(first or today)))
    if day > latest:
        raise _BadDate(_("Enter a date no later than %(latest)s", latest=govuk_date(latest)))
    return day


@bp.errorhandler(_BadDate)
def _bad_date(error: _BadDate) -> BaseResponse:
    return render_error(BadRequest(), str(error))


@bp.get("/sub-processors", endpoint="effective_set")
def effective_set_page() -> str:
    here = current_tenancy()
    today = _on_date()
    published = register_today(today)  # the version and the announced notices, in one statement
    version, notices = published.version, published.notices
    if today < uk_today():  # a past date: the register then, and the notices announced by then
        version, notices = published_on(today), [n for n in notices if uk_today(n.published_at) <= today]
    academies = list(here.academies) if here.is_trust else []
    own = has_own_set(here)
    # A trust's own set (where it has one) and its academies' sets are decided together, in the same
    # statements; their objections to announced changes are read once for the standstills and the cards.
    objectors = [here, *academies] if own else academies
    objections = announced_objections([t.id for t in objectors])
    sets = effective_sets(objectors, today=today, version=version, notices=notices, objections=objections)
    context: dict[str, Any] = {
        **_positions(notices, objectors, objections),
        "tenancy": here,
        "academies": academies,
        "academy_sets": sets,
        "change_notices": notices,
        "planning": today > uk_today(),
        "on_day": today,
        "on_arg": today.isoformat() if today != uk_today() else None,
    }
    if not own:  # the controller for its academies only: the page is about them
        return render_template("register/trust_academies.html", version=version, **context)
    found = sets.pop(here.id)
    decided = _decided(found, here.name) if found.version is not None else {}
    return render_template("register/effective_set.html", found=found, decided=decided, **context)


def _positions(notices: list[ChangeNotice], objectors: list[Tenancy], objections: list[Row[Any]]) -> dict[str, Any]:
    """Each announced change's objections by these tenancies, and the changes some of them may still
    object to: once each has objected, its position replaces the call to object (#21 item 8).

    `objections` are the tenancies' objections to announced changes (`announced_objections`); the
    cards show those to these notices (on a past date, the notices announced by then)."""
    shown = {n.id for n in notices}
    found = sorted((o for o in objections if o.change_id in shown), key=lambda o: o.id)
    names = {t.id: t.name for t in objectors}
    positions: dict[int, list[tuple[str, Row[Any]]]] = {}
    for objection in found:
        positions.setdefault(objection.change_id, []).append((names[objection.tenancy_id], objection))
    objected = {(o.change_id, o.tenancy_id) for o in found}
    callable_ = {n.id for n in notices if any((n.id, t.id) not in objected for t in objectors)}
    return {"objection_positions": positions, "may_still_object": callable_}


# Where the tenancy's name goes in the parts kept per decision (`_decided`): random, so no text can contain it.
_NAME = f"portal-tenancy-name-{secrets.token_hex(8)}"


def _decided(found: EffectiveSet, name: str) -> dict[str, Markup]:
    """The parts of the page made from the decided lines alone: the Welsh note with the in-use and
    not-in-use tables, the upcoming changes, the AI section and the options' values.

    They are kept under what decided the lines, in one lookup, so the schools that share a decision
    (the same options and exclusions on the same day and version) share them. The tables' captions
    name the tenancy: they are kept with a marker there, which each request replaces with its own
    tenancy's name (`Markup.replace` escapes it). Nothing else kept is the tenancy's own."""
    macros = current_app.jinja_env.get_template("register/_tenancy_decided.html").module
    register_url = url_for("register.public_register")

    def make() -> dict[str, Markup]:
        ai = tenancy_section(found.lines)
        in_use, not_in_use = _rows(found.included, in_use=True), _rows(found.excluded, in_use=False)
        return {
            "tables": macros.tables(found, in_use, not_in_use, _NAME),  # type: ignore[attr-defined]
            "upcoming": macros.upcoming(found.upcoming),  # type: ignore[attr-defined]
            "ai": macros.ai(ai.lines, ai.points),  # type: ignore[attr-defined]
            "options": macros.options(found.options),  # type: ignore[attr-defined]
        }

    if found.decided_by is None:  # not made by `effective_sets`: nothing says what decided it
        kept = make()
    else:
        kept = register_cache().fragment(("effective-decided", found.decided_by, register_url), make)
    return {**kept, "tables": kept["tables"].replace(_NAME, name)}


def _rows(lines: list[EffectiveLine], *, in_use: bool) -> Markup:
    """The table rows of some lines of an effective set, each rendered once per distinct content.

    Most schools share most lines (the same entry, reason and date), so a row is kept in the
    register's cache under everything it shows: the published entry (whose content never
    changes), the reason, the date as shown and the register's address. A line that differs
    for one school (an option it changed, an objection of its own) is a row of its own.
    """
    macros = current_app.jinja_env.get_template("register/_effective_rows.html").module
    render = macros.in_use_row if in_use else macros.not_in_use_row  # type: ignore[attr-defined]
    register_url = url_for("register.public_register")
    cache = register_cache()
    rows = []
    for line in lines:
        since = govuk_date(line.since) if line.since else (str(_("Not known")) if in_use else "")
        key = ("effective-row", str(get_locale()), in_use, line.entry.id, line.reason, since, register_url)
        rows.append(cache.fragment(key, partial(render, line.entry, line.reason, since, register_url)))
    return Markup("").join(rows)


@bp.get("/sub-processors.json", endpoint="effective_set_json")
def effective_set_json_view() -> Response:
    here, today = current_tenancy(), _on_date()
    if has_own_set(here):
        return jsonify(effective_set_json(here, effective_set(here, today=today)))
    academies = list(here.academies)
    return jsonify(academies_json(here, academies, effective_sets(academies, today=today), today))


def _option_form(state: OptionState, formdata: Any = None) -> OptionForm:
    """A form showing one option's current value and the version it was read at."""
    form = OptionForm(formdata=formdata, prefix=state.option.key)
    if formdata is None:
        form.enabled.data = "on" if state.enabled else "off"
    form.version.data = str(state.version)
    return form


def _render_options(
    here: Tenancy, *, failed: OptionForm | TrustOptionForm | None = None, failed_key: str = "", status: int = 200
) -> tuple[str, int]:
    """The options page; a form that failed keeps what the user chose, with the version now current."""
    found = effective_set(here)
    options = [state.option for state in found.options]
    academies = list(here.academies) if here.is_trust else []
    academy_states = tenancy_choices([a.id for a in academies]).states if academies else {}
    forms = {state.option.key: _option_form(state) for state in found.options}
    trust_forms = {}
    for option in options if academies else []:
        trust_forms[option.key] = TrustOptionForm(formdata=None, prefix=f"all-{option.key}")
        trust_forms[option.key].versions.data = ",".join(
            f"{a.id}:{academy_states[a.id][option.id].version}" for a in academies
        )
    if isinstance(failed, TrustOptionForm):
        failed.versions.data = trust_forms[failed_key].versions.data
        trust_forms[failed_key] = failed
    elif failed is not None:
        failed.version.data = forms[failed_key].version.data
        forms[failed_key] = failed
    page = render_template(
        "register/options.html",
        tenancy=here,
        found=found,
        forms=forms,
        trust_forms=trust_forms,
        academies=academies,
        academy_states=academy_states,
        form=failed,
        own=has_own_set(here),
    )
    return page, status


@bp.get("/options", endpoint="options")
def options_page() -> tuple[str, int]:
    return _render_options(current_tenancy())


def _submitted_option() -> TenancyOption:
    key = request.form.get("option", "")
    option = next((o for o in load_options() if o.key == key), None)
    if option is None:
        abort(400, _("That option does not exist. Reload the page and try again."))
    return option


@bp.post("/options", endpoint="change_option")
@allow(tenancy(Permission.MANAGE_OPTIONS))
def change_option() -> BaseResponse | tuple[str, int]:
    here, option = current_tenancy(), _submitted_option()
    if not has_own_set(here):
        abort(404)  # a trust only for its academies has no options of its own (the page offers none)
    form = OptionForm(prefix=option.key)
    if not form.validate_on_submit():
        return _render_options(here, failed=form, failed_key=option.key, status=400)
    enabled = form.enabled.data == "on"
    try:
        set_option(here, option, enabled, expected_version=int(form.version.data), actor=Actor.of(current_user))
    except OptionConflict as conflict:
        db.session.rollback()
        form.enabled.errors = [conflict.message]
        return _render_options(here, failed=form, failed_key=option.key, status=409)
    db.session.commit()
    # Says what changed, for whom (a trust's page speaks of the trust, not "your school", #25).
    message = (
        _(
            "%(option)s is now on for %(name)s. %(name)s's sub-processors have been updated.",
            option=option.name,
            name=here.name,
        )
        if enabled
        else _(
            "%(option)s is now off for %(name)s. %(name)s's sub-processors have been updated.",
            option=option.name,
            name=here.name,
        )
    )
    success(message)
    return redirect(url_for(".effective_set", _anchor=f"option-{option.key}"))


@bp.post("/options/all-academies", endpoint="change_option_for_academies")
@allow(tenancy(Permission.ACT_FOR_TRUST))
def change_option_for_academies() -> BaseResponse | tuple[str, int]:
    here, option = current_tenancy(), _submitted_option()
    if not here.is_trust or not here.academies:
        abort(404)
    form = TrustOptionForm(prefix=f"all-{option.key}")
    if not form.validate_on_submit():
        return _render_options(here, failed=form, failed_key=option.key, status=400)
    enabled = form.enabled.data == "on"
    try:
        changed = set_option_for_academies(
            here, option, enabled, expected_versions=form.expected_versions(), actor=Actor.of(current_user)
        )
    except OptionConflict as conflict:
        db.session.rollback()
        form.enabled.errors = [conflict.message]
        return _render_options(here, failed=form, failed_key=option.key, status=409)
    db.session.commit()
    message = (
        _(
            "%(option)s is now on for every academy of %(trust)s (%(count)s).",
            option=option.name,
            trust=here.name,
            count=len(changed),
        )
        if enabled
        else _(
            "%(option)s is now off for every academy of %(trust)s (%(count)s).",
            option=option.name,
            trust=here.name,
            count=len(changed),
        )
    )
    success(message)
    return redirect(url_for(".options"))
