"""The outbox worker: claim due messages safely, deliver them over a reused SMTP connection, retry with backoff.

Nothing is lost and nothing goes twice: rows stay `sending` under this worker's claim until the
server has accepted them and their sent-mark is committed (every OUTBOX_SENT_FLUSH messages, and
before any retry or failure is written); an SMTP outage mid-batch commits the marks of what was
accepted and puts the rest back with backoff. Messages sharing their content are built once
(portal.notify.compose) and one connection carries batch after batch. Several workers may run: on PostgreSQL a claim
locks its rows `FOR UPDATE SKIP LOCKED`; a worker renews its claim while it sends and only
updates rows it still holds; claims of a dead worker lapse after CLAIM_LEASE.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal.dates import now
from portal.extensions import db
from portal.jobs.polling import poll_until_stopped
from portal.notify.compose import Outgoing, prepare, sender
from portal.notify.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died; its rows go back to the queue.
CLAIM_LEASE = dt.timedelta(minutes=5)
# A live worker renews its claim this often, far inside the lease.
HEARTBEAT = dt.timedelta(seconds=30)


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed"


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


@dataclass
class Claim:
    """A batch this worker holds: the claim token, and each row's id, attempts and message ready to send."""

    token: str
    rows: list[tuple[int, int, Outgoing]]
    renewed: dt.datetime = field(default_factory=now)
    sent: list[int] = field(default_factory=list)


def claim_batch(limit: int) -> Claim:
    """Claim up to `limit` due rows for this worker; on PostgreSQL concurrent workers skip each other's rows."""
    token = uuid.uuid4().hex
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now())
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock the ids first, in their own statement: inside `UPDATE ... WHERE id IN (subquery)` PostgreSQL
        # may re-run a LIMIT ... SKIP LOCKED subquery per row and claim far more than `limit`.
        ids: Any = list(db.session.scalars(due.with_for_update(skip_locked=True)))
    else:
        ids = due.scalar_subquery()  # SQLite runs the one UPDATE atomically: no other writer interleaves
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_by=token, claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(OutboxMessage.id))
    # Build every message before sending: later commits expire the ORM rows, and this keeps it to one query.
    claimed = rows.all()
    attempts = {row.id: row.attempts for row in claimed}
    ready, broken = prepare(claimed)
    claim = Claim(token, [(row_id, attempts[row_id], ready[row_id]) for row_id in attempts if row_id in ready])
    db.session.commit()
    for row_id, reason in broken.items():  # a row no server would take: fail it, never loop on it
        _failed(claim, row_id, attempts[row_id], reason, DeliveryReport())
    return claim


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"]))
    if config["SMTP_STARTTLS"]:
        smtp.starttls()
    if config["SMTP_USERNAME"]:
        smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    return smtp


