"""Web security on every response: CSP with a per-request nonce, HSTS, and friends."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from flask import Flask, Response, abort, current_app, g, request, session

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'{form_action}; "
    "frame-ancestors 'none'; "
    "base-uri 'none'; "
    "object-src 'none'"
)


def init_app(app: Flask) -> None:
    """Give each request an id and a CSP nonce, and set the headers on every response."""
    app.before_request(_start_request)
    app.after_request(_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    _hide_development_server_version()


def _hide_development_server_version() -> None:
    """The development server (`make run`) names no software or version in its Server header.

    Werkzeug's request handler sends "Werkzeug/x.y Python/x.y"; only that server reads this.
    """
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: "portal"  # type: ignore[method-assign]


def csp_nonce() -> str:
    """The nonce for this request's inline script (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def request_id() -> str:
    """This request's id: the proxy's X-Request-Id if well formed, else a new one.

    Only behind a trusted proxy (PROXY_HOPS > 0, the hops whose X-Forwarded-* are trusted): a
    client talking to the portal directly could otherwise write any id into the audit log (#18).
    """
    if "request_id" not in g:
        from flask import current_app

        trusted = int(current_app.config.get("PROXY_HOPS") or 0) > 0
        incoming = request.headers.get("X-Request-Id", "") if trusted else ""
        g.request_id = incoming if _well_formed_id(incoming) else uuid.uuid4().hex
    return str(g.request_id)


def _well_formed_id(value: str) -> bool:
    return 8 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def _start_request() -> None:
    request_id()
    csp_nonce()
    _refuse_nul_characters()


def _refuse_nul_characters() -> None:
    """Answer 400 to a NUL character in the path, the query, a form field or a file name.

    No person types one, and PostgreSQL cannot store one in text: without this, a NUL in any
    free-text field reached the database and failed there with a 500.
    """
    texts = [request.path, *(f"{k}{v}" for k, v in request.args.items(multi=True))]
    if request.method in {"POST", "PUT", "PATCH"}:
        texts += (f"{k}{v}" for k, v in request.form.items(multi=True))
        texts += (f"{k}{f.filename or ''}" for k, f in request.files.items(multi=True))
    if any("\x00" in text for text in texts):
        abort(400)


def hsts_value(config: Any) -> str:
    """The Strict-Transport-Security header (the security overview states what it says)."""
    return f"max-age={config['HSTS_SECONDS']}; includeSubDomains"


def _security_headers(response: Response) -> Response:
    headers = response.headers
    # Pages that post to a sign-in provider (which redirects on) name its origin: g.form_action_origins.
    extra = "".join(f" {origin}" for origin in g.get("form_action_origins", ()))
    headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce(), form_action=extra)
    headers["Strict-Transport-Security"] = hsts_value(current_app.config)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers["X-Request-Id"] = request_id()
    if "_user_id" in session:
        # Signed-in pages are never cached, whatever the view asked for. (The session, not the
        # user: after a view commits, the user would be read from the database again.)
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    elif "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    elif (response.mimetype or "").startswith("text/") or response.mimetype == "application/atom+xml":
        # A page (or the feed) kept by a shared cache is in the language the visitor chose (#29):
        # the language cookie, or failing that their browser's Accept-Language.
        headers.add("Vary", "Cookie, Accept-Language")
    return response
