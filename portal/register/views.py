"""The public register: the current version, earlier versions, comparisons, JSON and the Atom feed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from portal import policy
from portal.dates import uk_today
from portal.register import service
from portal.register.effective import announced_changes
from portal.register.publication import SCHEMA_PATH, atom_feed, version_json

bp = policy.declare(Blueprint("register", __name__), policy.PUBLIC)

PUBLIC_CACHE = "public, max-age=60"
FEED_LENGTH = 20


def _cached(response: Response) -> Response:
    """The register is public and changes rarely: a minute of caching spares the database."""
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


def _page(template: str, **context: Any) -> Response:
    return _cached(Response(render_template(template, **context)))


@bp.get("/sub-processors")
def public_register() -> Response:
    version = service.current_version()
    today = uk_today()
    upcoming = announced_changes(version.entries, today) if version else []
    return _page("register/public.html", version=version, upcoming=upcoming, today=today, is_current=True)


def _json_not_found(message: str) -> tuple[Response, int]:
    return jsonify(error="Not Found", message=message), 404


@bp.get("/sub-processors.json")
def public_register_json() -> Response | tuple[Response, int]:
    version = service.current_version()
    if version is None:
        return _json_not_found("No version of the register has been published yet.")
    return _cached(jsonify(version_json(version, uk_today())))


@bp.get("/sub-processors.schema.json")
def schema() -> Response:
    return _cached(Response(SCHEMA_PATH.read_bytes(), mimetype="application/schema+json"))


@bp.get("/sub-processors.atom")
def feed() -> Response:
    from portal.changes.service import feed_items

    versions = service.published_versions(with_content=True, limit=FEED_LENGTH)
    feed = atom_feed(versions, uk_today(), notices=feed_items())
    return _cached(Response(feed, mimetype="application/atom+xml"))


@bp.get("/sub-processors/versions")
def versions() -> Response:
    return _page("register/versions.html", versions=service.published_versions())


@bp.get("/sub-processors/versions/<int:sequence>")
def version(sequence: int) -> Response:
    found = service.get_version(sequence)
    if found is None:
        abort(404)
    current = service.current_version()
    is_current = current is not None and current.id == found.id
    upcoming = announced_changes(found.entries, uk_today()) if is_current else []
    return _page("register/public.html", version=found, upcoming=upcoming, today=uk_today(), is_current=is_current)


@bp.get("/sub-processors/versions/<int:sequence>.json")
def version_json_view(sequence: int) -> Response | tuple[Response, int]:
    found = service.get_version(sequence)
    if found is None:
        return _json_not_found("There is no published version with that number.")
    return _cached(jsonify(version_json(found, uk_today())))


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
        return "Choose two versions to compare."
    if not (raw_from.isdigit() and raw_to.isdigit()) or len(raw_from) > 9 or len(raw_to) > 9:
        return "Choose versions from the lists: the addresses of versions are numbers."
    if int(raw_from) not in known or int(raw_to) not in known:
        return "There is no published version with that number. Choose versions from the lists."
    if raw_from == raw_to:
        return "Choose two different versions to compare."
    return None
