"""Service tokens: created by vendor admins, shown once, stored as a hash, last use noted, revoked (#27)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from portal.api.models import ServiceToken
from portal.audit.models import AuditEvent
from portal.extensions import db


def _actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api.%")).order_by(AuditEvent.id))
    )


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_as_a_hash(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    page = client_request.post(
        "api_tokens.create", {"name": "Learning platform", "scopes": ["read", "confirm"]}, _expected_status=200
    )
    secret = page.select_one("#new-token").get_text(strip=True)
    assert secret.startswith("ssp_") and len(secret) > 40
    token = db.session.scalar(select(ServiceToken))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(db.session.execute(select(ServiceToken.__table__)).all())
    assert token.scopes == "confirm read" and token.created_by_id == vendor_admin.id
    again = client_request.get("api_tokens.index")
    assert secret not in str(again) and "Learning platform" in again.get_text()
    assert _actions() == ["api.token_created"]


def test_a_token_without_a_name_or_scope_is_refused_and_nothing_is_saved(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    page = client_request.post("api_tokens.create", {"name": "", "scopes": []}, _expected_status=200)
    text = page.get_text()
    assert "Enter a name for the token" in text and "Select what the token may do" in text
    assert db.session.scalar(select(ServiceToken)) is None


def test_a_token_works_notes_its_last_use_and_stops_working_when_revoked(client_request, vendor_admin, client):
    client_request.sign_in(vendor_admin)
    page = client_request.post("api_tokens.create", {"name": "Platform", "scopes": ["read"]}, _expected_status=200)
    secret = page.select_one("#new-token").get_text(strip=True)
    anonymous = client.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/v1/tenancies", headers=headers).status_code == 200
    token = db.session.scalar(select(ServiceToken).execution_options(populate_existing=True))
    assert token.last_used_at is not None

    client_request.post("api_tokens.revoke", token_id=token.id)
    response = anonymous.get("/api/v1/tenancies", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _actions() == ["api.token_created", "api.token_revoked"]


def test_vendor_staff_cannot_manage_tokens(client_request, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.get("api_tokens.index", _expected_status=403)


def test_a_double_click_makes_one_token(client_request, vendor_admin):
    """The form's one-time key: the second press finds the token the first made and shows no secret."""
    client_request.sign_in(vendor_admin)
    form = client_request.get("api_tokens.index")
    key = form.select_one("input[name=submission_key]")["value"]
    data = {"name": "Platform", "scopes": ["read"], "submission_key": key}
    first = client_request.post("api_tokens.create", data, _expected_status=200)
    assert first.select_one("#new-token") is not None
    second = client_request.post("api_tokens.create", data, _redirect_to="/vendor/api-tokens")
    assert second.status_code == 302
    page = client_request.get("api_tokens.index")
    assert "no second token was made" in page.get_text() and page.select_one("#new-token") is None
    assert len(list(db.session.scalars(select(ServiceToken)))) == 1
    assert _actions() == ["api.token_created"]
