"""`flask webhooks work` and `flask webhooks deliver`: post queued webhook messages."""

from __future__ import annotations

import signal
from types import FrameType

import click
from flask.cli import AppGroup

from portal.webhooks import worker

webhooks_cli = AppGroup("webhooks", help="Deliver queued webhook messages to the vendor's platform.")


@webhooks_cli.command("deliver")
def deliver() -> None:
    """Post every message that is due now, then stop."""
    report = worker.deliver_due()
    click.echo(f"{report.delivered} delivered, {report.retried} to retry, {report.failed} failed")


@webhooks_cli.command("work")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait when nothing is due.")
def work(poll: float) -> None:
    """Post messages until stopped (SIGTERM or Ctrl-C finishes the current one first)."""
    stopping = {"now": False}

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.work(poll_seconds=poll, should_stop=lambda: stopping["now"])
