"""Test harness: every test runs on SQLite and on PostgreSQL, on a schema built by the migrations,
except the browser tests, which run on PostgreSQL only (see `pytest_collection_modifyitems`).

- `app` is built once per database; each test runs inside a transaction rolled back at the
  end (SQLAlchemy's create_savepoint mode, so code that commits still rolls back).
- Every request of the test client runs in an app context of its own, so with a database session
  of its own that is closed when the request ends, as in production: what a view flushes and does
  not commit is gone when the test looks (flaskr's harness; tests/test_harness.py proves it). The
  test's own app context is for direct set-up and checks only; the client flushes the test's
  session before each request (the request sees the set-up) and expires it after (the test
  re-reads what the request committed).
- `live_app` / `live_server` run the portal on a real WSGI server on a free port against a
  committed database that is emptied after each test (threads cannot share one transaction).
"""

from __future__ import annotations

import atexit
import contextvars
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db, limiter
from tests.pages import PageClient

pytest_plugins = ["tests.factories", "tests.browser"]

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_DSN = os.environ.get("PORTAL_TEST_PG_DSN", "postgresql://127.0.0.1:5432/test")
DATABASES = [name for name in os.environ.get("PORTAL_TEST_DATABASES", "sqlite,postgresql").split(",") if name]


# An address this process holds and never listens on: bound, without listen(), for the whole run.
# Nothing else can take the port while we hold it, so a connection there is always refused,
# whatever else runs on the machine (`make run` serves the demo's provider on 127.0.0.1:5556).
_NOBODY = socket.socket()
_NOBODY.bind(("127.0.0.1", 0))
atexit.register(_NOBODY.close)
UNREACHABLE_METADATA_URL = f"http://127.0.0.1:{_NOBODY.getsockname()[1]}/.well-known/openid-configuration"
# The job queue (huey on SQLite) in a folder of this test process's own, never the demo's instance/.
_JOBS_FOLDER = tempfile.mkdtemp(prefix="portal-jobs-")
atexit.register(shutil.rmtree, _JOBS_FOLDER, True)
JOBS_QUEUE_URL = f"sqlite:///{_JOBS_FOLDER}/jobs.sqlite"


def base_config(uri: str) -> dict[str, Any]:
    return {
        "ENV": "test",
        "TESTING": True,
        # Varied enough to pass the key check outside tests too: the fault tests start real processes
        # on it, and their session cookies are signed with it.
        "SECRET_KEY": "test-secret-key-Kq3vZ8pL0wXr5Nc2Tj7Hm4Yd9Bf6Gs1A",
        "SQLALCHEMY_DATABASE_URI": uri,
        "BASE_URL": "http://portal.test",
        "UNSUBSCRIBE_KEY": "test-unsubscribe-key-" + "u" * 32,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SMTP_PORT": 1,  # nothing listens: a test that delivers mail starts its own sink
        # Sign-in providers: an address of the suite's own where nobody listens (tests that sign in
        # point these at their own provider); never the demo's 127.0.0.1:5556.
        "MICROSOFT_METADATA_URL": UNREACHABLE_METADATA_URL,
        "GOOGLE_METADATA_URL": UNREACHABLE_METADATA_URL,
        "AUDIT_HASH_KEY": "test-audit-key",
        "JOBS_QUEUE_URL": JOBS_QUEUE_URL,
    }


@dataclass
class TestDatabase:
    __test__ = False
    """One database of the run: its URI and how to make an empty copy for live tests."""

    name: str
    uri: str
    cleanup: Any


def _create_postgres(label: str) -> tuple[str, Any]:
    dbname = f"portal_test_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    host_part = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{host_part}/{dbname}", drop


def _create_sqlite(label: str) -> tuple[str, Any]:
    folder = tempfile.mkdtemp(prefix=f"portal-test-{label}-")
    return f"sqlite:///{folder}/portal.sqlite", lambda: shutil.rmtree(folder, ignore_errors=True)


def make_database(name: str, label: str) -> TestDatabase:
    uri, cleanup = (_create_postgres if name == "postgresql" else _create_sqlite)(label)
    app = create_app(base_config(uri))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    return TestDatabase(name, uri, cleanup)


