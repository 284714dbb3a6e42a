"""The API the vendor's platform reads and confirms through: /api/v1/ (bearer tokens, no CSRF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from werkzeug.exceptions import HTTPException

from portal import policy
from portal.api import confirmations
from portal.api.auth import token_actor
from portal.api.openapi import document
from portal.api.problems import Problem, from_http, from_problem
from portal.extensions import csrf, db
from portal.pagination import paginate
from portal.register.effective import EffectiveSet, effective_set, effective_sets, has_own_set
from portal.register.models import TenancyExclusion, TenancyOptionSetting
from portal.register.publication import academies_json, effective_set_json
from portal.register.service import published_versions
from portal.register.tenancy_views import BadOnDate, on_date
from portal.tenancy.models import Tenancy
from portal.web.urls import public_url

bp = policy.declare(Blueprint("api", __name__, url_prefix="/api/v1"), policy.api(policy.Permission.API_READ))
# Callers authenticate with a bearer token in a header, which a browser never sends by itself:
# there is no cookie to ride on, so no CSRF token is needed (the one exemption besides unsubscribe).
csrf.exempt(bp)
bp.register_error_handler(Problem, from_problem)
bp.register_error_handler(HTTPException, from_http)

MAX_PER_PAGE = 100


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Problem(
            400,
            _("Bad Request"),
            _(
                "%(name)s must be a whole number from %(low)s to %(high)s",
                name=name,
                low=low,
                high=high,
            ),
        )
    return int(raw)


def _time_arg(name: str) -> dt.datetime | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Problem(
            400,
            _("Bad Request"),
            _(
                "%(name)s must be a date-time such as 2026-12-06T10:15:00Z",
                name=name,
            ),
        ) from None
    if value.tzinfo is None:
        raise Problem(400, _("Bad Request"), _("%(name)s needs a time zone, such as 2026-12-06T10:15:00Z", name=name))
    return value


def _tenancy(ref: str) -> Tenancy:
    """A tenancy by its URN (six digits) or its slug."""
    column = Tenancy.urn if ref.isdigit() and len(ref) == 6 else Tenancy.slug
    tenancy: Tenancy | None = db.session.scalar(select(Tenancy).where(column == ref))
    if tenancy is None:
        raise Problem(404, _("Not Found"), _("No school or trust has the URN or name “%(ref)s”", ref=ref))
    return tenancy


def _tenancy_json(
    tenancy: Tenancy,
    found: EffectiveSet,
    settings: list[TenancyOptionSetting],
    exclusions: list[TenancyExclusion],
) -> dict[str, Any]:
    own = {setting.option_id: setting for setting in settings}
    return {
        "slug": tenancy.slug,
        "urn": tenancy.urn,
        "name": tenancy.name,
        "kind": tenancy.kind.value,
        "trust": tenancy.trust.slug if tenancy.trust is not None else None,
        "options": [
            {
                "key": state.option.key,
                "enabled": state.enabled,
                "is_default": state.is_default,
                "version": state.version,
                "requested_at": _iso(own[state.option.id].updated_at) if state.option.id in own else None,
                "applied_at": _iso(own[state.option.id].applied_at) if state.option.id in own else None,
            }
            for state in found.options
        ],
        "exclusions": [
            {"entry": e.entry_key, "since": _iso(e.since), "applied_at": _iso(e.applied_at)} for e in exclusions
        ],
        "effective_set": effective_set_json(tenancy, found),
    }


@bp.get("/tenancies")
def tenancies() -> Response:
    page, per_page = _int_arg("page", 1, 1, 100000), _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    since = _time_arg("changed_since")
    query = select(Tenancy).order_by(Tenancy.id)
    if since is not None:
        changed_option = select(TenancyOptionSetting.tenancy_id).where(
            or_(TenancyOptionSetting.updated_at >= since, TenancyOptionSetting.applied_at >= since)
        )
        changed_exclusion = select(TenancyExclusion.tenancy_id).where(
            or_(TenancyExclusion.since >= since, TenancyExclusion.applied_at >= since)
        )
        query = query.where(or_(Tenancy.id.in_(changed_option), Tenancy.id.in_(changed_exclusion)))
    found = paginate(query, page, per_page)
    rows: list[Tenancy] = [row[0] for row in found.items]
    ids = [t.id for t in rows]
    sets = effective_sets(rows)
    settings, exclusions = confirmations.settings_of(ids), confirmations.exclusions_of(ids)
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    return jsonify(
        items=[_tenancy_json(t, sets[t.id], settings[t.id], exclusions[t.id]) for t in rows],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        next=url_for("api.tenancies", page=found.next_num, **args) if found.has_next else None,
    )


@bp.get("/tenancies/<slug:ref>")
def tenancy(ref: str) -> Response:
    here = _tenancy(ref)
    found = effective_set(here)
    settings, exclusions = confirmations.settings_of([here.id]), confirmations.exclusions_of([here.id])
    return jsonify(_tenancy_json(here, found, settings[here.id], exclusions[here.id]))


@bp.get("/tenancies/<slug:ref>/sub-processors")
def tenancy_set(ref: str) -> Response:
    """The tenancy's effective set on a date: the same answer as /t/<tenancy>/sub-processors.json?on=.

    A trust whose own staff do not use the service has no set of its own: the answer is its academies'."""
    here = _tenancy(ref)
    try:
        day = on_date(request.args.get("on", ""))
    except BadOnDate as error:
        raise Problem(400, _("Bad Request"), str(error)) from None
    if has_own_set(here):
        return jsonify(effective_set_json(here, effective_set(here, today=day)))
    academies = list(here.academies)
    return jsonify(academies_json(here, academies, effective_sets(academies, today=day), day))


