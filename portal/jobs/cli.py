"""`flask jobs work`: a huey consumer running the portal's jobs until stopped."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.jobs.queue import queue

jobs_cli = AppGroup("jobs", help="Background jobs: signing for a trust's academies and other long work.")


@jobs_cli.command("work")
@click.option("--workers", default=1, show_default=True, help="Jobs run at once by this process (threads).")
def jobs_work(workers: int) -> None:
    """Run jobs until stopped (SIGINT finishes the running items first; SIGTERM stops at once)."""
    found = queue()
    current_app.logger.info("job worker: %s worker(s) on %s", workers, current_app.config["JOBS_QUEUE_URL"])
    consumer = found.huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, initial_delay=0.1, max_delay=1.0
    )
    consumer.run()


@jobs_cli.command("sweep")
def jobs_sweep() -> None:
    """Queue every unfinished job again (what a starting worker does), then stop."""
    click.echo(f"{queue().sweep()} unfinished job(s) queued")
