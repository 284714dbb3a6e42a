"""Public pages: the start page, health check, cookies, accessibility statement and privacy notice."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import policy
from portal.extensions import db

bp = policy.declare(Blueprint("web", __name__), policy.PUBLIC)


@bp.get("/")
def start() -> str:
    return render_template("web/start.html")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 after a database round trip; 503 with a clear body when the database cannot be reached."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: send them to the portal's own icon."""
    return redirect(url_for("static", filename="images/favicon.svg"), code=301)  # type: ignore[return-value]


@bp.get("/cookies")
def cookies() -> str:
    return render_template("web/cookies.html")


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("web/accessibility.html")


@bp.get("/privacy")
def privacy() -> str:
    return render_template("web/privacy.html")
