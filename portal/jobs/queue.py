"""The huey queue that tells workers which job to run, and the sweep that finds any it was not told of.

huey carries only a job's id; the job itself is the row the request committed (portal/jobs/models.py).
The request tells the queue after its commit (`dispatch`); a web process that dies between the two
leaves a job with no message, which the sweep finds: when a worker starts and every minute after.
A message for a job another worker holds, or that is finished, does nothing (the claim decides), so
the queue may deliver a job's id more than once without harm.

Storage follows `JOBS_QUEUE_URL`: `sqlite:///path` (SqliteHuey, a file beside the portal's database:
`make run` needs no other service) or `redis://...` (RedisHuey, production: any number of
`flask jobs work` processes on any machines).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from portal import dates
from portal.extensions import db
from portal.jobs import service

log = logging.getLogger(__name__)
EXTENSION = "jobs_queue"


class Queue:
    """One app's huey instance with its two tasks: run a job, and sweep for jobs nobody runs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = make_huey(app.config["JOBS_QUEUE_URL"])
        self.run_task = self.huey.task(name="run_job")(self._run)
        self.huey.periodic_task(crontab(minute="*"), name="sweep_jobs")(self.sweep)
        self.huey.on_startup(name="sweep_on_start")(self.sweep)

    def _run(self, job_id: int) -> str:
        with self.app.app_context():
            try:
                outcome = service.run_job(job_id)
            finally:
                db.session.remove()
        log.info("job %s: %s", job_id, outcome)
        return outcome

    def dispatch(self, job_id: int, eta: dt.datetime | None = None) -> None:
        """Tell the workers of a committed job (at `eta` when another worker's lease runs out then)."""
        if eta is None:
            self.run_task(job_id)
        else:
            self.run_task.schedule(args=(job_id,), eta=eta.astimezone(dt.UTC).replace(tzinfo=None))

    def sweep(self) -> int:
        """Queue every unfinished job: now if nobody holds it, else for when its holder's lease runs out."""
        with self.app.app_context():
            try:
                found = service.unfinished()
            finally:
                db.session.remove()
        now = dates.now()
        for job_id, lease_until in found:
            self.dispatch(job_id, lease_until if lease_until is not None and lease_until > now else None)
        return len(found)


def make_huey(url: str) -> Huey:
    """SqliteHuey for a `sqlite:///` URL, RedisHuey for `redis://` (ValueError otherwise)."""
    if url.startswith("sqlite:///"):
        return SqliteHuey("portal-jobs", filename=url.removeprefix("sqlite:///"), results=False, utc=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("portal-jobs", url=url, results=False, utc=True)
    raise ValueError(f"JOBS_QUEUE_URL must be sqlite:/// or redis://, not {url!r}")


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Queue(app)


def queue() -> Queue:
    """This app's queue."""
    found: Any = current_app.extensions[EXTENSION]
    return found  # type: ignore[no-any-return]


def dispatch(job_id: int) -> None:
    """After the commit that made or reopened a job: tell a worker. A failure is logged; the sweep recovers."""
    try:
        queue().dispatch(job_id)
    except Exception:
        log.exception("job %s committed but not queued: the next sweep queues it", job_id)
