"""Unhandled errors reported to Sentry when PORTAL_SENTRY_DSN is set (off by default), with personal data scrubbed.

The SDK is told to send no personal data; on top of that, every event is walked before it leaves and
every string in it has email addresses and token-like values taken out, request bodies, cookies and
query strings dropped, and the user reduced to an id. A school's pupils' and staff's data never reaches
a third party through an error report.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration

from portal.ops.logs import redact

# A word that looks like a random token (an unsubscribe or confirmation link's): 20 or more URL-safe
# characters with upper and lower case and a digit. Request ids and hashes (lower-case hex) stay.
TOKEN = re.compile(r"\b(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{20,}={0,2}")
KEPT_HEADERS = {"user-agent", "x-request-id", "content-type", "content-length", "accept", "host"}


def init_app(app: Flask, **options: Any) -> None:
    """Start the SDK when a DSN is configured; otherwise nothing is sent anywhere."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=app.config.get("SENTRY_ENVIRONMENT") or app.config["ENV"],
        integrations=[FlaskIntegration()],
        # Nothing personal is collected in the first place: no user details, cookies, bodies, query
        # parameters or local variables; only the request headers named here.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(KEPT_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        },
        max_request_body_size="never",
        traces_sample_rate=float(app.config.get("SENTRY_TRACES_SAMPLE_RATE") or 0.0),
        before_send=scrub,
        before_breadcrumb=lambda crumb, hint: scrub(crumb, hint),
        **options,
    )


def scrub(event: Any, hint: Any = None) -> Any:
    """The event with personal data and secrets taken out."""
    request = event.get("request") if isinstance(event, dict) else None
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
    if isinstance(event, dict) and isinstance(event.get("user"), dict):
        event["user"] = {k: v for k, v in event["user"].items() if k == "id"}
    return _walk(event)


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return TOKEN.sub("[redacted]", redact(value))
    if isinstance(value, dict):
        return {key: _walk(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_walk(item) for item in value)
    return value
