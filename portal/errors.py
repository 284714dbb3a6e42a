"""Error pages in the portal's layout (JSON for JSON routes), never a trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from portal.auth.sessions import user_or_none
from portal.extensions import db
from portal.tenancy.models import TenancyKind
from portal.web.security import request_id

log = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (_l("There is a problem with your request"), _l("Check what you entered and try again.")),
    401: (_l("Sign in to see this page"), _l("You need to sign in to see this page.")),
    403: (
        _l("You do not have permission to see this page"),
        _l("Ask your school's data lead if you think you should."),
    ),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("That action is not possible here"), _l("Go back and try again from the page you were on.")),
    413: (_l("The file or form is too large"), _l("Choose a smaller file, or send less text, and try again.")),
    429: (_l("Too many attempts"), _l("You have tried this too many times. Wait a few minutes and try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later. Nothing you sent has been saved.")),
    503: (_l("Sorry, the service is unavailable"), _l("Try again later. Nothing you sent has been saved.")),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def render_error(error: HTTPException, message: str | None = None) -> Response:
    code = error.code or 500
    if code in MESSAGES:
        title, default_message = (str(text) for text in MESSAGES[code])
    else:
        title, default_message = error.name, error.description or ""
    body = message or default_message
    from flask.globals import request_ctx

    if request_ctx.url_adapter is None:
        # A Host outside TRUSTED_HOSTS: no URL can be built, so no page with links; a plain answer.
        response = Response(f"{title}\n", mimetype="text/plain")
        response.status_code = code
        return response
    if wants_json():
        response = jsonify(error=error.name, message=body)
    else:
        # A server error shows the request id: the support desk finds the log line and audit row by it.
        reference = request_id() if code >= 500 else None
        response = Response(
            render_template("errors/error.html", code=code, title=title, message=body, reference=reference)
        )
    response.status_code = code
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


def _csrf_error(error: CSRFError) -> Response:
    db.session.rollback()
    return render_error(
        error, gettext("Your form had expired or came from somewhere else. Go back, reload the page and try again.")
    )


def _http_error(error: HTTPException) -> Response:
    if error.code and error.code >= 500:
        db.session.rollback()
    if request.path.startswith("/api/"):  # the API answers in problem+json even where no route matched (#27)
        from portal.api.problems import from_http

        return from_http(error)
    if error.code == 429:
        return render_error(
            error,
            gettext("You have tried this too many times (%(limit)s). Wait and try again.", limit=error.description),
        )
    if error.code == 403:
        return render_error(error, _forbidden_message())
    return render_error(error)


def _forbidden_message() -> str:
    """Who to ask, in the reader's own terms (#25): vendor staff ask a vendor admin, members their organisation."""
    user = user_or_none()
    tenancy, role = g.get("tenancy"), g.get("role")
    if user is not None and user.is_vendor:
        message = gettext("Your vendor role does not include this page. Ask a vendor admin if you need it.")
    elif tenancy is not None and role is not None and tenancy.kind is TenancyKind.TRUST:
        message = gettext(
            "As a %(role)s you cannot do this for %(name)s. Ask one of the trust's admins if you think you should.",
            role=role.label.lower(),
            name=tenancy.name,
        )
    elif tenancy is not None and role is not None:
        message = gettext(
            "As a %(role)s you cannot do this for %(name)s. Ask its data lead if you think you should.",
            role=role.label.lower(),
            name=tenancy.name,
        )
    else:
        message = gettext("Ask your organisation's data lead if you think you should be able to see it.")
    return str(message)


def _database_unavailable(error: OperationalError) -> Response:
    log.error("database unavailable: %s", error)
    _safe_rollback()
    return render_error(ServiceUnavailable())


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    _safe_rollback()
    return render_error(InternalServerError())


def _safe_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone; the pool replaces it on the next request
        log.warning("rollback failed", exc_info=True)
