"""The vendor console's service tokens page: create (secret shown once), list, revoke (#27)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from portal import policy
from portal.api import tokens
from portal.api.forms import TokenForm
from portal.api.models import TokenScope
from portal.audit.service import Actor
from portal.extensions import db
from portal.web.messages import success

# Tokens read every school's options and confirm changes for them: vendor admins, recently signed in.
bp = policy.declare(
    Blueprint("api_tokens", __name__, url_prefix="/vendor/api-tokens"),
    policy.vendor(policy.Permission.CHANGE_SETTINGS, recent_sign_in=True),
)


def _render(form: TokenForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("api_tokens/index.html", form=form, tokens=tokens.all_tokens(), secret=secret), status


@bp.get("")
def index() -> tuple[str, int]:
    return _render(TokenForm(formdata=None))


@bp.post("")
def create() -> tuple[str, int] | Response:
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, status=200)
    try:
        token, secret = tokens.create_token(
            form.name.data or "",
            [TokenScope(s) for s in form.scopes.data or []],
            actor=Actor.of(current_user),
            submission_key=form.submission_key.data or None,
        )
    except (tokens.TokenError, ValueError) as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _render(form)
    db.session.commit()
    if secret is None:
        flash(
            _(
                "This form was already sent and token “%(name)s” made then: no second token was made. Its secret "
                "was shown once, on that page; if you did not copy it, revoke the token and create another.",
                name=token.name,
            )
        )
        return redirect(url_for("api_tokens.index"))
    # Shown on this response only: the portal keeps the hash, so it cannot show the secret again.
    return _render(TokenForm(formdata=None), secret=secret)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int) -> Response:
    try:
        token = tokens.revoke_token(token_id, actor=Actor.of(current_user))
    except tokens.TokenError:
        db.session.rollback()
        flash(_("That token does not exist"))
        return redirect(url_for("api_tokens.index"))
    db.session.commit()
    success(_("Token “%(name)s” revoked: it no longer works", name=token.name))
    return redirect(url_for("api_tokens.index"))