@bp.post("/tenancies/<slug:ref>/confirmations")
@policy.allow(policy.api(policy.Permission.API_CONFIRM))
def confirm(ref: str) -> tuple[Response, int]:
    here = _tenancy(ref)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, _("Bad Request"), _("Send a JSON object"))
    kind, applied_at = body.get("kind"), _applied_at(body.get("applied_at"))
    try:
        if kind == "option" and isinstance(body.get("option"), str) and _is_int(body.get("version")):
            setting = confirmations.confirm_option(
                here, body["option"], body["version"], applied_at, actor=token_actor()
            )
            result = {
                "kind": "option",
                "option": body["option"],
                "version": setting.version,
                "applied_at": _iso(setting.applied_at),
            }
        elif kind == "exclusion" and isinstance(body.get("entry"), str):
            exclusion = confirmations.confirm_exclusion(here, body["entry"], applied_at, actor=token_actor())
            result = {"kind": "exclusion", "entry": exclusion.entry_key, "applied_at": _iso(exclusion.applied_at)}
        else:
            raise Problem(
                422,
                _("Unprocessable Content"),
                _("Send kind “option” with option and version, or kind “exclusion” with entry"),
            )
    except confirmations.ConfirmationError as error:
        db.session.rollback()
        raise Problem(error.status, str(_TITLES.get(error.status, _l("Error"))), str(error)) from None
    db.session.commit()
    return jsonify(result), 200


_TITLES = {404: _l("Not Found"), 409: _l("Conflict"), 422: _l("Unprocessable Content")}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**31 - 1


def _applied_at(raw: Any) -> dt.datetime:
    if not isinstance(raw, str):
        raise Problem(422, _("Unprocessable Content"), _("applied_at must be a date-time such as 2026-12-06T10:15:00Z"))
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Problem(
            422, _("Unprocessable Content"), _("applied_at must be a date-time such as 2026-12-06T10:15:00Z")
        ) from None
    if value.tzinfo is None:
        raise Problem(422, _("Unprocessable Content"), _("applied_at needs a time zone, such as 2026-12-06T10:15:00Z"))
    return value


@bp.after_request
def _conditional(response: Response) -> Response:
    """An ETag on every successful read, so a poller re-fetches nothing unchanged (304)."""
    if request.method == "GET" and response.status_code == 200:
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/register/versions")
@policy.allow(policy.PUBLIC)
def register_versions() -> Response:
    """Every published version, newest first: public open data, like /sub-processors.json."""
    items = [
        {
            "number": v.number,
            "sequence": v.sequence,
            "published_at": _iso(v.published_at),
            "material": v.material,
            "summary": v.summary,
            "json": public_url("register.version_json_view", sequence=v.sequence),
            "page": public_url("register.version", sequence=v.sequence),
        }
        for v in published_versions()
    ]
    response = jsonify(items=items)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/openapi.json")
@policy.allow(policy.PUBLIC)
def openapi() -> Response:
    return jsonify(document())
