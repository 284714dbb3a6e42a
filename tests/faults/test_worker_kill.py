"""A real `flask outbox work` process, SIGKILLed mid-batch and restarted: each message is delivered once.

The guarantee with OUTBOX_SENT_FLUSH=1 (the first two tests): a message's sent-mark is committed as soon as
the mail server accepts it, before the next message goes. So a worker killed at any moment has
at most one message in flight. Killed while the server has not yet accepted it (the worker is
waiting on the reply to DATA), nothing is sent twice. Killed in the instant between the server's
acceptance and the commit of its mark, that one message is sent again after restart: at most one
duplicate per killed worker, never a loss. The second test holds the worker in exactly that
instant (a row lock blocks the mark) to prove the bound. With marks written every N messages (the
default, 20), the third test: what a killed worker sends again is exactly what the server accepted
since its last marks, at most N, and still nothing is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import update

from portal.config import INSTANCE_KEYS
from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.outbox import enqueue
from portal.notify.worker import CLAIM_LEASE
from tests.conftest import ROOT, TestDatabase
from tests.faults.conftest import plain_dsn, skip_unless_postgresql

pytestmark = pytest.mark.slow

MESSAGES = 12
HOLD_AT = 6  # the sink holds the DATA of the sixth message


class GatedSink:
    """A real SMTP sink that holds one message's DATA command until told what to answer."""

    def __init__(self, hold_at: int) -> None:
        self.sink = MailSink()
        self.arrived = threading.Event()
        self.answer: str | None = None  # "accept" or "drop", set by the test
        self.held: list[str] = []
        self.count = 0
        original = self.sink.handler.handle_DATA

        async def gated(server: Any, session: Any, envelope: Any) -> str:
            self.count += 1  # handlers run one at a time on the sink's event loop
            if self.count == hold_at:
                self.held = list(envelope.rcpt_tos)
                self.arrived.set()
                while self.answer is None:
                    await asyncio.sleep(0.01)
                if self.answer == "drop":  # the client is gone before any reply: not accepted, not kept
                    return "421 4.4.2 Connection dropped"
            return await original(server, session, envelope)

        self.sink.handler.handle_DATA = gated  # type: ignore[method-assign]

    def delivered(self) -> Counter[str]:
        return Counter(r for message in self.sink.messages for r in message.recipients)


def start_worker(
    uri: str, smtp_port: int, command: tuple[str, ...] = ("work", "--poll", "0.2"), batch: int = 50, flush: int = 1
) -> subprocess.Popen[str]:
    """`flask outbox work` (or another outbox command) in a process of its own, configured by PORTAL_* only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env.update(
        PORTAL_SQLALCHEMY_DATABASE_URI=uri,
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_SMTP_PORT=str(smtp_port),
        PORTAL_SMTP_TIMEOUT="60",
        PORTAL_OUTBOX_SENT_FLUSH=str(flush),
        PORTAL_OUTBOX_BATCH_SIZE=str(batch),
        # Outside tests the portal runs only on keys of its own (#18), as `make run` makes them.
        **{f"PORTAL_{name}": secrets.token_urlsafe(48) for name in INSTANCE_KEYS},
    )
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "outbox", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def statuses(app: Flask) -> Counter[str]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage.status)).all()
        db.session.remove()
    return Counter(str(status) for status in rows)


def wait_for(condition: Any, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def queue_messages(app: Flask) -> list[str]:
    addresses = [f"reader{n:02d}@example.org" for n in range(MESSAGES)]
    with app.app_context():
        for address in addresses:
            enqueue(to=address, subject="Change notice", text="Body", category="test", reference="test:kill")
        db.session.commit()
        db.session.remove()
    return addresses


def lease_passes(app: Flask) -> None:
    """Time moves on past the claim lease, as it would before anyone restarts a dead worker's batch."""
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(claimed_at=now() - CLAIM_LEASE - dt.timedelta(seconds=1)))
        db.session.commit()
        db.session.remove()


def kill(worker: subprocess.Popen[str]) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    worker.communicate(timeout=10)


