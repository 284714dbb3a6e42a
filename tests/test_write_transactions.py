"""portal/transactions.py (#17): writes begin IMMEDIATE on SQLite, slow work holds no transaction, busy is retried once.

On a committed database (`live_app`) with routes of their own. The busy case is the one users
met: on SQLite a request that read, then wrote while another connection held the write lock,
failed at once with "database is locked" (a read snapshot cannot wait for the lock).
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from portal import policy, transactions
from portal.extensions import csrf, db
from portal.tenancy.models import Tenancy, TenancyKind

_unique = itertools.count(1)


def _add_school(name: str) -> None:
    n = next(_unique)
    db.session.add(Tenancy(kind=TenancyKind.SCHOOL, slug=f"wtx-{n}", name=name, urn=f"{800000 + n}"))


def _count(name: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Tenancy).where(Tenancy.name == name)) or 0)


def _route(app: Flask, path: str, view: Any, methods: tuple[str, ...] = ("GET",)) -> None:
    app.add_url_rule(
        path, path.strip("/").replace("/", "_"), csrf.exempt(policy.allow(policy.PUBLIC)(view)), methods=methods
    )


def _begins(app: Flask) -> list[str]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    return seen


def _sqlite_only(app: Flask) -> str:
    uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
    if not uri.startswith("sqlite"):
        pytest.skip("SQLite's locking")
    return uri.removeprefix("sqlite:///")


def test_requests_that_write_take_the_write_lock_as_they_begin(live_app: Flask) -> None:
    _sqlite_only(live_app)
    _route(
        live_app,
        "/_wtx/any",
        lambda: str(db.session.scalar(select(func.count()).select_from(Tenancy))),
        ("GET", "POST"),
    )
    seen = _begins(live_app)
    client = live_app.test_client()
    assert client.get("/_wtx/any").status_code == 200
    db.session.remove()
    assert client.post("/_wtx/any").status_code == 200
    db.session.remove()
    assert seen == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_busy_database_is_retried_once_before_the_user_sees_anything(live_app: Flask) -> None:
    path = _sqlite_only(live_app)
    runs: list[float] = []

    def read_then_write() -> str:
        runs.append(time.monotonic())
        db.session.scalar(select(func.count()).select_from(Tenancy))  # a read snapshot first, as views do
        _add_school("Retried School")
        db.session.commit()
        return "saved"

    _route(live_app, "/_wtx/read-then-write", read_then_write)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock while the request runs

    def release_after_first_run() -> None:
        while not runs:
            time.sleep(0.01)
        time.sleep(0.5)
        other.execute("ROLLBACK")

    releaser = threading.Thread(target=release_after_first_run)
    releaser.start()
    try:
        response = live_app.test_client().get("/_wtx/read-then-write")
    finally:
        releaser.join(timeout=15)
        other.close()
        db.session.remove()
    assert response.status_code == 200 and response.get_data(as_text=True) == "saved"
    assert len(runs) == 2, "the first run met the lock at once; the second waited for it"
    assert _count("Retried School") == 1


def test_slow_work_runs_with_no_transaction_open(live_app: Flask) -> None:
    path = _sqlite_only(live_app)
    seen: dict[str, Any] = {}

    def draw_up_seal_store() -> str:
        db.session.scalar(select(func.count()).select_from(Tenancy))
        with transactions.without_transaction():
            seen["in_transaction"] = db.session().in_transaction()
            other = sqlite3.connect(path, isolation_level=None, timeout=0)
            try:  # another writer gets the lock at once: nobody holds it during the slow part
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen["other_wrote"] = True
            finally:
                other.close()
        _add_school("Stored School")
        db.session.commit()
        return "stored"

    _route(live_app, "/_wtx/slow", draw_up_seal_store, ("POST",))
    seen_begins = _begins(live_app)
    response = live_app.test_client().post("/_wtx/slow")
    db.session.remove()
    assert response.status_code == 200
    assert seen == {"in_transaction": False, "other_wrote": True}
    assert seen_begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"], "the read, then a new short write"
    assert _count("Stored School") == 1


def test_a_statement_during_slow_work_is_a_bug_that_shows(live_app: Flask) -> None:
    def reads_while_sealing() -> str:
        with transactions.without_transaction():
            db.session.scalar(select(func.count()).select_from(Tenancy))
        return "unreachable"

    _route(live_app, "/_wtx/bug", reads_while_sealing)
    response = live_app.test_client().get("/_wtx/bug")
    db.session.remove()
    assert response.status_code == 500


def test_a_write_outside_a_request_waits_for_the_lock_after_a_read(live_app: Flask) -> None:
    """A test's or a command's read, then a write while a live server writes: it waits, not "locked"."""
    path = _sqlite_only(live_app)
    db.session.scalar(select(func.count()).select_from(Tenancy))  # a read snapshot first, as set-up does
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another writer (a live server's request) holds the lock
    releaser = threading.Timer(0.5, lambda: other.execute("ROLLBACK"))
    seen = _begins(live_app)
    releaser.start()
    try:
        with transactions.writing():
            _add_school("Written Outside")
    finally:
        releaser.join(timeout=15)
        other.close()
    assert seen == ["BEGIN IMMEDIATE"]
    assert _count("Written Outside") == 1
    db.session.remove()


def test_writing_is_refused_inside_a_request(live_app: Flask) -> None:
    def view() -> str:
        with transactions.writing():
            _add_school("Never")
        return "unreachable"

    _route(live_app, "/_wtx/writing", view, ("POST",))
    response = live_app.test_client().post("/_wtx/writing")
    db.session.remove()
    assert response.status_code == 500
    assert _count("Never") == 0
