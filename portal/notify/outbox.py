"""Enqueue mail in the caller's transaction, and build each message with EmailMessage."""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.tokens import unsubscribe_url

# Headers a caller may add; anything else is refused rather than passed through.
ALLOWED_EXTRA_HEADERS = {"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Auto-Submitted"}


UNSUBSCRIBE_FOOTER = _l(
    "You get this email because you subscribed to changes to our sub-processor list.\nTo stop, unsubscribe:"
)


class MailError(ValueError):
    """A message the portal refuses to queue (bad address, header injection)."""


def clean_header(value: str, *, field: str) -> str:
    """A header value as given, or MailError if it carries CR, LF or NUL."""
    if any(ch in value for ch in "\r\n\x00"):
        raise MailError(f"{field} must not contain line breaks or NUL characters")
    return value


def normalise_address(address: str) -> str:
    """A syntactically valid address in normal form (no DNS look-ups), or MailError."""
    clean_header(address, field="Email address")
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise MailError(str(error)) from error


def enqueue(
    *,
    to: str,
    subject: str,
    text: str,
    category: str,
    html: str | None = None,
    reference: str | None = None,
    headers: dict[str, str] | None = None,
    list_unsubscribe: bool = False,
) -> OutboxMessage:
    """Queue one message in the current transaction; it leaves only after the caller commits."""
    extra = {}
    for name, value in (headers or {}).items():
        if name not in ALLOWED_EXTRA_HEADERS:
            raise MailError(f"header {name} is not allowed")
        extra[name] = clean_header(value, field=name)
    message = OutboxMessage(
        recipient=normalise_address(to),
        subject=clean_header(subject, field="Subject")[:300],
        body_text=text,
        body_html=html,
        headers=extra or None,
        category=category,
        reference=reference,
        list_unsubscribe=list_unsubscribe,
    )
    db.session.add(message)
    db.session.flush()
    return message


def message_id(row: OutboxMessage) -> str:
    """A stable Message-ID per outbox row, so a re-delivery after a crash is recognisable."""
    return message_id_for(row.id, row.created_at)


def message_id_for(row_id: int | str, created_at: dt.datetime) -> str:
    """The Message-ID of the outbox row `row_id` queued at `created_at`."""
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "portal.invalid"
    return f"<outbox-{row_id}-{int(created_at.timestamp())}@{domain}>"


def build_message(row: OutboxMessage) -> EmailMessage:
    """The EmailMessage for an outbox row: plain text, with an HTML alternative when given."""
    return compose(
        recipient=row.recipient,
        subject=row.subject,
        created_at=row.created_at,
        message_id=message_id(row),
        headers=row.headers,
        text=row.body_text,
        html=row.body_html,
        # Rendered here, not stored: the token is an HMAC of the address (see portal.notify.fanout).
        unsubscribe=unsubscribe_url(row.recipient) if row.list_unsubscribe else None,
    )


def compose(
    *,
    recipient: str,
    subject: str,
    created_at: dt.datetime,
    message_id: str,
    headers: dict[str, Any] | None,
    text: str,
    html: str | None,
    unsubscribe: str | None,
) -> EmailMessage:
    """One message from its parts; `unsubscribe` (a subscriber's personal link) adds the RFC 8058 headers
    and the footer. portal.notify.compose calls this with marker values to build a message once per content."""
    # Lines up to RFC 5322's hard limit: folding a long `<url>` header onto its own line trips parsers.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(created_at)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = f"{text.rstrip()}\n\n{UNSUBSCRIBE_FOOTER}\n{unsubscribe}\n"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message
