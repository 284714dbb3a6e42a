"""Command-line groups: `flask demo`, `flask outbox`, `flask audit` and those of each capability."""

from __future__ import annotations

import signal
from types import FrameType

import click
from flask import Flask
from flask.cli import AppGroup

from portal.audit.cli import audit_cli
from portal.demo import load
from portal.demo.scale import scale_command
from portal.extensions import db
from portal.jobs.cli import jobs_cli
from portal.notify.cli import notify_cli
from portal.notify.worker import deliver_due, work
from portal.webhooks.cli import webhooks_cli

outbox_cli = AppGroup("outbox", help="Deliver queued mail.")
demo_cli = AppGroup("demo", help="Demo data for `make run`.")


@outbox_cli.command("deliver")
def outbox_deliver() -> None:
    """Deliver every message that is due now, then stop."""
    report = deliver_due()
    click.echo(f"{report.sent} sent, {report.retried} to retry, {report.failed} failed")


@outbox_cli.command("work")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait when nothing is due.")
def outbox_work(poll: float) -> None:
    """Deliver mail until stopped (SIGTERM or Ctrl-C finishes the current message first)."""
    stopping = {"now": False}

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    work(poll_seconds=poll, should_stop=lambda: stopping["now"])


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo vendor, schools, trusts and users; running it again changes nothing."""
    for line in load():
        click.echo(line)
    db.session.commit()


def init_app(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
    app.cli.add_command(demo_cli)
    demo_cli.add_command(scale_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(jobs_cli)
    from portal.ops.cli import backup_cli

    app.cli.add_command(backup_cli)
