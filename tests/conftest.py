"""Test harness: every test runs on SQLite and on PostgreSQL, on a schema built by the migrations.

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
from urllib.parse import urlsplit

import psycopg
import pytest
from bs4 import BeautifulSoup
from flask import Flask, has_app_context, session, url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db, limiter

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
            return contextvars.Context().run(super().open, *args, **kwargs)
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
# The page-checking client (Notify's client_request)


class PageError(AssertionError):
    pass


def text_of(node: Any) -> str:
    """The visible text of a parsed page or element, its whitespace squeezed to single spaces."""
    return " ".join(node.get_text(" ").split())


def check_page(html: str) -> BeautifulSoup:
    """Checks every HTML page must pass: one h1 matching the title, nonce on scripts, form actions (each
    POST button preventing a double submission), unique ids."""
    page = BeautifulSoup(html, "html.parser")
    h1s = page.find_all("h1")
    if len(h1s) != 1:
        raise PageError(f"expected one h1, found {len(h1s)}")
    title = page.title.get_text(" ", strip=True) if page.title else ""
    heading = " ".join(h1s[0].get_text(" ", strip=True).split())
    if heading.split(" ")[0] not in title:
        raise PageError(f"title {title!r} does not match h1 {heading!r}")
    for script in page.find_all("script"):
        if not script.get("src") and not script.get("nonce"):
            raise PageError("inline script without a nonce")
    for form in page.find_all("form"):
        if not form.get("action"):
            raise PageError(f"form without an action: {str(form)[:120]}")
        if (form.get("method") or "get").lower() == "post" and not form.find(
            "input", {"name": re.compile(r"(^|-)csrf_token$")}
        ):
            raise PageError(f"POST form without a CSRF token: {form.get('action')}")
        if (form.get("method") or "get").lower() == "post":
            for button in form.select('button, input[type="submit"]'):
                if button.get("data-prevent-double-click") != "true":
                    raise PageError(f"POST button without data-prevent-double-click: {str(button)[:120]}")
    ids = [tag["id"] for tag in page.find_all(attrs={"id": True})]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageError(f"duplicate ids: {sorted(duplicates)}")
    return page


class PageClient:
    """Request pages by endpoint, assert the status, and return parsed, checked HTML."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def url(self, endpoint: str, **values: Any) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def get(self, endpoint: str, _expected_status: int = 200, **values: Any) -> BeautifulSoup:
        response = self.client.get(self.url(endpoint, **values))
        assert response.status_code == _expected_status, (response.status_code, response.data[:500])
        if response.mimetype == "text/html":
            return check_page(response.get_data(as_text=True))
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")

    def post(
        self,
        endpoint: str,
        _data: dict[str, Any] | None = None,
        _expected_status: int = 302,
        _follow_redirects: bool = False,
        _redirect_to: str | None = None,
        **values: Any,
    ) -> Any:
        """POST a form (with a CSRF token); `_redirect_to`, a path, is where the redirect must go."""
        data = dict(_data or {})
        data.setdefault("csrf_token", self.csrf_token())
        response = self.client.post(self.url(endpoint, **values), data=data, follow_redirects=_follow_redirects)
        assert response.status_code == _expected_status, (response.status_code, response.data[:800])
        if _redirect_to is not None:
            assert urlsplit(response.location).path == _redirect_to, (response.location, _redirect_to)
        if response.mimetype == "text/html" and response.status_code == 200:
            return check_page(response.get_data(as_text=True))
        return response

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session."""
        return csrf_token_for(self.app, self.client)

    def sign_in(self, user: Any) -> None:
        from tests.factories import sign_in_client

        sign_in_client(self.client, user)


def csrf_token_for(app: Flask, client: FlaskClient) -> str:
    """A CSRF token for the client's session, from Flask-WTF itself (`generate_csrf`).

    Run in a context of its own, like a request: Flask-WTF keeps the signed token in `g`, which
    the test's app context would otherwise keep across sessions."""

    def generate() -> str:
        with client.session_transaction() as stored, app.test_request_context():
            session.update(stored)  # the client's session, in a request of its own
            token = generate_csrf()  # adds the raw token to it if it had none
            stored.update(session)  # which the client's cookie then keeps
        return str(token)

    return contextvars.Context().run(generate)


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
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
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
