"""How a request's transactions begin and end: short writes, a busy database retried once, read-only commits.

Writes (#17). On SQLite a transaction that reads and then writes fails at once with "database is
locked" when another connection wrote in between (its snapshot is stale: SQLite's busy timeout
cannot help). So a request that will write (any method but GET, HEAD and OPTIONS, or any request
being retried) begins its transactions with BEGIN IMMEDIATE: it takes the write lock first and
waits its turn (PRAGMA busy_timeout) instead of failing. pysqlite's own BEGIN is switched off in
portal/db.py and emitted here, in the engine's "begin" event (SQLAlchemy's documented recipe).

A write lock must be held for milliseconds, not while a PDF is rendered and sealed, a DOCX
built or another service called. Such work runs in `without_transaction()`: the request's read
transaction ends first (keeping what it loaded), nothing may touch the database inside it, and
the writes that follow begin a new, short transaction. Draw up and seal first, then write.

Outside a request (a CLI command, a test's set-up beside a live server) nothing says whether a
transaction will write, so it begins deferred; a write there runs in `writing()`, which ends a
read transaction first and begins the write IMMEDIATE, as a request that writes does.

A request whose view still meets a busy database (SQLite busy after its timeout; on PostgreSQL
a serialization failure, a deadlock or a unique row that a concurrent request committed first)
is rolled back and its view run once more, before the user sees anything.

Ends.
psycopg prepares a statement on the server once it has run five times on a connection
(`prepare_threshold`), and PostgreSQL then stops parsing and planning it. But psycopg forgets
every prepared statement when a transaction is rolled back, because it cannot tell whether the
rollback undid a schema change they depend on. And a request that only read ended in a
rollback: closing the session rolls back whatever transaction is open. So no statement was
ever prepared, and PostgreSQL parsed and planned every statement of every request (a third of
a millisecond for the user loader's alone).

So a request whose transaction changed nothing ends it with COMMIT instead. For such a
transaction COMMIT and ROLLBACK are the same, except that psycopg keeps its statements.
"Changed nothing" is decided conservatively, per root transaction of the request's session.
Any of these sends the request down the old path, a rollback at teardown:

- a flush;
- any statement through the session that is not a SELECT (text() included);
- a pending change;
- an exception.

Writes made any other way on the request's connection would not be seen. There are none: the
register cache's own session (register/cache.py) only reads.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from portal.extensions import db

log = logging.getLogger(__name__)

# In Session.info: the session's current root transaction may have changed something.
MAY_HAVE_WRITTEN = "portal_may_have_written"


# In flask.g: the view is being run a second time.
RETRYING = "portal_retrying"
# In flask.g: the rest of this request writes (after slow work, or on a retry), whatever its method.
WRITES = "portal_writes"
# In flask.g: slow work without a transaction is under way; a statement now is a bug.
SLOW_WORK = "portal_slow_work"
# Outside a request: the transaction that begins now is a write (see `writing`).
_WRITING: ContextVar[bool] = ContextVar("portal_writing", default=False)
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CONSTRAINT_UNIQUE = 5, 6, 2067
# serialization_failure, deadlock_detected, unique_violation
POSTGRESQL_CONFLICTS = frozenset({"40001", "40P01", "23505"})


def init_app(app: Flask) -> None:
    app.teardown_request(_commit_if_nothing_changed)
    app.dispatch_request = _retried_once_when_busy(app.dispatch_request)  # type: ignore[method-assign]


def will_write() -> bool:
    """Whether the transaction beginning now takes the write lock as it begins (SQLite)."""
    if not has_request_context():
        return _WRITING.get()
    return request.method not in READ_ONLY_METHODS or bool(g.get(WRITES))


@event.listens_for(Engine, "begin")
def _begin(conn: Connection) -> None:
    if has_request_context() and g.get(SLOW_WORK):
        raise RuntimeError("a database statement ran inside without_transaction(): read everything before it")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if will_write() else "BEGIN")


def is_busy(error: BaseException) -> bool:
    """A failure that another request caused and a second attempt can get past."""
    if not isinstance(error, DBAPIError):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED) or code == SQLITE_CONSTRAINT_UNIQUE
    return getattr(error.orig, "sqlstate", None) in POSTGRESQL_CONFLICTS


def should_retry(error: BaseException) -> bool:
    """For a view that catches database errors itself: re-raise this one, the view will be run again."""
    return is_busy(error) and not g.get(RETRYING)


def _retried_once_when_busy(dispatch: Callable[[], Any]) -> Callable[[], Any]:
    @functools.wraps(dispatch)
    def dispatch_request() -> Any:
        try:
            return dispatch()
        except DBAPIError as error:
            if not should_retry(error):
                raise
            log.warning("%s %s met a busy database; running it once more: %s", request.method, request.path, error)
        db.session.rollback()
        g.setdefault(RETRYING, True)
        g.setdefault(WRITES, True)
        return dispatch()

    return dispatch_request


@contextmanager
def writing() -> Iterator[None]:
    """Outside a request: run the block as one short write transaction, committed at its end.

    SQLite cannot turn a transaction that has read into a write while another connection writes
    (its snapshot is stale, so it fails at once as "locked" instead of waiting). So a read
    transaction still open ends first, keeping what it loaded, and the block's transaction begins
    IMMEDIATE: it waits its turn for the write lock (PRAGMA busy_timeout). A transaction that has
    written already holds the lock and simply goes on. A request commits once, at its end: there
    the method decides instead, and this is refused.
    """
    if has_request_context():
        raise RuntimeError("writing() is for work outside a request; a request commits once, at its end")
    current = db.session()
    keep, current.expire_on_commit = current.expire_on_commit, False
    token = _WRITING.set(True)
    try:
        if current.in_transaction() and not _may_have_written(current):
            current.commit()  # a read: COMMIT and ROLLBACK are the same, and COMMIT keeps what it loaded
        yield
        current.commit()
    except BaseException:
        current.rollback()
        raise
    finally:
        _WRITING.reset(token)
        current.expire_on_commit = keep


def _may_have_written(current: Session) -> bool:
    return bool(current.info.get(MAY_HAVE_WRITTEN) or current.new or current.dirty or current.deleted)


@contextmanager
def without_transaction() -> Iterator[None]:
    """Run slow work (render and seal a PDF, build a DOCX, call another service) with no transaction open.

    In a request, the read transaction ends first, keeping what it loaded, and the database may
    not be used inside the block; what follows is taken to be the write, so its transaction
    begins IMMEDIATE on SQLite whatever the method. Outside a request (the CLI, the demo loader)
    and after a write (which must stay in its one transaction) the work runs where it is.
    """
    if not has_request_context():
        yield
        return
    current = db.session()
    if _may_have_written(current):
        log.warning(
            "slow work after a write in %s %s: it runs inside the open transaction", request.method, request.path
        )
        yield
        return
    if current.in_transaction():
        expire, current.expire_on_commit = current.expire_on_commit, False
        try:
            current.commit()
        finally:
            current.expire_on_commit = expire
    g.setdefault(SLOW_WORK, True)
    try:
        yield
    finally:
        g.pop(SLOW_WORK, None)
        g.setdefault(WRITES, True)


def _commit_if_nothing_changed(error: BaseException | None) -> None:
    """Runs before Flask-SQLAlchemy closes the session (teardown_request precedes teardown_appcontext)."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or _may_have_written(session):
        return
    # The request is over: expiring what it loaded (as a commit does) would be work for nothing.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    except SQLAlchemyError:  # a connection lost at the very end: closing the session cleans up
        log.warning("could not end a read-only transaction with COMMIT", exc_info=True)
    finally:
        session.expire_on_commit = expire


@event.listens_for(Session, "after_transaction_end")
def _root_transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    # Cleared when a root transaction ends, not when one begins: a statement's do_orm_execute
    # runs before the session begins the transaction that statement needs.
    if transaction.parent is None:
        session.info.pop(MAY_HAVE_WRITTEN, None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: UOWTransaction) -> None:
    session.info[MAY_HAVE_WRITTEN] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> Any:
    if not state.is_select:
        state.session.info[MAY_HAVE_WRITTEN] = True
