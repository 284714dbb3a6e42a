"""`flask notify cleanup`: forget unconfirmed addresses whose confirmation link has expired."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.extensions import db
from portal.notify.subscriptions import forget_expired

notify_cli = AppGroup("notify", help="Subscriptions to change notices.")


@notify_cli.command("cleanup")
def cleanup() -> None:
    """Delete unconfirmed subscriptions whose confirmation token has expired."""
    count = forget_expired()
    db.session.commit()
    click.echo(f"{count} unconfirmed address(es) forgotten")
