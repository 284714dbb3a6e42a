"""Absolute URLs, built from the one configured public address (BASE_URL), never from the request.

`url_for(..., _external=True)` takes the host from the request's Host (or X-Forwarded-Host)
header: one forged header would then poison whatever the answer is cached with, and the Atom
ids and the sign-in redirect URI would follow it. Everything absolute goes through here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The portal's public address, without a trailing slash (config.load checks it)."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of an endpoint at the portal's public address; works without a request too."""
    parts = urlsplit(base_url())
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def public_link(path: str) -> str:
    """An absolute URL for a path on this site (one that starts with a slash)."""
    return base_url() + path
