"""Subscription tokens: random single-use confirmation tokens, and stable unsubscribe tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from portal.web.urls import public_link

# 32 random bytes: 256 bits, well above the 128 the security notes ask for.
CONFIRM_TOKEN_BYTES = 32


def digest(token: str) -> str:
    """SHA-256 of a token: what the database keeps, so a leaked table confirms nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_confirm_token() -> str:
    """A fresh confirmation token (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(CONFIRM_TOKEN_BYTES)


def unsubscribe_token(address: str) -> str:
    """The address's unsubscribe token: an HMAC under UNSUBSCRIBE_KEY, so nothing that can forge it is stored.

    The subscriber's row keeps the token's hash from the day they subscribed, and every mail
    carries the token made now: the key must stay the same for the life of the subscription.
    Its own setting lets SECRET_KEY (sessions, CSRF) rotate without breaking unsubscribe links.
    Development and tests fall back to SECRET_KEY; production requires the setting.
    """
    key = str(current_app.config.get("UNSUBSCRIBE_KEY") or current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, b"notify-unsubscribe:" + address.strip().lower().encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def mail_url(path: str) -> str:
    """An absolute URL for a mail (mail is built outside any request, so no url_for host)."""
    return public_link(path)


def unsubscribe_url(address: str) -> str:
    """The personal one-click unsubscribe URL for an address."""
    return mail_url(f"/unsubscribe/{unsubscribe_token(address)}")
