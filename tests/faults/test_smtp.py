"""The mail server fails during a change-notice fan-out: nothing lost, nothing doubled.

tests/notify/test_worker.py covers a refused connection and a server that stops mid-batch
with 421; these are the other ways a relay fails: it accepts the connection and never speaks
(the worker must time out, not hang), and it drops the connection in the middle of a message
without a reply (that message was not accepted, so it is sent again, once).
"""

from __future__ import annotations

import datetime as dt
import socket
from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import func, update

from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.models import OutboxMessage, OutboxStatus, Subscriber
from portal.notify.tokens import digest, unsubscribe_token
from portal.notify.worker import deliver_due

SUBSCRIBERS = 30


def fan_out() -> list[str]:
    addresses = [f"reader{n:02d}@example.org" for n in range(SUBSCRIBERS)]
    db.session.add_all(
        Subscriber(address=a, unsubscribe_hash=digest(unsubscribe_token(a)), confirmed_at=func.now()) for a in addresses
    )
    db.session.flush()
    assert announce(Notice(subject="Change", summary="What changes", reference="change-notice:1")) >= SUBSCRIBERS
    db.session.commit()
    return addresses


def statuses() -> Counter[str]:
    rows = db.session.execute(db.select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return Counter({str(status): n for status, n in rows})


def backoff_passes() -> None:
    db.session.execute(update(OutboxMessage).values(next_attempt_at=now() - dt.timedelta(seconds=1)))
    db.session.commit()


def to_subscribers(sink: MailSink) -> Counter[str]:
    return Counter(r for m in sink.messages for r in m.recipients if r.startswith("reader"))


def test_a_relay_that_accepts_the_connection_and_never_answers_times_out_and_loses_nothing(app: Flask) -> None:
    addresses = fan_out()
    total = sum(statuses().values())
    with socket.socket() as silent:  # the kernel completes the handshake; nobody ever sends a greeting
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        app.config.update(SMTP_PORT=silent.getsockname()[1], SMTP_TIMEOUT=0.5)
        report = deliver_due()
    assert (report.sent, report.retried) == (0, total)
    assert statuses() == Counter({OutboxStatus.QUEUED.value: total})
    last_error = db.session.scalars(db.select(OutboxMessage.last_error)).first()
    assert last_error is not None and "SMTP unavailable" in last_error
    with MailSink() as sink:
        app.config["SMTP_PORT"] = sink.port
        backoff_passes()
        assert deliver_due().sent == total
    assert to_subscribers(sink) == Counter(addresses)


def test_a_relay_that_drops_the_connection_mid_message_gets_that_message_again_once(app: Flask) -> None:
    addresses = fan_out()
    total = sum(statuses().values())
    sink = MailSink()
    original = sink.handler.handle_DATA
    dropped: list[list[str]] = []

    async def drop_the_eleventh(server: Any, session: Any, envelope: Any) -> str:
        if len(sink.handler.messages) == 10 and not dropped:
            dropped.append(list(envelope.rcpt_tos))
            server.transport.abort()  # gone without a reply: the message was never accepted
            return "250 never seen by the client"
        return await original(server, session, envelope)

    sink.handler.handle_DATA = drop_the_eleventh  # type: ignore[method-assign]
    with sink:
        app.config["SMTP_PORT"] = sink.port
        first = deliver_due()
        assert (first.sent, first.retried) == (10, total - 10)
        assert statuses() == Counter({OutboxStatus.SENT.value: 10, OutboxStatus.QUEUED.value: total - 10})
        backoff_passes()
        assert deliver_due().sent == total - 10
    assert dropped and len(sink.messages) == total
    assert to_subscribers(sink) == Counter(addresses)  # each subscriber exactly once, the dropped one included
    assert statuses() == Counter({OutboxStatus.SENT.value: total})
