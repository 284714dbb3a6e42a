"""The page-checking client (Notify's client_request) and the checks every HTML page must pass.

`client_request` (tests/conftest.py) requests by endpoint, asserts the status and where a redirect
goes, and returns the parsed page; `text_of` and `squeeze` are the one way tests compare text.
"""

from __future__ import annotations

import contextvars
import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from flask import Flask, session, url_for
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf


class PageError(AssertionError):
    pass


def squeeze(text: str) -> str:
    """Text with its whitespace squeezed to single spaces, so wrapped lines and markup still match."""
    return " ".join(text.split())


def text_of(node: Any) -> str:
    """The visible text of a parsed page or element, its whitespace squeezed to single spaces."""
    return squeeze(node.get_text(" "))


def check_page(html: str) -> BeautifulSoup:
    """Checks every HTML page must pass: one h1 matching the title, nonce on scripts, form actions (each
    POST button preventing a double submission), unique ids."""
    page = BeautifulSoup(html, "html.parser")
    h1s = page.find_all("h1")
    if len(h1s) != 1:
        raise PageError(f"expected one h1, found {len(h1s)}")
    title = page.title.get_text(" ", strip=True) if page.title else ""
    heading = text_of(h1s[0])
    if heading.split(" ")[0] not in title:
        raise PageError(f"title {title!r} does not match h1 {heading!r}")
    for script in page.find_all("script"):
        if not script.get("src") and not script.get("nonce"):
            raise PageError("inline script without a nonce")
    for form in page.find_all("form"):
        if not form.get("action"):
            raise PageError(f"form without an action: {str(form)[:120]}")
        if (form.get("method") or "get").lower() == "post" and not form.find(
            "input", {"name": re.compile(r"(^|-)csrf_token$")}
        ):
            raise PageError(f"POST form without a CSRF token: {form.get('action')}")
        if (form.get("method") or "get").lower() == "post":
            for button in form.select('button, input[type="submit"]'):
                if button.get("data-prevent-double-click") != "true":
                    raise PageError(f"POST button without data-prevent-double-click: {str(button)[:120]}")
    ids = [tag["id"] for tag in page.find_all(attrs={"id": True})]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageError(f"duplicate ids: {sorted(duplicates)}")
    return page


class PageClient:
    """Request pages by endpoint, assert the status, and return parsed, checked HTML."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def url(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def get(self, endpoint: str, _expected_status: int = 200, **values: Any) -> BeautifulSoup:
        response = self.client.get(self.url(endpoint, **values))
        assert response.status_code == _expected_status, (response.status_code, response.data[:500])
        if response.mimetype == "text/html":
            return check_page(response.get_data(as_text=True))
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")

    def post(
        self,
        endpoint: str,
        _data: dict[str, Any] | None = None,
        _expected_status: int = 302,
        _follow_redirects: bool = False,
        _redirect_to: str | None = None,
        **values: Any,
    ) -> Any:
        """POST a form (with a CSRF token); `_redirect_to`, a path, is where the redirect must go."""
        data = dict(_data or {})
        data.setdefault("csrf_token", self.csrf_token())
        response = self.client.post(self.url(endpoint, **values), data=data, follow_redirects=_follow_redirects)
        assert response.status_code == _expected_status, (response.status_code, response.data[:800])
        if _redirect_to is not None:
            assert urlsplit(response.location).path == _redirect_to, (response.location, _redirect_to)
        if response.mimetype == "text/html" and response.status_code == 200:
            return check_page(response.get_data(as_text=True))
        return response

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session."""
        return csrf_token_for(self.app, self.client)

    def sign_in(self, user: Any) -> None:
        # Imported here: tests.factories is a pytest plugin, which pytest must import first to rewrite its asserts.
        from tests.factories import sign_in_client

        sign_in_client(self.client, user)


def csrf_token_for(app: Flask, client: FlaskClient) -> str:
    """A CSRF token for the client's session, from Flask-WTF itself (`generate_csrf`).

    Run in a context of its own, like a request: Flask-WTF keeps the signed token in `g`, which
    the test's app context would otherwise keep across sessions."""

    def generate() -> str:
        with client.session_transaction() as stored, app.test_request_context():
            session.update(stored)  # the client's session, in a request of its own
            token = generate_csrf()  # adds the raw token to it if it had none
            stored.update(session)  # which the client's cookie then keeps
        return str(token)

    return contextvars.Context().run(generate)
