"""Sign-in and sign-out pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import policy
from portal.audit import service as audit
from portal.auth.sessions import end_session, safe_next, user_or_none
from portal.extensions import db

bp = policy.declare(Blueprint("auth", __name__), policy.PUBLIC)


@bp.get("/sign-in")
def sign_in() -> str:
    return render_template("auth/sign_in.html", next=safe_next(request.args.get("next")))


@bp.post("/sign-out")
@policy.allow(policy.SIGNED_IN)
def sign_out() -> Response:
    user = user_or_none()
    audit.record("auth.sign_out", actor=audit.Actor.of(user))
    db.session.commit()
    end_session()
    flash("You have signed out.")
    return redirect(url_for("web.start"))
