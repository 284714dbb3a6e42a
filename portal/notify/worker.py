"""The outbox worker: claim due messages safely, deliver a batch over one SMTP connection, retry with backoff."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from portal.dates import now
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.notify.outbox import build_message

log = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died; its rows go back to the queue.
CLAIM_LEASE = dt.timedelta(minutes=5)


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min, ... capped at one hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def release_stale_claims() -> int:
    """Put back rows claimed by a worker that stopped mid-batch."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < now() - CLAIM_LEASE)
        .values(status=OutboxStatus.QUEUED, claimed_by=None, claimed_at=None)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_batch(limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for this worker; on PostgreSQL concurrent workers skip each other's rows."""
    token = uuid.uuid4().hex
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now())
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_by=token, claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)
        )
    )


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"]))
    if config["SMTP_STARTTLS"]:
        smtp.starttls()
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    return smtp


def _mark_sent(row: OutboxMessage) -> None:
    row.status = OutboxStatus.SENT
    row.sent_at = now()
    row.attempts += 1
    row.claimed_by = None
    row.last_error = None
    db.session.commit()


def _mark_retry(row: OutboxMessage, error: str, report: DeliveryReport) -> None:
    row.attempts += 1
    row.claimed_by = None
    row.claimed_at = None
    row.last_error = error[:500]
    if row.attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        row.status = OutboxStatus.FAILED
        report.failed += 1
    else:
        row.status = OutboxStatus.QUEUED
        row.next_attempt_at = now() + backoff(row.attempts)
        report.retried += 1


def _mark_failed(row: OutboxMessage, error: str, report: DeliveryReport) -> None:
    row.attempts += 1
    row.status = OutboxStatus.FAILED
    row.claimed_by = None
    row.last_error = error[:500]
    report.failed += 1
    db.session.commit()


def deliver_batch(batch: list[OutboxMessage], report: DeliveryReport) -> None:
    """Send a claimed batch over one connection; an outage puts the unsent rest back with backoff."""
    if not batch:
        return
    pending = list(batch)
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        for row in pending:
            _mark_retry(row, f"SMTP unavailable: {error}", report)
        db.session.commit()
        return
    try:
        while pending:
            row = pending[0]
            try:
                refused = smtp.send_message(build_message(row))
            except smtplib.SMTPRecipientsRefused as error:
                code, reason = next(iter(error.recipients.values()))
                text = f"{code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
                if 500 <= code < 600:
                    _mark_failed(row, f"Rejected by the mail server: {text}", report)
                else:
                    _mark_retry(row, f"Deferred by the mail server: {text}", report)
                    db.session.commit()
                pending.pop(0)
                continue
            except smtplib.SMTPResponseException as error:
                if 500 <= error.smtp_code < 600 and error.smtp_code not in (500, 502, 503):
                    _mark_failed(row, f"Rejected by the mail server: {error.smtp_code} {error.smtp_error!r}", report)
                    pending.pop(0)
                    continue
                raise
            if refused:
                _mark_failed(row, f"Rejected by the mail server: {refused}", report)
            else:
                _mark_sent(row)
                report.sent += 1
            pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:
        for row in pending:
            _mark_retry(row, f"SMTP failed mid-batch: {error}", report)
        db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def deliver_due(max_batches: int | None = None) -> DeliveryReport:
    """Deliver every due message now, batch after batch (the one-shot `flask outbox deliver`)."""
    report = DeliveryReport()
    release_stale_claims()
    batches = 0
    size = int(current_app.config["OUTBOX_BATCH_SIZE"])
    while max_batches is None or batches < max_batches:
        batch = claim_batch(size)
        if not batch:
            break
        deliver_batch(batch, report)
        batches += 1
    return report


def work(poll_seconds: float = 1.0, should_stop: Callable[[], bool] = lambda: False) -> None:
    """Run until stopped: deliver what is due, then wait a little."""
    log.info("outbox worker started (%s:%s)", current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"])
    while not should_stop():
        try:
            report = deliver_due()
        except Exception:  # the worker must outlive a database blip; the next pass retries
            log.exception("outbox pass failed")
            db.session.rollback()
            report = DeliveryReport()
        finally:
            db.session.remove()
        if report.handled:
            log.info("outbox: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed)
        else:
            time.sleep(poll_seconds)


__all__ = ["DeliveryReport", "backoff", "claim_batch", "deliver_batch", "deliver_due", "work"]
