"""The language switch in every page's header (#29): "English | Cymraeg".

A visitor's choice is kept in the essential `portal_language` cookie (a link: no server state
changes, so a GET is right, and it works on pages cached for everyone). A signed-in person's
choice is kept on their account, so it follows them to every device and to their mail; that
changes the database, so it is a form (POST, CSRF-checked, audited).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal import policy
from portal.audit import service as audit
from portal.auth.sessions import safe_next, user_or_none
from portal.extensions import db
from portal.web.forms import FlaskForm
from portal.web.language import COOKIE, COOKIE_MAX_AGE, LANGUAGES, NAMES, known

bp = policy.declare(Blueprint("language", __name__), policy.PUBLIC)


class LanguageForm(FlaskForm):
    language = RadioField(
        _l("Language"),
        choices=[SelectChoice(code, NAMES[code], render_kw={"lang": code}) for code in LANGUAGES],
        validators=[InputRequired(message=_l("Choose English or Cymraeg"))],
    )
    next = HiddenField()


def _back_to(target: str | None) -> Response:
    response = redirect(safe_next(target) or url_for("web.start"))
    return response  # type: ignore[return-value]


def _remember(response: Response, language: str) -> Response:
    response.set_cookie(
        COOKIE,
        language,
        max_age=COOKIE_MAX_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/language/<code>")
def switch(code: str) -> Response:
    """Show the site in this language from now on, back on the page the visitor was reading."""
    language = known(code)
    if language is None:
        abort(404)
    return _remember(_back_to(request.args.get("next")), language)


@bp.post("/language")
@policy.allow(policy.SIGNED_IN)
def choose() -> Response:
    """A signed-in person's choice: kept on their account (and in the cookie for this browser)."""
    user = user_or_none()
    assert user is not None
    form = LanguageForm()
    if not form.validate_on_submit() or known(form.language.data) is None:
        # Only a hand-made request can get here: the switch always sends a valid choice.
        abort(400, description=str(_l("Choose English or Cymraeg")))
    language = str(form.language.data)
    if user.language != language:
        audit.record(
            "auth.language_chosen",
            actor=audit.Actor.of(user),
            object_type="user",
            object_id=user.id,
            details={"from": user.language, "to": language},
        )
        user.language = language
    db.session.commit()
    return _remember(_back_to(form.next.data), language)
