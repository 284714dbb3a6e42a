"""The public register: the current version, earlier versions, comparisons, JSON and the Atom feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from typing import Any, NamedTuple

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, session
from flask_babel import gettext as _
from markupsafe import Markup

from portal import policy
from portal.dates import start_of_uk_day, uk_today
from portal.register import service, welsh
from portal.register.ai import jurisdiction_notes, public_section
from portal.register.cache import register_cache
from portal.register.materiality import compare_entries
from portal.register.models import RegisterEntry, RegisterVersion
from portal.register.publication import SCHEMA_PATH, atom_feed, version_json
from portal.register.signals import RegisterToday, feed_entries, register_today
from portal.register.upcoming import announced_changes
from portal.register.vocabulary import country_name
from portal.web.security import csp_nonce

bp = policy.declare(Blueprint("register", __name__), policy.PUBLIC)
bp.add_app_template_global(country_name, "country_name")
bp.add_app_template_global(jurisdiction_notes, "jurisdiction_notes")
bp.add_app_template_global(compare_entries, "entry_difference")
bp.add_app_template_global(public_section, "public_ai")
bp.add_app_template_global(welsh.vendor_text, "vendor_text")
bp.add_app_template_global(welsh.localised, "vendor_localised")
bp.add_app_template_global(welsh.missing_on_page, "welsh_missing")


PUBLIC_CACHE = "public, max-age=60"
# A published version's own JSON never changes (the database refuses any change to the version).
IMMUTABLE = "public, max-age=31536000, immutable"
# Where a kept page's script nonce goes (replaced in every response). Random per process, so no
# register text can contain it and be mistaken for it.
NONCE_MARKER = secrets.token_hex(16)
FEED_LENGTH = 20


def _cached(response: Response) -> Response:
    """The register is public and changes rarely: a minute of caching spares the database."""
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


def _page(template: str, **context: Any) -> Response:
    return _cached(Response(render_template(template, **context)))


class VersionParts(NamedTuple):
    """A published version's page, less the announced change notices (which change on their own)."""

    top: Markup
    rest: Markup


def _version_parts(version: RegisterVersion, today: dt.date, is_current: bool) -> VersionParts:
    """The page's parts, rendered once per version, UK date and currency (see register/cache.py)."""

    def render() -> VersionParts:
        upcoming = announced_changes(version.entries, today) if is_current else []
        context = {"version": version, "upcoming": upcoming, "is_current": is_current}
        return VersionParts(
            Markup(render_template("register/_public_top.html", **context)),  # noqa: S704 - Jinja-escaped HTML
            Markup(render_template("register/_public_rest.html", **context)),  # noqa: S704 - Jinja-escaped HTML
        )

    return register_cache().page(render, part="version", version=version.id, today=today, is_current=is_current)


def _version_page(version: RegisterVersion | None, published: RegisterToday) -> Response:
    """A version's page. Without a session (no user, no message, no form token) nothing on it is
    personal, so the whole page is kept, for the version, the UK date and the announced notices,
    with a marker where the CSP nonce goes: each response puts its own nonce there."""
    if version is None:
        return _page("register/public.html", version=None, parts=None, is_current=True)
    is_current = published.version is not None and published.version.id == version.id
    today, notices = published.today, published.notices
    context = {"version": version, "is_current": is_current, "change_notices": notices}
    context["parts"] = _version_parts(version, today, is_current)
    if session:
        return _page("register/public.html", **context)
    page = register_cache().page(
        lambda: render_template("register/public.html", cspNonce=NONCE_MARKER, **context),
        part="whole",
        version=version.id,
        today=today,
        is_current=is_current,
        notices=tuple(notice.id for notice in notices),
    )
    return _cached(Response(page.replace(NONCE_MARKER, csp_nonce())))


