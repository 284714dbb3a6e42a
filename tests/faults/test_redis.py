"""Rate limits in a real Redis, and Redis going away: the portal stays up (fails open) and logs it.

Why fail open: the limits guard sign-in and the subscribe form against floods; refusing every
sign-in while Redis blips would take the whole portal down for everyone, which is worse than
losing the limits for a moment. The outage is logged on every request it affects, so it is seen.
(tests/production/test_gunicorn.py shows the same under gunicorn, where the log line is the
portal's own: Flask-Limiter's goes to a logger with no handler.)
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask

from portal import create_app
from portal.devtools.mailsink import free_port
from portal.extensions import db, limiter
from tests.conftest import TestDatabase, base_config
from tests.pages import csrf_token_for

pytestmark = pytest.mark.slow


class RedisServer:
    """A throwaway redis-server on a free loopback port, which the test can kill and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_app(fault_app: Flask, live_database: TestDatabase, redis_server: RedisServer) -> Iterator[Flask]:
    """The portal with its rate limits in the throwaway Redis (the limiter is shared: restored afterwards)."""
    saved = {name: getattr(limiter, name) for name in ("_storage", "_limiter", "_storage_dead")}
    app = create_app(
        {**base_config(live_database.uri), "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis_server.port}/0"}
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for name, value in saved.items():
            setattr(limiter, name, value)


def subscribe_four_times(app: Flask, address: str) -> list[int]:
    """The subscribe form allows 3 an hour per address: the statuses of four tries."""
    client = app.test_client()
    token = csrf_token_for(app, client)
    return [client.post("/subscribe", data={"email": address, "csrf_token": token}).status_code for _ in range(4)]


def test_limits_hold_in_redis_fail_open_while_it_is_down_and_hold_again_after(
    redis_app: Flask, redis_server: RedisServer, caplog: Any
) -> None:
    assert subscribe_four_times(redis_app, "first@example.org") == [302, 302, 302, 429]
    assert redis.Redis(port=redis_server.port).dbsize() > 0  # the counts live in Redis

    redis_server.kill()
    with caplog.at_level(logging.ERROR, logger="portal"):
        statuses = subscribe_four_times(redis_app, "second@example.org")
        home = redis_app.test_client().get("/")
    assert statuses == [302, 302, 302, 302]  # fail open: nobody is refused while the limits cannot be kept
    assert home.status_code == 200
    outages = [r.getMessage() for r in caplog.records if "rate limit storage unreachable" in r.getMessage()]
    assert len(outages) == 4, caplog.text  # one line per affected request, naming where Redis was
    assert "POST /subscribe" in outages[0] and f"127.0.0.1:{redis_server.port}" in outages[0]

    redis_server.start()  # back, empty: limits are kept again at once
    caplog.clear()
    assert subscribe_four_times(redis_app, "third@example.org") == [302, 302, 302, 429]
    assert not [r for r in caplog.records if "rate limit storage unreachable" in r.getMessage()]
