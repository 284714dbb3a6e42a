"""/.well-known/security.txt (RFC 9116), from configuration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request, url_for

from portal.dates import now


def public_base_url() -> str:
    """The portal's public address, without a trailing slash.

    BASE_URL when configured, else the address this request came to. (One function, so it can be
    swapped for the portal-wide helper when that lands.)
    """
    configured = current_app.config.get("BASE_URL")
    return str(configured or request.url_root).rstrip("/")


def absolute(endpoint: str, **values: Any) -> str:
    """An absolute URL for an endpoint, on the public base URL."""
    return public_base_url() + url_for(endpoint, **values)


def expires(at: dt.datetime | None = None) -> dt.datetime:
    """When this file stops being valid: SECURITY_TXT_EXPIRES_DAYS ahead (under a year), at midnight UTC."""
    days = min(int(current_app.config.get("SECURITY_TXT_EXPIRES_DAYS", 180)), 364)
    day = (at or now()).astimezone(dt.UTC).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def security_txt(at: dt.datetime | None = None) -> str:
    """The file's text: Contact, Expires, Policy, Preferred-Languages, Canonical (CRLF line ends)."""
    config = current_app.config
    languages = config.get("SECURITY_TXT_LANGUAGES", "en")
    lines = [
        f"Contact: mailto:{config['VENDOR_SECURITY_EMAIL']}",
        f"Expires: {expires(at).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Policy: {absolute('trusthub.overview')}#vulnerability-management",
        f"Preferred-Languages: {languages}",
        f"Canonical: {absolute('trusthub.security_txt')}",
    ]
    return "\r\n".join(lines) + "\r\n"
