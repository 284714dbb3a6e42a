"""Every blueprint of the portal, in one list, and the URL converters they share."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """A tenancy's URL name: lower-case letters, digits and hyphens."""

    regex = r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?"


def register(app: Flask) -> None:
    """Register the converters, then every capability's blueprints."""
    app.url_map.converters["slug"] = SlugConverter

    from portal.auth.views import bp as auth
    from portal.web.views import bp as web

    for blueprint in (web, auth):
        app.register_blueprint(blueprint)
