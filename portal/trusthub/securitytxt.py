"""/.well-known/security.txt (RFC 9116), from configuration."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from portal.dates import now
from portal.web.urls import public_url


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
        f"Policy: {public_url('trusthub.overview')}#vulnerability-management",
        f"Preferred-Languages: {languages}",
        f"Canonical: {public_url('trusthub.security_txt')}",
    ]
    return "\r\n".join(lines) + "\r\n"
