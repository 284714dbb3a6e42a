"""`flask audit prune`: the one way audit rows are removed, and only past the retention period."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete

from portal.audit.models import AuditEvent
from portal.dates import now
from portal.extensions import db

audit_cli = AppGroup("audit", help="Audit log retention.")
MINIMUM_RETENTION_DAYS = 366


def prune(retention_days: int) -> int:
    """Delete audit rows older than the retention period (never less than twelve months)."""
    if retention_days < MINIMUM_RETENTION_DAYS:
        raise ValueError(f"audit rows are kept at least {MINIMUM_RETENTION_DAYS} days")
    cutoff = now() - dt.timedelta(days=retention_days)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@audit_cli.command("prune")
def prune_command() -> None:
    """Remove audit rows older than PORTAL_AUDIT_RETENTION_DAYS (default 13 months)."""
    removed = prune(int(current_app.config["AUDIT_RETENTION_DAYS"]))
    db.session.commit()
    click.echo(f"Removed {removed} audit rows older than the retention period.")