def restart_and_drain(app: Flask, uri: str, gate: GatedSink) -> None:
    """Start a new worker once the dead one's claim has lapsed; stop it (SIGTERM) when all is sent."""
    lease_passes(app)
    worker = start_worker(uri, gate.sink.port)
    try:
        wait_for(lambda: statuses(app) == Counter({"sent": MESSAGES}), what="the restarted worker to send the rest")
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0, stderr  # SIGTERM: it finishes its message and stops cleanly


def test_worker_killed_while_the_server_holds_a_message_delivers_each_once_after_restart(
    fault_app: Flask, live_database: TestDatabase
) -> None:
    addresses = queue_messages(fault_app)
    gate = GatedSink(HOLD_AT)
    with gate.sink:
        worker = start_worker(live_database.uri, gate.sink.port)
        try:
            assert gate.arrived.wait(60), "the worker never reached the held message"
        finally:
            kill(worker)  # mid-batch: five accepted, the sixth waiting for the server's reply
        gate.answer = "drop"
        assert statuses(fault_app) == Counter({"sent": HOLD_AT - 1, "sending": MESSAGES - HOLD_AT + 1})
        restart_and_drain(fault_app, live_database.uri, gate)
    assert gate.delivered() == Counter(addresses)  # each exactly once


def test_worker_killed_between_acceptance_and_commit_sends_at_most_the_one_in_flight_again(
    fault_app: Flask, live_database: TestDatabase
) -> None:
    skip_unless_postgresql(
        fault_app, "holding the worker between SMTP acceptance and commit uses a PostgreSQL row lock"
    )
    addresses = queue_messages(fault_app)
    gate = GatedSink(HOLD_AT)
    name = live_database.uri.rsplit("/", 1)[1]
    with gate.sink, psycopg.connect(plain_dsn(live_database.uri)) as blocker:
        worker = start_worker(live_database.uri, gate.sink.port)
        try:
            assert gate.arrived.wait(60), "the worker never reached the held message"
            # Lock the in-flight row, then let the server accept it: the worker's sent-mark must wait.
            blocker.execute("SELECT id FROM outbox_message WHERE recipient = %s FOR UPDATE", gate.held)
            gate.answer = "accept"
            wait_for(
                lambda: blocked_on_a_lock(live_database.uri, name),
                what="the worker to wait on the row lock with the message accepted",
            )
        finally:
            kill(worker)
        blocker.rollback()
        assert len(gate.sink.messages) == HOLD_AT
        assert statuses(fault_app) == Counter({"sent": HOLD_AT - 1, "sending": MESSAGES - HOLD_AT + 1})
        restart_and_drain(fault_app, live_database.uri, gate)
    delivered = gate.delivered()
    assert set(delivered) == set(addresses)  # nothing lost
    assert {a: n for a, n in delivered.items() if n > 1} == {gate.held[0]: 2}  # only the one in flight, once more


def blocked_on_a_lock(uri: str, name: str) -> bool:
    with psycopg.connect(plain_dsn(uri), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [name]
        ).fetchone()
    return bool(row and row[0])


def test_worker_killed_with_marks_written_in_batches_sends_again_only_what_was_accepted_since_its_last_marks(
    fault_app: Flask, live_database: TestDatabase
) -> None:
    flush, hold_at = 4, 7  # marks after messages 4 (and 8); killed while the server holds the 7th
    addresses = queue_messages(fault_app)
    gate = GatedSink(hold_at)
    with gate.sink:
        worker = start_worker(live_database.uri, gate.sink.port, flush=flush)
        try:
            assert gate.arrived.wait(60), "the worker never reached the held message"
        finally:
            kill(worker)
        gate.answer = "drop"
        assert statuses(fault_app) == Counter({"sent": flush, "sending": MESSAGES - flush})
        restart_and_drain(fault_app, live_database.uri, gate)
    delivered = gate.delivered()
    assert set(delivered) == set(addresses)  # nothing lost
    again = {address for address, n in delivered.items() if n > 1}
    assert again == set(addresses[flush : hold_at - 1])  # accepted since the last marks, and no other
    assert len(again) < flush
