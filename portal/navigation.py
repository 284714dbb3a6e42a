"""The service navigation and footer links, shown only for pages the user may open."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.auth.home import home_url
from portal.auth.sessions import memberships, user_or_none

# (endpoint, text, who sees it): "all", "signed_in" or "vendor".
NAVIGATION: list[tuple[str, LazyString, str]] = [
    ("web.start", _l("Home"), "all"),
    ("register.public_register", _l("Sub-processors"), "all"),
    ("tenancy.home", _l("Your organisations"), "signed_in"),
    ("vendor.home", _l("Vendor console"), "vendor"),
    ("auth.account", _l("Your account"), "signed_in"),
]

FOOTER: list[tuple[str, LazyString]] = [
    ("register.public_register", _l("Sub-processors")),
    ("notify.subscribe", _l("Get change notifications")),
    ("documents.verify", _l("Check an agreement")),
    ("trusthub.overview", _l("Security")),
    ("web.privacy", _l("Privacy notice")),
    ("web.cookies", _l("Cookies")),
    ("web.accessibility", _l("Accessibility statement")),
]


def navigation_items() -> list[dict[str, Any]]:
    user = user_or_none()
    home = signed_in_home()
    items = []
    for endpoint, text, audience in NAVIGATION:
        if audience == "signed_in" and user is None:
            continue
        if audience == "vendor" and (user is None or not user.is_vendor):
            continue
        if endpoint == "tenancy.home" and user is not None and (user.is_vendor or len(memberships(user)) == 1):
            continue  # their home is their one organisation (or the console): "Home" leads there
        href = home if endpoint == "web.start" else url_for(endpoint)
        current = request.path == href if endpoint == "web.start" else request.endpoint == endpoint
        items.append({"href": href, "text": str(text), "active": current, "current": current})
    return items


def signed_in_home() -> str:
    """Where the logo leads: the signed-in person's home, else the start page (never fails: error pages use it).

    Worked out once a request (the header, the navigation and the page may each ask)."""
    user = user_or_none()
    known = g.get("_signed_in_home")
    if known is not None and known[0] == getattr(user, "id", None):
        return known[1]  # type: ignore[no-any-return]
    try:
        home = home_url(user)
    except Exception:  # the database is down while an error page renders: the start page still works
        return url_for("web.start")
    g._signed_in_home = (getattr(user, "id", None), home)
    return home


def footer_items() -> list[dict[str, str]]:
    return [{"href": url_for(endpoint), "text": str(text), "endpoint": endpoint} for endpoint, text in FOOTER]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
    app.jinja_env.globals["footer_items"] = footer_items
    app.jinja_env.globals["home_url"] = signed_in_home
