"""Registering webhook endpoints, rotating their secrets, disabling them and pinging them. Audited."""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from standardwebhooks.webhooks import Webhook

from portal.audit.service import Actor, record
from portal.dates import now
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.webhooks.events import EVENT_TYPES, PING, enqueue
from portal.webhooks.models import MessageStatus, WebhookEndpoint, WebhookMessage

SECRET_PREFIX = "whsec_"  # noqa: S105 (the specification's marker, not a secret)
# After a rotation the old secret signs too for this long, so the platform can switch without a gap.
ROTATION_OVERLAP = dt.timedelta(hours=24)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


class EndpointError(ValueError):
    """An endpoint that cannot be registered or changed as asked; `field` names the form field."""

    def __init__(self, message: str, field: str = "url") -> None:
        super().__init__(message)
        self.field = field


def new_secret() -> str:
    """A signing secret as the specification writes it: whsec_ and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def live_secrets(endpoint: WebhookEndpoint, at: dt.datetime) -> tuple[str, ...]:
    """The secrets that sign at this moment: the current one, and the previous one while it overlaps."""
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > at:
        return (endpoint.secret, endpoint.previous_secret)
    return (endpoint.secret,)


def signature_header(keys: Iterable[str], msg_id: str, at: dt.datetime, body: str) -> str:
    """The webhook-signature value: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per secret, space-separated."""
    return " ".join(Webhook(key).sign(msg_id, at, body) for key in keys)


def check_url(raw: str) -> str:
    """An address the portal may post to: https, or plain http only to this machine (the stand-in)."""
    url = raw.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError on a port out of range)
    except ValueError:
        raise EndpointError(_("Enter a full web address, such as https://platform.example/webhooks")) from None
    if len(url) > 500 or not host or parts.scheme not in ("https", "http"):
        raise EndpointError(_("Enter a full web address, such as https://platform.example/webhooks"))
    if parts.username or parts.password:
        raise EndpointError(_("Leave the user name and password out of the address"))
    if parts.scheme == "http" and host not in LOOPBACK:
        raise EndpointError(_("Use an https address: events carry schools' choices"))
    return url


def find_tenancy(ref: str) -> Tenancy | None:
    """The tenancy with this URN or URL name; None for a blank reference (every tenancy)."""
    ref = ref.strip().lower()
    if not ref:
        return None
    column = Tenancy.urn if ref.isdigit() else Tenancy.slug
    tenancy: Tenancy | None = db.session.scalar(select(Tenancy).where(column == ref))
    if tenancy is None:
        raise EndpointError(_("No school or trust has that URN or URL name"), field="tenancy")
    return tenancy


def register_endpoint(
    url: str,
    description: str,
    events: Iterable[str],
    *,
    tenancy_ref: str = "",
    submission_key: str | None = None,
    actor: Actor,
) -> tuple[WebhookEndpoint, str | None]:
    """A new endpoint and its secret to show once; (the earlier endpoint, None) when this key already made one."""
    if submission_key is not None and not _KEY.fullmatch(submission_key):
        raise EndpointError(_("This form could not be used: nothing was saved. Try again"), field="description")
    if submission_key is not None and (earlier := _made_with(submission_key)) is not None:
        return earlier, None
    chosen = sorted(set(events) & set(EVENT_TYPES))
    if not chosen:
        raise EndpointError(_("Select the events to send"), field="events")
    endpoint = WebhookEndpoint(
        url=check_url(url),
        description=description.strip()[:100] or urlsplit(url.strip()).hostname or "",
        events=" ".join(chosen),
        tenancy_id=(tenancy.id if (tenancy := find_tenancy(tenancy_ref)) else None),
        secret=new_secret(),
        submission_key=submission_key,
        created_by_id=actor.user_id,
        created_at=now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(endpoint)
    except IntegrityError:
        # A concurrent press with the same key stored first: the unique key decides, not a check.
        if submission_key is None or (earlier := _made_with(submission_key)) is None:
            raise
        return earlier, None
    _audit("webhook.endpoint_registered", endpoint, actor, "Webhook endpoint registered")
    return endpoint, endpoint.secret


def _made_with(key: str) -> WebhookEndpoint | None:
    found: WebhookEndpoint | None = db.session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.submission_key == key)
    )
    return found


def _audit(action: str, endpoint: WebhookEndpoint, actor: Actor, reason: str) -> None:
    record(
        action,
        actor=actor,
        tenancy_id=endpoint.tenancy_id,
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        reason=reason,
        details={"url": endpoint.url, "events": endpoint.events},
    )


def rotate_secret(endpoint: WebhookEndpoint, *, actor: Actor) -> str:
    """A new secret to show once; the old one keeps signing alongside it for ROTATION_OVERLAP."""
    at = now()
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, at + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    db.session.flush()
    _audit("webhook.secret_rotated", endpoint, actor, "Webhook signing secret rotated")
    return endpoint.secret


def set_disabled(endpoint: WebhookEndpoint, disabled: bool, *, actor: Actor) -> None:
    """Stop (or restart) sending to an endpoint; queued messages wait until it is enabled again."""
    if endpoint.is_active != disabled:
        return
    endpoint.disabled_at = now() if disabled else None
    db.session.flush()
    action, reason = (
        ("webhook.endpoint_disabled", "Webhook endpoint disabled")
        if disabled
        else ("webhook.endpoint_enabled", "Webhook endpoint enabled")
    )
    _audit(action, endpoint, actor, reason)


def ping(endpoint: WebhookEndpoint, *, actor: Actor) -> WebhookMessage:
    """Queue a test event to one endpoint, through the outbox like every event."""
    if not endpoint.is_active:
        raise EndpointError(_("Enable the endpoint before sending it a test event"))
    message = enqueue(endpoint, PING, {"endpoint": endpoint.id})
    _audit("webhook.pinged", endpoint, actor, "Test event sent to a webhook endpoint")
    return message


def send_again(message: WebhookMessage, *, actor: Actor) -> bool:
    """Queue a failed message once more, same id and body, so a receiver that had it can drop it."""
    if message.status is not MessageStatus.FAILED:
        return False
    message.status, message.next_attempt_at, message.attempts = MessageStatus.QUEUED, now(), 0
    db.session.flush()
    record(
        "webhook.message_requeued",
        actor=actor,
        object_type="webhook_message",
        object_id=message.msg_id,
        reason="Failed webhook message queued again",
    )
    return True
