"""The loop a polling worker runs (the outbox's and the webhooks'): pass after pass until stopped."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from portal.extensions import db


class PassReport(Protocol):
    """What one pass did: how many things it handled, and a line for the log."""

    @property
    def handled(self) -> int: ...

    def summary(self) -> str: ...


def poll_until_stopped(
    log: logging.Logger,
    name: str,
    one_pass: Callable[[], PassReport],
    poll_seconds: float,
    should_stop: Callable[[], bool],
) -> None:
    """Run `one_pass` until `should_stop` says so, waiting `poll_seconds` after a pass that found nothing.

    A pass that fails is logged and rolled back: the worker must outlive a database blip, and the
    next pass retries. Every pass ends with its database session removed, so the next one starts
    clean. A pass that handled something is logged as "<name>: <its summary>"."""
    while not should_stop():
        report: PassReport | None = None
        try:
            report = one_pass()
        except Exception:
            log.exception("%s pass failed", name)
            db.session.rollback()
        finally:
            db.session.remove()
        if report is not None and report.handled:
            log.info("%s: %s", name, report.summary())
        else:
            time.sleep(poll_seconds)
