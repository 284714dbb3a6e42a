"""The loop a polling worker runs (the outbox's and the webhooks'): pass after pass until stopped."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

from portal.extensions import db


class PassReport(Protocol):
    @property
    def handled(self) -> int: ...


R = TypeVar("R", bound=PassReport)


def poll_until_stopped(
    log: logging.Logger,
    name: str,
    one_pass: Callable[[], R],
    describe: Callable[[R], str],
    *,
    poll_seconds: float,
    should_stop: Callable[[], bool],
) -> None:
    """Run `one_pass` until `should_stop` says so, waiting `poll_seconds` after a pass that found nothing.

    A pass that fails is logged and rolled back: the worker must outlive a database blip, and the
    next pass retries. Every pass ends with its database session removed, so the next one starts
    clean. A pass that handled something is logged as "<name>: <describe(report)>"."""
    while not should_stop():
        report: R | None = None
        try:
            report = one_pass()
        except Exception:
            log.exception("%s pass failed", name)
            db.session.rollback()
        finally:
            db.session.remove()
        if report is not None and report.handled:
            log.info("%s: %s", name, describe(report))
        else:
            time.sleep(poll_seconds)
