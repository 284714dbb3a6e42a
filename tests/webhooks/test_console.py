"""The webhooks console: registering (once per form, safe addresses only), pinging, disabling, audited (#27)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.webhooks.models import WebhookEndpoint, WebhookMessage

VALID = {
    "url": "https://platform.example/webhooks",
    "description": "Learning platform",
    "tenancy": "",
    "events": ["tenancy.option_changed", "tenancy.exclusion_added"],
    "submission_key": "k" * 32,
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_endpoint_is_registered_once_however_often_the_form_is_sent(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    page = client_request.post("webhooks.register", VALID, _expected_status=200)
    secret = page.select_one("#new-secret").get_text(strip=True)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert secret.startswith("whsec_") and endpoint.secret == secret
    assert (
        endpoint.events == "tenancy.exclusion_added tenancy.option_changed"
        and endpoint.created_by_id == vendor_admin.id
    )

    again = client_request.post("webhooks.register", VALID, _redirect_to=f"/vendor/webhooks/{endpoint.id}")
    assert again.status_code == 302 and _count(WebhookEndpoint) == 1
    shown = client_request.get("webhooks.endpoint", endpoint_id=endpoint.id)
    assert "already sent" in shown.get_text() and secret not in str(shown)
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("webhook.%")).order_by(AuditEvent.id))
    )
    assert actions == ["webhook.endpoint_registered"]


def test_unsafe_or_incomplete_endpoints_are_refused_with_a_clear_message_and_nothing_saved(
    client_request, vendor_admin
):
    client_request.sign_in(vendor_admin)
    for field, value, message in (
        ("url", "http://platform.example/hooks", "Use an https address"),
        ("url", "ftp://platform.example/hooks", "Enter a full web address"),
        ("url", "https://user:pw@platform.example/hooks", "Leave the user name and password out"),
        ("url", "https://platform.example:99999/hooks", "Enter a full web address"),
        ("url", "", "Enter the endpoint's address"),
        ("events", [], "Select the events to send"),
        ("tenancy", "no-such-school", "No school or trust has that URN or URL name"),
        ("submission_key", "not a key", "This form could not be used"),
    ):
        page = client_request.post("webhooks.register", {**VALID, field: value}, _expected_status=200)
        assert message in page.get_text(), (field, value)
        assert page.title.get_text().startswith("Error"), (field, value)
    assert _count(WebhookEndpoint) == 0


def test_a_test_event_goes_through_the_outbox_and_a_disabled_endpoint_gets_none(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    client_request.post("webhooks.register", VALID, _expected_status=200)
    endpoint = db.session.scalar(select(WebhookEndpoint))
    client_request.post("webhooks.ping", endpoint_id=endpoint.id)
    [message] = db.session.scalars(select(WebhookMessage))
    assert message.event_type == "ping" and message.endpoint_id == endpoint.id
    log = client_request.get("webhooks.endpoint", endpoint_id=endpoint.id)
    assert message.msg_id in log.get_text() and "Not tried yet" in log.get_text()

    client_request.post("webhooks.disable", endpoint_id=endpoint.id)
    client_request.post("webhooks.ping", endpoint_id=endpoint.id)
    assert _count(WebhookMessage) == 1
    client_request.post("webhooks.enable", endpoint_id=endpoint.id)
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).is_active
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("webhook.%")).order_by(AuditEvent.id))
    )
    assert actions == [
        "webhook.endpoint_registered",
        "webhook.pinged",
        "webhook.endpoint_disabled",
        "webhook.endpoint_enabled",
    ]


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_signing_a_day(client_request, vendor_admin):
    client_request.sign_in(vendor_admin)
    first = client_request.post("webhooks.register", VALID, _expected_status=200).select_one("#new-secret").text
    endpoint = db.session.scalar(select(WebhookEndpoint))
    page = client_request.post("webhooks.rotate", endpoint_id=endpoint.id, _expected_status=200)
    second = page.select_one("#new-secret").get_text(strip=True)
    db.session.expire_all()
    rotated = db.session.get(WebhookEndpoint, endpoint.id)
    assert second != first and rotated.secret == second and rotated.previous_secret == first.strip()
    assert "Two secrets sign until" in client_request.get("webhooks.endpoint", endpoint_id=endpoint.id).get_text()


def test_vendor_staff_cannot_reach_the_webhooks_console(client_request, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.get("webhooks.index", _expected_status=403)
