"""Two workers on one outbox (committed database, real threads, real SMTP): each message leaves once."""

from __future__ import annotations

import threading
from collections import Counter

from flask import Flask
from sqlalchemy import func, select

from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.models import OutboxMessage, OutboxStatus, Subscriber
from portal.notify.tokens import digest, unsubscribe_token
from portal.notify.worker import DeliveryReport, deliver_due

RECIPIENTS = 300


def test_two_workers_never_send_a_message_twice(live_app: Flask) -> None:
    live_app.config["OUTBOX_BATCH_SIZE"] = 10
    addresses = [f"subscriber{n}@example.org" for n in range(RECIPIENTS)]
    db.session.add_all(
        Subscriber(address=a, unsubscribe_hash=digest(unsubscribe_token(a)), confirmed_at=func.now()) for a in addresses
    )
    db.session.flush()
    assert (
        announce(Notice(subject="Change", summary="What changes", links=[], reference="change-notice:1")) == RECIPIENTS
    )
    db.session.commit()
    db.session.remove()
    reports: list[DeliveryReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        with live_app.app_context():
            try:
                start.wait()
                reports.append(deliver_due())
            except BaseException as error:  # surfaced by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    with MailSink() as sink:
        live_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.sent for r in reports) == RECIPIENTS
    assert all(r.sent > 0 for r in reports), reports  # both really worked
    assert Counter(r for m in sink.messages for r in m.recipients) == Counter(addresses)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert counts == {OutboxStatus.SENT: RECIPIENTS}
