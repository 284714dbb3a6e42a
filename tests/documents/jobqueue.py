"""Run what the portal's real huey queue holds, in this process, as a `flask jobs work` worker would."""

from __future__ import annotations

from flask import Flask

from portal.jobs.queue import EXTENSION


def drain(app: Flask) -> list[str]:
    """Execute every task in the app's queue, oldest first; what each reported."""
    huey = app.extensions[EXTENSION].huey
    outcomes = []
    while (task := huey.dequeue()) is not None:
        outcomes.append(huey.execute(task))
    return outcomes


def empty(app: Flask) -> None:
    """Forget what earlier tests queued (their jobs were rolled back with them)."""
    app.extensions[EXTENSION].huey.flush()
