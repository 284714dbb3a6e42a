"""Logs an engineer can search: one JSON line per request in production, readable lines in development.

Configured once, through the standard library's logging with python-json-logger's formatter. Every
record passes a filter that takes email addresses and bearer tokens out of the text, so neither
reaches a log in clear, whoever logged it (our code, a library, an SMTP error naming a recipient).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

from flask import Flask, Response, g, request, session
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

from portal.web.security import request_id

REQUEST_LOGGER = "portal.request"
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
SECRET = re.compile(r"(?i)\b(bearer\s+|(?:token|password|secret|code|state|key)\s*[=:]\s*)[\w.~+/-]{8,}=*")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


class Redact(logging.Filter):
    """Replace email addresses and token-like values in a record's message (and its exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def redact(text: str) -> str:
    return SECRET.sub(r"\1[redacted]", EMAIL.sub("[email]", text))


def formatter(kind: str) -> logging.Formatter:
    """The formatter for `kind` ("json" or "plain")."""
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"})
    return logging.Formatter(PLAIN_FORMAT)


def configure(app: Flask) -> None:
    """Send the root logger's records to stderr in the configured format (skipped in tests: pytest owns it)."""
    kind = app.config["LOG_FORMAT"] or ("json" if app.config["ENV"] == "production" else "plain")
    if app.config["ENV"] != "test":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter(kind))
        handler.addFilter(Redact())
        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, "portal_handler", False)]:
            root.removeHandler(old)
        handler.portal_handler = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(app.config["LOG_LEVEL"])
        # The development server prints its own request lines; ours replace them.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.before_request(_start_timer)
    app.after_request(_log_request)


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    tenancy = g.get("tenancy")
    fields: dict[str, Any] = {
        "request_id": request_id(),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        # The session id is "user id:version:token": only the user id is logged.
        "user_id": _int_or_none(str(session.get("_user_id", "")).split(":", 1)[0]),
        "tenancy_id": _identity(tenancy),
    }
    logging.getLogger(REQUEST_LOGGER).info(
        "%s %s %s %sms", fields["method"], fields["route"] or "-", fields["status"], fields["duration_ms"], extra=fields
    )
    return response


def _identity(row: Any) -> int | None:
    """A row's primary key as the session knows it. Reading `row.id` after a view's commit (which
    expires every row) would load the row again: a transaction and a query for a log line."""
    if row is None:
        return None
    state = inspect(row, raiseerr=False)
    if state is None:  # not a mapped row
        return _int_or_none(getattr(row, "id", None))
    return _int_or_none(state.identity[0]) if state.identity else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
