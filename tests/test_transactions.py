"""portal/transactions.py: a request that changed nothing commits; one that may have changed anything does not.

These run on a committed database (`live_app`, no savepoint harness), with routes of their own
added before the first request, so each way a request can write is tried for real: whatever a
request wrote and did not commit must be gone afterwards, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text, update

from portal import policy
from portal.extensions import db
from portal.tenancy.models import Tenancy, TenancyKind

_unique = itertools.count(1)


def _school(name: str) -> Tenancy:
    n = next(_unique)
    return Tenancy(kind=TenancyKind.SCHOOL, slug=f"tx-{n}-{name}", name=name, urn=f"{900000 + n}")


def _names() -> set[str]:
    """What is committed: read on a connection of its own."""
    with db.engine.connect() as conn:
        return set(conn.scalars(select(Tenancy.name)))


def _get(app: Flask, path: str) -> Any:
    """One request, in an app context and session of its own (conftest's RequestClient)."""
    return app.test_client().get(path)


def _flush_a_new_row() -> None:
    db.session.add(_school("Flushed School"))
    db.session.flush()


def _leave_a_row_pending() -> None:
    db.session.add(_school("Pending School"))


def _change_a_loaded_row() -> None:
    db.session.scalars(select(Tenancy).where(Tenancy.name == "Kept School")).one().name = "Renamed School"


def _bulk_update() -> None:
    db.session.execute(update(Tenancy).where(Tenancy.name == "Kept School").values(name="Bulk Renamed School"))


def _text_update() -> None:
    db.session.execute(text("UPDATE tenancy SET name = 'Text Renamed School' WHERE name = 'Kept School'"))


def _write_in_a_savepoint_then_read() -> None:
    with db.session.begin_nested():
        db.session.add(_school("Savepoint School"))
    db.session.scalar(select(func.count()).select_from(Tenancy))


def _write_then_fail() -> None:
    db.session.add(_school("Failing School"))
    db.session.flush()
    raise RuntimeError("the view failed after writing")


WRITERS: dict[str, Callable[[], None]] = {
    "flush": _flush_a_new_row,
    "pending": _leave_a_row_pending,
    "dirty": _change_a_loaded_row,
    "bulk_update": _bulk_update,
    "text_update": _text_update,
    "savepoint": _write_in_a_savepoint_then_read,
    "exception": _write_then_fail,
}


@pytest.fixture
def tx_app(live_app: Flask) -> Flask:
    """The live app with a read-only route and one route per way of writing without committing."""

    def read() -> str:
        return str(db.session.scalar(select(func.count()).select_from(Tenancy)))

    live_app.add_url_rule("/_tx/read", "tx_read", policy.allow(policy.PUBLIC)(read))
    for name, writer in WRITERS.items():

        def view(writer: Callable[[], None] = writer) -> str:
            writer()
            return "done"

        live_app.add_url_rule(f"/_tx/{name}", f"tx_{name}", policy.allow(policy.PUBLIC)(view))
    db.session.add(_school("Kept School"))
    db.session.commit()
    return live_app


def _ends(app: Flask) -> Any:
    """Count how the app's connections end their transactions."""
    seen = {"commit": 0, "rollback": 0}
    engine = db.engine

    def on_commit(conn: Any) -> None:
        seen["commit"] += 1

    def on_rollback(conn: Any) -> None:
        seen["rollback"] += 1

    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    return seen


def test_a_request_that_only_read_ends_with_commit(tx_app: Flask) -> None:
    seen = _ends(tx_app)
    response = _get(tx_app, "/_tx/read")
    assert response.status_code == 200 and response.get_data(as_text=True) == "1"
    assert seen["commit"] == 1, "the read-only transaction commits, so psycopg keeps its prepared statements"


@pytest.mark.parametrize("way", sorted(WRITERS))
def test_a_request_that_wrote_without_committing_changes_nothing(tx_app: Flask, way: str) -> None:
    seen = _ends(tx_app)
    before = _names()
    response = _get(tx_app, f"/_tx/{way}")
    assert response.status_code == (500 if way == "exception" else 200)
    assert _names() == before == {"Kept School"}
    assert seen["commit"] == 0


def test_postgresql_keeps_prepared_statements_across_read_only_requests(tx_app: Flask, database: Any) -> None:
    if database.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(8):  # psycopg prepares a statement on its fifth run on a connection
        assert _get(tx_app, "/_tx/read").status_code == 200
    with db.engine.connect() as conn:  # the pool hands back the connection the requests used
        prepared = conn.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%count(*)%FROM tenancy%'")
        )
    assert prepared == 1