# Browser tests (Playwright: journeys, axe, reflow) test pages, not databases: the same views, queries
# and templates run under them as under the test client, which checks every page on both databases
# (tests/web/test_every_page.py, the access matrix, the query budgets). In a browser each test costs
# seconds, so they run once, on PostgreSQL, the production database; on SQLite alone they run there.
BROWSER_DATABASE = "postgresql"
_BROWSER_FIXTURES = {"page", "context", "browser"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (and count as deselected) each browser test's copy on a database other than
    BROWSER_DATABASE, when that database is in the run."""
    if BROWSER_DATABASE not in DATABASES:
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        database = callspec.params.get("database") if callspec is not None else None
        in_browser = _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
        (drop if in_browser and database not in (None, BROWSER_DATABASE) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest) -> Iterator[TestDatabase]:
    """A migrated database of each kind, for the whole run."""
    created = make_database(request.param, "main")
    yield created
    created.cleanup()


class RequestClient(FlaskClient):
    """A test client whose every request has its own app context, and so its own database session.

    Flask reuses an app context that is already pushed, and Flask-SQLAlchemy's session belongs
    to the app context: without this, every request would share the test's session and a view
    that flushes without committing would still show its rows to the test. Each request runs in
    an empty `contextvars.Context`, where no app context is pushed, so Flask pushes a fresh one
    and its teardown closes that request's session (rolling back what it did not commit).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        test_session = db.session if has_app_context() and db.session.registry.has() else None
        if test_session is not None:
            test_session.flush()  # the request reads the test's set-up from the shared connection
        # Buffered: a streamed body (stream_with_context) is read while the request's context exists.
        kwargs.setdefault("buffered", True)
        try:
            response = contextvars.Context().run(super().open, *args, **kwargs)
            # The request's body is a temporary file when over 500 KB, and werkzeug closes it only
            # for a response that followed redirects: left to the garbage collector, it would be
            # closed in some later test as an "unraisable" ResourceWarning.
            response.request.input_stream.close()
            return response
        finally:
            if test_session is not None:
                test_session.expire_all()  # the test re-reads what the request committed


def harness_app(uri: str) -> Flask:
    """An app for the tests: the portal as configured for tests, with the per-request client."""
    app = create_app(base_config(uri))
    app.test_client_class = RequestClient
    return app


@pytest.fixture(scope="session")
def _session_app(database: TestDatabase) -> Iterator[Flask]:
    app = harness_app(database.uri)
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def rolled_back(app: Flask) -> Iterator[Flask]:
    """Run the app on one connection whose transaction is rolled back at the end.

    Every session (the test's and each request's) joins that transaction with a savepoint of its
    own, so a commit releases the savepoint and a session closed without committing rolls back
    to it. The test's app context stays pushed for direct set-up; requests never share it."""
    saved_config = dict(app.config)
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        original_session = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        limiter.reset()
        # Rolled-back ids are reused (SQLite), so a cached version may not outlive its test.
        app.extensions.pop("portal_register_cache", None)
        app.extensions.pop("portal_dpia_cache", None)  # likewise the rendered DPIA packs
        try:
            yield app
        finally:
            db.session.remove()
            db.session = original_session
            engines[None] = engine
            transaction.rollback()
            connection.close()
            app.config.clear()
            app.config.update(saved_config)


@pytest.fixture
def app(_session_app: Flask) -> Iterator[Flask]:
    """The app, inside one transaction that is rolled back after the test."""
    with rolled_back(_session_app) as app:
        yield app


@pytest.fixture
def db_session(app: Flask) -> Any:
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---------------------------------------------------------------------------------------
# Query counting


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """Use as `with count_queries() as counter:`; counts SQL statements (savepoints excluded)."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        engine = db.engines[None]
        target = engine.engine if hasattr(engine, "engine") else engine

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement, re.I):
                counter.statements.append(statement)

        event.listen(target, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(target, "before_cursor_execute", before)

    return counting


# ---------------------------------------------------------------------------------------
# The page-checking client (Notify's client_request): tests/pages.py


@pytest.fixture
def client_request(app: Flask, client: FlaskClient) -> PageClient:
    return PageClient(app, client)


# ---------------------------------------------------------------------------------------
# Live server: committed data, real WSGI server on a free port


def empty_database(uri: str) -> None:
    """Remove every row from every table (audit triggers included) after a live test."""
    from portal.extensions import db as _db

    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    if uri.startswith("postgresql"):
        dsn = uri.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            # TRUNCATE costs about as much per table as it empties, and a test fills a few of them:
            # empty those, then restart the id sequences a test used and rolled back (as RESTART
            # IDENTITY would), so the next test starts from the same state as before.
            probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT FROM \"{t}\")" for t in tables)
            filled = [name for (name,) in conn.execute(probe)]
            if filled:
                conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in filled) + " RESTART IDENTITY CASCADE")
            used = "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences WHERE last_value IS NOT NULL"
            for (sequence,) in conn.execute(used).fetchall():
                conn.execute(f"ALTER SEQUENCE {sequence} RESTART")
    else:
        import sqlite3

        path = uri.removeprefix("sqlite:///")
        conn = sqlite3.connect(path)
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'").fetchall()
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        for table in tables:
            conn.execute(f'DELETE FROM "{table}"')
        for _, sql in triggers:
            conn.execute(sql)
        conn.commit()
        conn.close()


@pytest.fixture(scope="session")
def live_database(database: TestDatabase) -> Iterator[TestDatabase]:
    created = make_database(database.name, "live")
    yield created
    created.cleanup()


@pytest.fixture
def live_app(live_database: TestDatabase) -> Iterator[Flask]:
    """An app on a committed database (for threads and the browser), emptied afterwards."""
    app = harness_app(live_database.uri)
    with app.app_context():
        limiter.reset()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            empty_database(live_database.uri)


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    live_app.config["BASE_URL"] = "http://127.0.0.1"
    with LiveServer(live_app) as server:
        live_app.config["BASE_URL"] = server.url
        yield server


# ---------------------------------------------------------------------------------------
# Mail: a real aiosmtpd server on loopback


@pytest.fixture
def mail_sink(_session_app: Flask) -> Iterator[Any]:
    """A running SMTP sink; the app's SMTP settings point at it for this test."""
    from portal.devtools.mailsink import MailSink

    with MailSink() as sink:
        old = (_session_app.config["SMTP_HOST"], _session_app.config["SMTP_PORT"])
        _session_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        yield sink
        _session_app.config.update(SMTP_HOST=old[0], SMTP_PORT=old[1])
