"""The foundation: security headers on every response, health check, error pages."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from portal.extensions import db

SECURITY_HEADERS = [
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
]


def assert_security_headers(response) -> None:
    for name in SECURITY_HEADERS:
        assert name in response.headers, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [("/", "get", 200), ("/healthz", "get", 200), ("/no-such-page", "get", 404), ("/healthz", "post", 405)],
)
def test_every_response_carries_the_security_headers(client, path, method, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_start_page_uses_the_vendor_name_and_no_govuk_branding(client_request, app):
    page = client_request.get("web.start")
    header = page.select_one(".govuk-generic-header")
    assert app.config["VENDOR_NAME"] in header.get_text()
    html = str(page)
    assert "GOV.UK" not in html
    assert "govuk-logo" not in html
    assert "Crown copyright" not in html


def test_the_layout_has_one_header_and_one_footer_signed_in_or_not(client_request, data_lead):
    for signed_in in (False, True):
        if signed_in:
            client_request.sign_in(data_lead)
        page = client_request.get("web.cookies")
        assert len(page.select("header.govuk-template__header")) == 1
        assert len(page.select("header .govuk-generic-header")) == 1
        assert len(page.select("header .govuk-service-navigation")) == 1
        assert len(page.select("footer.govuk-template__footer .govuk-footer")) == 1
        sign_out = page.select("header form[action='/sign-out'] input[name=csrf_token]")
        assert len(sign_out) == (1 if signed_in else 0)


def test_script_nonce_matches_the_csp(client):
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)


def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert_security_headers(response)


def test_not_found_page_is_in_the_layout_without_a_trace(client_request):
    page = client_request.get("web.start")  # warm up
    response = client_request.client.get("/t/nowhere/nothing")
    assert response.status_code in (302, 404)
    response = client_request.client.get("/definitely/missing")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Page not found" in text and "Traceback" not in text
    assert page is not None


def test_json_routes_get_json_errors(client):
    response = client.get("/missing.json")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"] == "Not Found"


def test_unexpected_error_is_a_500_page_without_a_trace(app, client, monkeypatch):
    from portal import policy

    @policy.allow(policy.PUBLIC)
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "web.cookies", boom)
    response = client.get("/cookies")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text
    assert "RuntimeError" not in text
    assert_security_headers(response)


def test_request_too_large_is_413(client):
    response = client.post("/sign-out", data="x" * (13 * 1024 * 1024), content_type="application/octet-stream")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, data_lead):
    from tests.factories import sign_in_client

    sign_in_client(client, data_lead)
    response = client.post("/sign-out")
    assert response.status_code == 400
    assert "expired or came from somewhere else" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/cookies", "/accessibility", "/privacy", "/sign-in"])
def test_public_pages_render(client_request, path):
    response = client_request.client.get(path)
    assert response.status_code == 200
    from tests.pages import check_page

    check_page(response.get_data(as_text=True))


def test_no_server_version_banner_and_no_client_request_id(live_server):
    """The development server names no version; a client's own X-Request-Id is not taken without a proxy (#18)."""
    import requests

    response = requests.get(
        live_server.url + "/cookies", headers={"X-Request-Id": "forged-request-id-1234"}, timeout=10
    )
    assert response.headers["Server"] == "portal"
    assert response.headers["X-Request-Id"] != "forged-request-id-1234"


def test_a_trusted_proxy_may_give_the_request_id(app, client):
    app.config["PROXY_HOPS"] = 1
    response = client.get("/cookies", headers={"X-Request-Id": "proxy-request-id-1234"})
    assert response.headers["X-Request-Id"] == "proxy-request-id-1234"


def _sign_out_token(client) -> str:
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/cookies").get_data(as_text=True), "html.parser")
    field = page.select_one("header form[action='/sign-out'] input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def test_a_sessions_signed_csrf_token_is_used_again_for_a_minute_and_still_checked(client, data_lead, monkeypatch):
    """The signed token is kept a minute per session secret (#26 item 6); what a POST sends is still
    checked by Flask-WTF against the session, whatever was kept."""
    from portal.web import forms as security
    from tests.factories import sign_in_client

    sign_in_client(client, data_lead)
    _sign_out_token(client)  # the session's first page makes its secret (its token is not kept)
    first = _sign_out_token(client)
    assert _sign_out_token(client) == first  # kept: no new signature, however many seconds later
    with client.session_transaction() as stored:
        secret = stored["csrf_token"]
    kept = [key for key in security._signed_tokens if key[1] == secret]
    assert len(kept) == 1
    # A kept token is only a shortcut: a forged one kept in its place is refused when posted.
    monkeypatch.setitem(security._signed_tokens, kept[0], (security._signed_tokens[kept[0]][0], "forged"))
    assert _sign_out_token(client) == "forged"
    assert client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/sign-out", data={"csrf_token": first}).status_code == 302  # the real one still works

    # Past the minute a new signature; a new session (a sign-in) has its own secret and token.
    monkeypatch.setattr(security, "CSRF_TOKEN_REUSE_SECONDS", 0)
    sign_in_client(client, data_lead)
    second = _sign_out_token(client)
    assert second not in (first, "forged")
    with client.session_transaction() as stored:
        assert stored["csrf_token"] != secret
