"""What the security overview says about the portal itself, written from the running configuration.

Vendor staff write the overview's prose; these statements are not theirs to type, because each must
stay true of the portal as it runs. tests/trusthub/test_claims.py checks every one against the app
(and fails on a claim it has no check for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _


@dataclass(frozen=True)
class Claim:
    key: str
    text: str


def hsts_directives(config: Any) -> dict[str, str]:
    """The directives of the HSTS header the portal sends, from the function that writes it."""
    from portal.web.security import hsts_value

    parts = (part.strip().partition("=") for part in hsts_value(config).split(";"))
    return {name.lower(): value for name, _sep, value in parts if name}


def portal_claims(config: Any) -> list[Claim]:
    """The claims, in the order the overview shows them."""
    directives = hsts_directives(config)
    hsts = _(
        "Every response tells browsers to reach this portal over HTTPS only, for %(days)s days "
        "(HTTP Strict Transport Security).",
        days=int(directives["max-age"]) // 86400,
    )
    if "includesubdomains" in directives:
        hsts += " " + _("The same holds for its subdomains.")
    if "preload" in directives:
        hsts += " " + _("The domain asks to be on browsers' HSTS preload list.")
    months = int(config["AUDIT_RETENTION_DAYS"]) * 12 // 365
    return [
        Claim("hsts", hsts),
        Claim(
            "content-security-policy",
            _(
                "Pages run only the portal's own scripts and cannot be shown inside another site's frame "
                "(Content Security Policy)."
            ),
        ),
        Claim(
            "sign-in",
            _(
                "School and trust staff sign in with their own Microsoft 365 or Google Workspace account. "
                "The portal holds no passwords."
            ),
        ),
        Claim(
            "session-revocation",
            _(
                "Signing out everywhere, or an administrator removing someone's access or disabling their "
                "account, ends every one of that person's sessions at its next request, on every device."
            ),
        ),
        Claim(
            "session-timeouts",
            _(
                "A session ends after %(idle)s minutes without activity, and after %(hours)s hours in any case.",
                idle=config["SESSION_IDLE_MINUTES"],
                hours=config["SESSION_ABSOLUTE_HOURS"],
            ),
        ),
        Claim(
            "cookies",
            _(
                "The session cookie cannot be read by scripts (HttpOnly), is not sent by other sites' forms "
                "(SameSite=Lax) and, in production, travels only over HTTPS (Secure)."
            ),
        ),
        Claim(
            "audit",
            _(
                "Sign-ins, refused requests, downloads and administrative actions are logged and kept for at "
                "least %(months)s months.",
                months=months,
            ),
        ),
    ]
