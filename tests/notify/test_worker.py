"""The outbox worker against a real aiosmtpd server: batches, refusals, retries, outages, stale claims."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.notify.outbox import MailError, build_message, enqueue
from portal.notify.worker import CLAIM_LEASE, backoff, claim_batch, deliver_due


def queue(count: int, prefix: str = "person") -> list[str]:
    addresses = [f"{prefix}{n}@example.org" for n in range(count)]
    for address in addresses:
        enqueue(to=address, subject=f"Hello {address}", text="Body", category="test", reference="test:1")
    return addresses


def statuses() -> Counter[str]:
    rows = db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return Counter({str(status): n for status, n in rows})


def backoff_passes() -> None:
    """Time moves on: every row waiting for its next attempt is due now."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=now() - dt.timedelta(seconds=1)))
    db.session.commit()


def test_enqueue_refuses_header_injection_and_bad_addresses(app: Flask) -> None:
    with pytest.raises(MailError):
        enqueue(to="a@example.org", subject="Hi\r\nBcc: victim@example.org", text="x", category="t")
    with pytest.raises(MailError):
        enqueue(to="a@example.org\nBcc: b@example.org", subject="Hi", text="x", category="t")
    with pytest.raises(MailError):
        enqueue(to="not an address", subject="Hi", text="x", category="t")
    with pytest.raises(MailError):
        enqueue(to="a@example.org", subject="Hi", text="x", category="t", headers={"Bcc": "b@example.org"})
    with pytest.raises(MailError):
        enqueue(to="a@example.org", subject="Hi", text="x", category="t", headers={"List-Id": "a\r\nb"})
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_message_is_an_email_message_with_a_stable_id(app: Flask) -> None:
    row = enqueue(to="Someone@Example.org", subject="Hello", text="Body text", category="t")
    first, second = build_message(row), build_message(row)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["To"] == "Someone@example.org"
    assert first.get_content().strip() == "Body text"


@pytest.mark.parametrize("batch", [200, 2], ids=["one batch", "three batches"])
def test_a_batch_goes_over_one_connection_and_so_do_the_next(
    app: Flask, mail_sink: MailSink, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setitem(app.config, "OUTBOX_BATCH_SIZE", batch)
    addresses = queue(5)
    db.session.commit()
    sessions: list[Any] = []
    original = mail_sink.handler.handle_DATA

    async def spy(server: Any, session: Any, envelope: Any) -> str:
        sessions.append(id(session))
        return await original(server, session, envelope)

    mail_sink.handler.handle_DATA = spy  # type: ignore[method-assign]
    report = deliver_due()
    assert report.sent == 5
    assert len(set(sessions)) == 1
    assert sorted(r for m in mail_sink.messages for r in m.recipients) == sorted(addresses)
    assert statuses() == Counter({"sent": 5})
    assert deliver_due().handled == 0  # nothing twice


def test_permanent_refusal_fails_with_the_reason_and_is_not_retried(app: Flask, mail_sink: MailSink) -> None:
    queue(3)
    mail_sink.refuse("person1@example.org")
    db.session.commit()
    report = deliver_due()
    assert (report.sent, report.failed, report.retried) == (2, 1, 0)
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)).one()
    assert failed.recipient == "person1@example.org"
    assert failed.last_error is not None and "550" in failed.last_error and "Mailbox unavailable" in failed.last_error
    backoff_passes()
    assert deliver_due().handled == 0
    assert len(mail_sink.messages) == 2


def test_transient_refusal_retries_with_backoff_then_gives_up(app: Flask, mail_sink: MailSink) -> None:
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    queue(2)
    mail_sink.defer("person0@example.org")
    db.session.commit()
    report = deliver_due()
    assert (report.sent, report.retried) == (1, 1)
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "person0@example.org")).one()
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1 and "451" in (row.last_error or "")
    assert row.next_attempt_at > now() + backoff(1) - dt.timedelta(seconds=5)
    assert deliver_due().handled == 0  # not due yet
    backoff_passes()
    assert deliver_due().retried == 1
    backoff_passes()
    assert deliver_due().failed == 1  # third attempt: failed for good
    db.session.refresh(row)
    assert row.status == OutboxStatus.FAILED and row.attempts == 3
    backoff_passes()
    assert deliver_due().handled == 0
    # the mailbox recovers: the other message was sent once, this one never
    assert [m.recipients for m in mail_sink.messages] == [["person1@example.org"]]


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(30) == dt.timedelta(hours=1)


def test_smtp_down_loses_nothing(app: Flask) -> None:
    """Nothing listens on the SMTP port: every message stays queued for later, none is lost."""
    queue(4)
    db.session.commit()
    report = deliver_due()
    assert report.retried == 4
    assert statuses() == Counter({"queued": 4})
    with MailSink() as sink:
        app.config["SMTP_PORT"] = sink.port
        backoff_passes()
        assert deliver_due().sent == 4
        assert len(sink.messages) == 4


def test_outage_in_the_middle_of_a_batch_then_restart_delivers_each_exactly_once(app: Flask) -> None:
    app.config["OUTBOX_BATCH_SIZE"] = 20
    addresses = queue(50)
    db.session.commit()
    first = MailSink().start()
    app.config["SMTP_PORT"] = first.port
    stopped = first.stop_after(13)  # the server goes away after 13 messages, mid-batch
    report = deliver_due()
    assert stopped.wait(10)
    assert report.sent == 13 and report.retried == 37
    assert statuses() == Counter({"sent": 13, "queued": 37})
    # The worker runs again while the server is still down: still nothing lost.
    backoff_passes()
    assert deliver_due().retried == 37
    second = MailSink(port=first.port).start()  # the server comes back on the same port
    try:
        backoff_passes()
        assert deliver_due().sent == 37
    finally:
        second.stop()
    delivered = Counter(r for sink in (first, second) for m in sink.messages for r in m.recipients)
    assert delivered == Counter(addresses)  # every recipient exactly once
    assert statuses() == Counter({"sent": 50})


def test_stale_claims_of_a_dead_worker_are_released(app: Flask, mail_sink: MailSink) -> None:
    queue(3)
    db.session.commit()
    claim = claim_batch(10)  # a worker claims, then dies without sending
    assert len(claim.rows) == 3
    assert deliver_due().handled == 0  # a live claim is respected
    db.session.execute(update(OutboxMessage).values(claimed_at=now() - CLAIM_LEASE - dt.timedelta(seconds=1)))
    db.session.commit()
    assert deliver_due().sent == 3
    assert len(mail_sink.messages) == 3
