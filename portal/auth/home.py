"""A signed-in person's home: where sign-in lands them, and where "Home" and the logo lead (#25)."""

from __future__ import annotations

from flask import url_for

from portal.auth.models import User
from portal.auth.sessions import memberships
from portal.extensions import db
from portal.tenancy.models import Tenancy


def home_url(user: User | None) -> str:
    """Vendor staff: the console. One organisation: its home. Several or none: the list of them.

    Reads the memberships the user loader already read; the one tenancy is in the session's
    identity map then, so this costs no query on a signed-in page."""
    if user is None:
        return url_for("web.start")
    if user.is_vendor:
        return url_for("vendor.home")
    roles = memberships(user)
    if len(roles) == 1:
        tenancy = db.session.get(Tenancy, next(iter(roles)))
        if tenancy is not None:
            return url_for("tenancy.overview", tenancy=tenancy.slug)
    return url_for("tenancy.home")