def _open_data(body: bytes, mimetype: str, last_modified: dt.datetime | None, *, cache: str = PUBLIC_CACHE) -> Response:
    """A public data document as consumers of open feeds expect: readable from any origin, with
    validators (a strong ETag of the bytes and Last-Modified) so that a repeated request is a 304."""
    response = Response(body, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = cache
    response.set_etag(hashlib.sha256(body).hexdigest()[:40])
    if last_modified is not None:
        response.last_modified = last_modified
    response.make_conditional(request)
    return response


def _date_changed(entries: Sequence[RegisterEntry], today: dt.date) -> dt.datetime | None:
    """The start of the latest UK day, up to today, on which an announced change took effect: the
    list of upcoming changes (and so the document) last changed then."""
    days = [d for e in entries for d in (e.effective_on, e.retires_on) if d is not None and d <= today]
    return start_of_uk_day(max(days)) if days else None


def _version_json(version: RegisterVersion, *, current: bool) -> Response:
    """A version as JSON, serialised once per version (and UK date, for the current one).

    A published version's own document is dated by its publication: its upcoming changes are
    those it announced, so it never changes and may be cached for ever. The current register's
    document lists the changes still to come today.
    """
    today = uk_today() if current else uk_today(version.published_at)

    def render() -> bytes:
        history = service.published_versions(with_content=True, limit=FEED_LENGTH, up_to=version.sequence)
        return bytes(jsonify(version_json(version, today, history)).data)

    body = register_cache().page(render, version=version.id, today=today)
    mimetype = current_app.json.mimetype  # type: ignore[attr-defined]
    if not current:
        return _open_data(body, mimetype, version.published_at, cache=IMMUTABLE)
    changed = max(d for d in (version.published_at, _date_changed(version.entries, today)) if d is not None)
    return _open_data(body, mimetype, changed)


@bp.get("/sub-processors")
def public_register() -> Response:
    published = register_today(uk_today())
    return _version_page(published.version, published)


def _json_not_found(message: str) -> tuple[Response, int]:
    return jsonify(error="Not Found", message=message), 404


@bp.get("/sub-processors.json")
def public_register_json() -> Response | tuple[Response, int]:
    version = service.current_published()
    if version is None:
        return _json_not_found(_("No version of the register has been published yet."))
    return _version_json(version, current=True)


@bp.get("/sub-processors.schema.json")
def schema() -> Response:
    modified = dt.datetime.fromtimestamp(SCHEMA_PATH.stat().st_mtime, dt.UTC).replace(microsecond=0)
    return _open_data(SCHEMA_PATH.read_bytes(), "application/schema+json", modified)


@bp.get("/sub-processors.atom")
def feed() -> Response:
    today = uk_today()
    versions = service.published_versions(with_content=True, limit=FEED_LENGTH)
    notices = feed_entries(today)
    feed = atom_feed(versions, today, notices=notices)
    instants = [v.published_at for v in versions[:1]] + [n.updated for n in notices]
    if versions:
        instants.append(_date_changed(versions[0].entries, today))
    present = [i for i in instants if i is not None]
    return _open_data(feed, "application/atom+xml", max(present) if present else None)


@bp.get("/sub-processors/versions")
def versions() -> Response:
    return _page("register/versions.html", versions=service.published_versions())


@bp.get("/sub-processors/versions/<int:sequence>")
def version(sequence: int) -> Response:
    found = service.published_version(sequence)
    if found is None:
        abort(404)
    return _version_page(found, register_today(uk_today()))


@bp.get("/sub-processors/versions/<int:sequence>.json")
def version_json_view(sequence: int) -> Response | tuple[Response, int]:
    found = service.published_version(sequence)
    if found is None:
        return _json_not_found(_("There is no published version with that number."))
    return _version_json(found, current=False)


@bp.get("/sub-processors/compare")
def compare() -> Response | tuple[str, int]:
    published = service.published_versions()
    if len(published) < 2:
        return _page("register/compare.html", versions=published, comparison=None, error=None)
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    if raw_from is None and raw_to is None:
        raw_from, raw_to = str(published[1].sequence), str(published[0].sequence)
    error = _compare_error(raw_from, raw_to, {v.sequence for v in published})
    if error:
        return render_template("register/compare.html", versions=published, comparison=None, error=error), 400
    assert raw_from is not None and raw_to is not None
    before, after = service.get_version(int(raw_from)), service.get_version(int(raw_to))
    assert before is not None and after is not None
    if before.sequence > after.sequence:
        before, after = after, before
    comparison = service.compare_versions(before, after)
    return _page("register/compare.html", versions=published, comparison=comparison, error=None)


def _compare_error(raw_from: str | None, raw_to: str | None, known: set[int]) -> str | None:
    """A plain-English reason the two versions cannot be compared, or None."""
    if not raw_from or not raw_to:
        return str(_("Choose two versions to compare."))
    if not (raw_from.isdigit() and raw_to.isdigit()) or len(raw_from) > 9 or len(raw_to) > 9:
        return str(_("Choose versions from the lists: the addresses of versions are numbers."))
    if int(raw_from) not in known or int(raw_to) not in known:
        return str(_("There is no published version with that number. Choose versions from the lists."))
    if raw_from == raw_to:
        return str(_("Choose two different versions to compare."))
    return None