class Relay:
    """The connection to the mail server, opened when first needed and kept batch after batch.

    Connecting (and STARTTLS and login in production) costs several round trips: a notice to
    England is 370 batches. A connection kept from an earlier batch is checked with NOOP first,
    since a server may have closed it meanwhile; one that failed is dropped, never reused.
    """

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None

    def connection(self) -> smtplib.SMTP:
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (OSError, smtplib.SMTPException):
                pass
            self.drop()
        self.smtp = _connect()
        return self.smtp

    def drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _settle(claim: Claim, row_id: int, **values: object) -> None:
    """Update one claimed row, only while this worker still holds it, and commit."""
    _write_sent(claim)
    held = (OutboxMessage.id == row_id, OutboxMessage.claimed_by == claim.token)
    result = db.session.execute(
        update(OutboxMessage).where(*held).values(**values).execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        log.warning("outbox message %s was no longer claimed by this worker", row_id)
    db.session.commit()


def _sent(claim: Claim, row_id: int, report: DeliveryReport) -> None:
    """Note a message the server accepted; the marks are written every few messages (see _write_sent)."""
    claim.sent.append(row_id)
    report.sent += 1
    if len(claim.sent) >= int(current_app.config["OUTBOX_SENT_FLUSH"]):
        _write_sent(claim)
        db.session.commit()


def _write_sent(claim: Claim) -> None:
    """Mark the accepted messages sent in one statement (the caller commits).

    Writing every message's mark in its own commit made the worker more than twice as slow
    (bench/notify_fanout.py): two database round trips beside the four of SMTP. The price of grouping
    is that a worker killed outright re-sends the accepted messages whose marks were not yet written,
    at most OUTBOX_SENT_FLUSH, once its claim lapses (tests/faults/test_worker_kill.py). Nothing is
    lost: a row is marked only after the server accepted it. An SMTP outage re-sends nothing.
    """
    if now() - claim.renewed > HEARTBEAT:  # keep the claim alive while sending a long batch
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.claimed_by == claim.token, OutboxMessage.status == OutboxStatus.SENDING)
            .values(claimed_at=now())
            .execution_options(synchronize_session=False)
        )
        claim.renewed = now()
    if not claim.sent:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(claim.sent), OutboxMessage.claimed_by == claim.token)
        .values(
            status=OutboxStatus.SENT,
            sent_at=now(),
            attempts=OutboxMessage.attempts + 1,
            claimed_by=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    claim.sent.clear()


def _retry(claim: Claim, row_id: int, attempts: int, error: str, report: DeliveryReport) -> None:
    """Back to the queue with backoff, or failed for good after OUTBOX_MAX_ATTEMPTS."""
    attempts += 1
    common = {"attempts": attempts, "claimed_by": None, "claimed_at": None, "last_error": error[:500]}
    if attempts >= int(current_app.config["OUTBOX_MAX_ATTEMPTS"]):
        _settle(claim, row_id, status=OutboxStatus.FAILED, **common)
        report.failed += 1
    else:
        _settle(claim, row_id, status=OutboxStatus.QUEUED, next_attempt_at=now() + backoff(attempts), **common)
        report.retried += 1


def _failed(claim: Claim, row_id: int, attempts: int, error: str, report: DeliveryReport) -> None:
    """A permanent refusal: never retried, shown to vendor staff with the reason."""
    _settle(claim, row_id, status=OutboxStatus.FAILED, attempts=attempts + 1, claimed_by=None, last_error=error[:500])
    report.failed += 1


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def deliver_batch(claim: Claim, report: DeliveryReport, relay: Relay | None = None) -> None:
    """Send a claimed batch over the relay's connection (a new one, closed after, when none is given);
    an outage puts the unsent rest back with backoff."""
    if not claim.rows:
        return
    own = relay is None
    relay = relay or Relay()
    try:
        smtp = relay.connection()
    except (OSError, smtplib.SMTPException) as error:
        for row_id, attempts, _message in claim.rows:
            _retry(claim, row_id, attempts, f"SMTP unavailable: {error}", report)
        return
    envelope_from = sender()
    done = 0
    try:
        for row_id, attempts, outgoing in claim.rows:
            try:
                refused = outgoing.send(smtp, envelope_from)
            except smtplib.SMTPRecipientsRefused as error:
                code, reason = next(iter(error.recipients.values()))
                if 500 <= code < 600:
                    _failed(claim, row_id, attempts, f"Rejected by the mail server: {_reply(code, reason)}", report)
                else:
                    _retry(claim, row_id, attempts, f"Deferred by the mail server: {_reply(code, reason)}", report)
            except smtplib.SMTPServerDisconnected:
                raise
            except smtplib.SMTPResponseException as error:
                # 5xx but a protocol error (500-503) is this message's permanent refusal; 4xx is "try later".
                reply = _reply(error.smtp_code, error.smtp_error)
                if 500 <= error.smtp_code < 600 and error.smtp_code not in (500, 501, 502, 503):
                    _failed(claim, row_id, attempts, f"Rejected by the mail server: {reply}", report)
                elif error.smtp_code == 421:  # the server is closing the connection: treat as an outage
                    raise
                else:
                    _retry(claim, row_id, attempts, f"Deferred by the mail server: {reply}", report)
            else:
                if refused:
                    _failed(claim, row_id, attempts, f"Rejected by the mail server: {refused}", report)
                else:
                    _sent(claim, row_id, report)
            done += 1
    except (OSError, smtplib.SMTPException) as error:
        relay.drop()
        for row_id, attempts, _message in claim.rows[done:]:
            _retry(claim, row_id, attempts, f"SMTP failed mid-batch: {error}", report)
    finally:
        _write_sent(claim)
        db.session.commit()
        if own:
            relay.close()


def deliver_due(max_batches: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Deliver every due message now, batch after batch over one connection (the one-shot `flask outbox deliver`)."""
    report = DeliveryReport()
    release_stale_claims()
    batches = 0
    size = int(current_app.config["OUTBOX_BATCH_SIZE"])
    relay = Relay()
    try:
        while (max_batches is None or batches < max_batches) and not should_stop():
            claim = claim_batch(size)
            if not claim.rows:
                break
            deliver_batch(claim, report, relay)
            batches += 1
    finally:
        relay.close()
    return report


def work(poll_seconds: float = 1.0, should_stop: Callable[[], bool] = lambda: False) -> None:
    """Run until stopped: deliver what is due, then wait a little."""
    log.info("outbox worker started (%s:%s)", current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"])
    poll_until_stopped(log, "outbox", lambda: deliver_due(should_stop=should_stop), poll_seconds, should_stop)


__all__ = ["Claim", "DeliveryReport", "Relay", "backoff", "claim_batch", "deliver_batch", "deliver_due", "work"]
