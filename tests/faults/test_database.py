"""The database goes away: a connection killed inside a write, and a database that refuses connections.

A request whose connection dies mid-write answers 503 and leaves nothing behind (the transaction
never committed); the pool replaces the dead connection, so the next request works. /healthz
says 503 while the database cannot be reached and 200 once it is back.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event

from portal import create_app
from portal.extensions import db, limiter
from tests.conftest import TestDatabase, base_config
from tests.faults.conftest import count_rows, plain_dsn, skip_unless_postgresql
from tests.pages import csrf_token_for


def subscribe(client: Any, app: Flask, address: str) -> Any:
    return client.post("/subscribe", data={"email": address, "csrf_token": csrf_token_for(app, client)})


def test_connection_killed_between_two_statements_of_a_write_leaves_nothing(
    fault_app: Flask, live_database: TestDatabase
) -> None:
    """Subscribing inserts the subscriber, then its confirmation mail and audit row: kill the connection in between."""
    skip_unless_postgresql(fault_app, "pg_terminate_backend is PostgreSQL's; SQLite has no server connection to kill")
    uri = live_database.uri
    with fault_app.app_context():
        engine = db.engine
    seen: list[str] = []
    killed: list[int] = []

    def kill_after_the_first_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append(statement.split("(")[0].strip())
            if len(seen) == 2 and not killed:  # the subscriber row is written; the next insert never runs
                pid = conn.connection.dbapi_connection.info.backend_pid
                with psycopg.connect(plain_dsn(uri), autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.append(pid)

    client = fault_app.test_client()
    event.listen(engine, "before_cursor_execute", kill_after_the_first_insert)
    try:
        response = subscribe(client, fault_app, "killed@example.org")
    finally:
        event.remove(engine, "before_cursor_execute", kill_after_the_first_insert)
    assert killed and seen[0] == "INSERT INTO subscriber", seen
    assert response.status_code == 503
    assert b"Sorry, the service is unavailable" in response.data and b"Traceback" not in response.data
    for table in ("subscriber", "outbox_message", "audit_event"):
        assert count_rows(uri, table) == 0, table  # no partial write

    again = subscribe(client, fault_app, "killed@example.org")  # the pool has replaced the dead connection
    assert again.status_code == 302, again.data[:500]
    assert (count_rows(uri, "subscriber"), count_rows(uri, "outbox_message")) == (1, 1)
    assert count_rows(uri, "audit_event") >= 1
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_while_postgresql_refuses_connections_and_200_after(
    fault_app: Flask, live_database: TestDatabase
) -> None:
    skip_unless_postgresql(fault_app, "ALLOW_CONNECTIONS is PostgreSQL's; the SQLite case is the test below")
    name = live_database.uri.rsplit("/", 1)[1]
    admin_dsn = plain_dsn(live_database.uri).rsplit("/", 1)[0] + "/postgres"
    client = fault_app.test_client()
    assert client.get("/healthz").status_code == 200  # the pool now holds a live connection
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            down = client.get("/healthz")
            assert down.status_code == 503
            assert down.get_json() == {"status": "unavailable", "database": "unreachable"}
            page = client.get("/sub-processors")
            assert page.status_code == 503 and b"Sorry, the service is unavailable" in page.data
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert client.get("/healthz").status_code == 200
    assert client.get("/sub-processors").status_code == 200


def test_healthz_is_503_while_the_sqlite_file_cannot_be_opened_and_200_after(
    live_database: TestDatabase, tmp_path: Path
) -> None:
    if live_database.name != "sqlite":
        pytest.skip("the PostgreSQL case is the test above")
    folder = tmp_path / "not-yet"
    app = create_app(base_config(f"sqlite:///{folder}/portal.sqlite"))
    limiter.reset()
    client = app.test_client()
    try:
        down = client.get("/healthz")
        assert down.status_code == 503
        assert down.get_json() == {"status": "unavailable", "database": "unreachable"}
        folder.mkdir()
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
