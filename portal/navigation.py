"""The service navigation and footer links, shown only for pages the user may open."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for

from portal.auth.sessions import user_or_none

# (endpoint, text, who sees it): "all", "signed_in" or "vendor".
NAVIGATION: list[tuple[str, str, str]] = [
    ("web.start", "Home", "all"),
    ("register.public_register", "Sub-processors", "all"),
    ("tenancy.home", "Your organisations", "signed_in"),
    ("vendor.home", "Vendor console", "vendor"),
    ("auth.account", "Your account", "signed_in"),
]

FOOTER: list[tuple[str, str]] = [
    ("register.public_register", "Sub-processors"),
    ("notify.subscribe", "Get change notifications"),
    ("documents.verify", "Check an agreement"),
    ("trusthub.overview", "Security"),
    ("web.privacy", "Privacy notice"),
    ("web.cookies", "Cookies"),
    ("web.accessibility", "Accessibility statement"),
]


def navigation_items() -> list[dict[str, Any]]:
    user = user_or_none()
    items = []
    for endpoint, text, audience in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        if audience == "signed_in" and user is None:
            continue
        if audience == "vendor" and (user is None or not user.is_vendor):
            continue
        current = request.endpoint == endpoint
        items.append({"href": url_for(endpoint), "text": text, "active": current, "current": current})
    return items


def footer_items() -> list[dict[str, str]]:
    return [
        {"href": url_for(endpoint), "text": text} for endpoint, text in FOOTER if endpoint in current_app.view_functions
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
    app.jinja_env.globals["footer_items"] = footer_items
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in current_app.view_functions
