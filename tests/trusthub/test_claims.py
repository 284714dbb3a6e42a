"""Every statement the security overview makes about the portal itself, checked against the running app."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup

from portal.audit.cli import MINIMUM_RETENTION_DAYS, prune
from portal.audit.models import AuditEvent, Outcome
from portal.dates import now
from portal.extensions import db
from portal.trusthub.claims import portal_claims
from tests.factories import make_school, make_user, session_values, sign_in_client


def _claims_on_page(client: Any) -> dict[str, str]:
    page = BeautifulSoup(client.get("/security").get_data(as_text=True), "html.parser")
    return {li["data-claim"]: li.get_text(" ", strip=True) for li in page.select("[data-claim]")}


def check_hsts(app: Any, client: Any, text: str) -> None:
    header = client.get("/security").headers["Strict-Transport-Security"]
    directives = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")}
    max_age = int(re.search(r"max-age=(\d+)", header)[1])  # type: ignore[index]
    assert f"for {max_age // 86400} days" in text
    assert ("includesubdomains" in directives) == ("subdomains" in text)
    assert ("preload" in directives) == ("preload" in text.lower()), "preload claimed only if the header sends it"


def check_csp(app: Any, client: Any, text: str) -> None:
    csp = client.get("/security").headers["Content-Security-Policy"]
    policy = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert client.get("/security").headers["X-Frame-Options"] == "DENY"


def check_sign_in(app: Any, client: Any, text: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Microsoft" in page and "Google" in page
    assert 'type="password"' not in page
    assert not [rule for rule in app.url_map.iter_rules() if "password" in rule.rule]


def check_session_revocation(app: Any, client: Any, text: str) -> None:
    school = make_school()
    for end in ("everywhere", "disabled"):
        user = make_user(tenancy=school)
        sign_in_client(client, user)
        assert client.get("/account").status_code == 200
        copied = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        if end == "everywhere":
            other = app.test_client()
            sign_in_client(other, user)
            from tests.pages import csrf_token_for

            assert (
                other.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token_for(app, other)}).status_code
                == 302
            )
        else:
            user.is_disabled = True
            db.session.commit()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
        response = client.get("/account")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def check_session_timeouts(app: Any, client: Any, text: str) -> None:
    idle, hours = int(app.config["SESSION_IDLE_MINUTES"]), int(app.config["SESSION_ABSOLUTE_HOURS"])
    assert f"{idle} minutes" in text and f"{hours} hours" in text
    user = make_user(tenancy=make_school())
    for key, age in (
        ("last_seen_at", dt.timedelta(minutes=idle + 1)),
        ("signed_in_at", dt.timedelta(hours=hours, minutes=1)),
    ):
        with client.session_transaction() as session:
            session.clear()
            session.update(session_values(user))
            session[key] = (now() - age).isoformat()
        assert client.get("/account").status_code == 302, key
    sign_in_client(client, user)
    assert client.get("/account").status_code == 200


def check_cookies(app: Any, client: Any, text: str) -> None:
    # A form page puts a CSRF token in the session, so the response sets the cookie.
    cookie = client.get("/subscribe").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Secure in production: tests/production/test_gunicorn.py checks the flag on gunicorn's responses.
    from portal.config import load

    assert "SESSION_COOKIE_SECURE = True" in _source(load)


def check_audit(app: Any, client: Any, text: str) -> None:
    days = int(app.config["AUDIT_RETENTION_DAYS"])
    months = int(re.search(r"at least (\d+) months", text)[1])  # type: ignore[index]
    assert days >= MINIMUM_RETENTION_DAYS and months * 365 // 12 <= days
    kept = AuditEvent(action="claims.check", outcome=Outcome.SUCCESS, occurred_at=now() - dt.timedelta(days=days - 1))
    db.session.add(kept)
    db.session.flush()
    prune(days)
    assert db.session.get(AuditEvent, kept.id) is not None, "a row younger than the retention period is kept"


def _source(function: Callable[..., Any]) -> str:
    import inspect

    return inspect.getsource(function).replace('config["SESSION_COOKIE_SECURE"] = True', "SESSION_COOKIE_SECURE = True")


CHECKS: dict[str, Callable[[Any, Any, str], None]] = {
    "hsts": check_hsts,
    "content-security-policy": check_csp,
    "sign-in": check_sign_in,
    "session-revocation": check_session_revocation,
    "session-timeouts": check_session_timeouts,
    "cookies": check_cookies,
    "audit": check_audit,
}


def test_every_claim_has_a_check(app):
    assert {claim.key for claim in portal_claims(app.config)} == CHECKS.keys()


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_claim_is_true_of_the_running_app(app, client, key):
    claims = _claims_on_page(client)
    assert key in claims, "the overview page shows every claim"
    CHECKS[key](app, client, claims[key])


def test_claims_follow_the_configuration(app, client):
    app.config["HSTS_SECONDS"] = 86400 * 365
    app.config["SESSION_IDLE_MINUTES"] = 15
    claims = _claims_on_page(client)
    check_hsts(app, client, claims["hsts"])
    assert "15 minutes" in claims["session-timeouts"]
