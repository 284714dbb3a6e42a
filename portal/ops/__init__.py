"""Operations: backups that prove themselves, structured logs, metrics and error reports."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Logs, metrics and error reporting, each as configured (see docs/operations.md)."""
    from portal.ops import logs, metrics, reporting

    logs.configure(app)
    metrics.init_app(app)
    reporting.init_app(app)
