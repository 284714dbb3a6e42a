"""CSRF protects every form: the only exemptions are the RFC 8058 one-click unsubscribe and the
bearer-token API, which no browser cookie can authenticate (docs/security.md says why)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.auth.models import VendorRole
from portal.extensions import csrf
from tests.factories import make_school, make_user, sign_in_client

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _exempt(app: Flask, endpoint: str) -> bool:
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    view = app.view_functions[endpoint]
    return blueprint in csrf._exempt_blueprints or f"{view.__module__}.{view.__name__}" in csrf._exempt_views


def test_only_unsubscribe_and_the_api_skip_csrf(app: Flask) -> None:
    exempt = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if UNSAFE & set(rule.methods or ()) and _exempt(app, rule.endpoint)
    }
    assert {e for e in exempt if not e.startswith("api.")} == {"notify.unsubscribe"}
    assert any(e.startswith("api.") for e in exempt)


def test_a_signed_in_browser_session_does_not_authenticate_the_api(client: FlaskClient) -> None:
    """The API's CSRF exemption is safe only because a cookie alone never reaches it."""
    admin = make_user("Ada Admin", vendor_role=VendorRole.ADMIN)
    school = make_school("Oakfield Primary School")
    sign_in_client(client, admin)
    response = client.post(f"/api/v1/tenancies/{school.slug}/confirmations", json={"kind": "exclusion", "entry": "x"})
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/tenancies").status_code == 401
