"""Two worker processes on one outbox (separate processes, separate database connections): no message twice.

tests/notify/test_concurrency.py runs two workers as threads, each with its own session and
connection; this runs two real `flask outbox deliver` processes against a committed database,
and makes sure both take part: the sink holds the first message until both have connected.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from typing import Any

import pytest
from flask import Flask

from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.outbox import enqueue
from tests.conftest import TestDatabase
from tests.faults.test_worker_kill import start_worker, statuses

pytestmark = pytest.mark.slow

MESSAGES = 200


def test_two_worker_processes_send_each_message_once(fault_app: Flask, live_database: TestDatabase) -> None:
    addresses = [f"subscriber{n:03d}@example.org" for n in range(MESSAGES)]
    with fault_app.app_context():
        for address in addresses:
            enqueue(to=address, subject="Change notice", text="Body", category="test", reference="test:two")
        db.session.commit()
        db.session.remove()
    sink = MailSink()
    sessions: set[int] = set()
    original = sink.handler.handle_DATA

    async def both_connected(server: Any, session: Any, envelope: Any) -> str:
        sessions.add(id(session))
        deadline = time.monotonic() + 30
        while len(sessions) < 2 and time.monotonic() < deadline:  # wait until the other worker is sending too
            await asyncio.sleep(0.01)
        return await original(server, session, envelope)

    sink.handler.handle_DATA = both_connected  # type: ignore[method-assign]
    with sink:
        workers = [start_worker(live_database.uri, sink.port, command=("deliver",), batch=10) for _ in range(2)]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    sent = [int(re.match(r"(\d+) sent, 0 to retry, 0 failed", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(sent) == MESSAGES and min(sent) > 0, sent  # both workers really sent
    assert Counter(r for m in sink.messages for r in m.recipients) == Counter(addresses)  # each exactly once
    assert statuses(fault_app) == Counter({"sent": MESSAGES})
