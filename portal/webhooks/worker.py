"""The webhook worker: claim due messages, post each signed to its endpoint, retry with exponential backoff.

Nothing is lost: a message stays in the table until its endpoint answers 2xx, and a worker that
dies mid-post leaves its claim to lapse, after which another worker posts it again. Nothing is
duplicated: every attempt of a message carries the same webhook-id and body, so the receiver
drops a repeat (the specification's idempotency rule). No transaction is open while posting.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from flask import current_app
from sqlalchemy import select, update

from portal.dates import now
from portal.extensions import db
from portal.jobs.polling import poll_until_stopped
from portal.webhooks.endpoints import live_secrets, signature_header
from portal.webhooks.models import MessageStatus, WebhookAttempt, WebhookEndpoint, WebhookMessage

log = logging.getLogger(__name__)

CLAIM_LEASE = dt.timedelta(minutes=5)
USER_AGENT = "school-agreement-portal-webhooks/1"


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: 5 s, 15 s, 45 s, ... tripling, capped at six hours."""
    return dt.timedelta(seconds=min(6 * 3600, 5 * 3 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Outgoing:
    """What one attempt needs, read before posting so that no transaction stays open meanwhile."""

    row_id: int
    msg_id: str
    url: str
    body: str
    attempts: int
    secrets: tuple[str, ...]

    def headers(self) -> dict[str, str]:
        """Signed now, just before posting: the receiver refuses timestamps more than minutes old."""
        at = now()
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": self.msg_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature_header(self.secrets, self.msg_id, at, self.body),
        }


@dataclass
class WebhookReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retried + self.failed

    def summary(self) -> str:
        return f"{self.delivered} delivered, {self.retried} to retry, {self.failed} failed"


def release_stale_claims() -> int:
    """Put back messages claimed by a worker that stopped mid-post."""
    result = db.session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.status == MessageStatus.SENDING, WebhookMessage.claimed_at < now() - CLAIM_LEASE)
        .values(status=MessageStatus.QUEUED, claimed_by=None, claimed_at=None)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_batch(limit: int) -> tuple[str, list[Outgoing]]:
    """Claim due messages of enabled endpoints; on PostgreSQL concurrent workers skip each other's rows."""
    token = uuid.uuid4().hex
    due = (
        select(WebhookMessage.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
        .where(
            WebhookMessage.status == MessageStatus.QUEUED,
            WebhookMessage.next_attempt_at <= now(),
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(WebhookMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        ids: Any = list(db.session.scalars(due.with_for_update(of=WebhookMessage, skip_locked=True)))
    else:
        ids = due.scalar_subquery()  # SQLite runs the one UPDATE atomically
    db.session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.id.in_(ids), WebhookMessage.status == MessageStatus.QUEUED)
        .values(status=MessageStatus.SENDING, claimed_by=token, claimed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    rows = db.session.execute(
        select(WebhookMessage, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
        .where(WebhookMessage.claimed_by == token)
        .order_by(WebhookMessage.id)
    ).all()
    outgoing = []
    for message, endpoint in rows:
        keys = live_secrets(endpoint, now())
        outgoing.append(Outgoing(message.id, message.msg_id, endpoint.url, message.body, message.attempts, keys))
    db.session.commit()
    return token, outgoing


def post(item: Outgoing) -> tuple[int | None, str | None, int]:
    """Post one message: (HTTP status or None, error or None, milliseconds). Redirects are not followed."""
    started = time.monotonic()
    try:
        response = requests.post(
            item.url,
            data=item.body.encode(),
            headers=item.headers(),
            timeout=float(current_app.config["WEBHOOK_TIMEOUT"]),
            allow_redirects=False,
        )
    except requests.RequestException as failure:
        return None, f"{type(failure).__name__}: {failure}"[:300], _ms(started)
    response.close()
    refused = None if 200 <= response.status_code < 300 else f"The endpoint answered {response.status_code}"
    return response.status_code, refused, _ms(started)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def settle(token: str, item: Outgoing, status_code: int | None, error: str | None, ms: int) -> MessageStatus:
    """Log the attempt and mark the message delivered, queued again with backoff, or failed; commit."""
    attempts = item.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "claimed_by": None, "claimed_at": None, "last_error": error}
    if error is None:
        outcome = MessageStatus.DELIVERED
        values["delivered_at"] = now()
    elif attempts >= int(current_app.config["WEBHOOK_MAX_ATTEMPTS"]):
        outcome = MessageStatus.FAILED
    else:
        outcome = MessageStatus.QUEUED
        values["next_attempt_at"] = now() + backoff(attempts)
    held = (WebhookMessage.id == item.row_id, WebhookMessage.claimed_by == token)
    result = db.session.execute(
        update(WebhookMessage)
        .where(*held)
        .values(status=outcome, **values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        log.warning("webhook message %s was no longer claimed by this worker", item.row_id)
    db.session.add(WebhookAttempt(message_id=item.row_id, status_code=status_code, error=error, duration_ms=ms))
    db.session.commit()
    return outcome


def deliver_due(max_batches: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> WebhookReport:
    """Post every message that is due now, batch after batch (the one-shot `flask webhooks deliver`)."""
    report = WebhookReport()
    release_stale_claims()
    batches = 0
    while (max_batches is None or batches < max_batches) and not should_stop():
        token, batch = claim_batch(int(current_app.config["WEBHOOK_BATCH_SIZE"]))
        if not batch:
            break
        for item in batch:
            outcome = settle(token, item, *post(item))
            if outcome is MessageStatus.DELIVERED:
                report.delivered += 1
            elif outcome is MessageStatus.FAILED:
                report.failed += 1
            else:
                report.retried += 1
        batches += 1
    return report


def work(poll_seconds: float = 1.0, should_stop: Callable[[], bool] = lambda: False) -> None:
    """Run until stopped: post what is due, then wait a little."""
    log.info("webhook worker started")
    poll_until_stopped(log, "webhooks", lambda: deliver_due(should_stop=should_stop), poll_seconds, should_stop)
