"""How a request's transaction ends: one that changed nothing commits, so prepared statements survive.

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

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from portal.extensions import db

log = logging.getLogger(__name__)

# In Session.info: the session's current root transaction may have changed something.
MAY_HAVE_WRITTEN = "portal_may_have_written"


def init_app(app: Flask) -> None:
    app.teardown_request(_commit_if_nothing_changed)


def _commit_if_nothing_changed(error: BaseException | None) -> None:
    """Runs before Flask-SQLAlchemy closes the session (teardown_request precedes teardown_appcontext)."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.info.get(MAY_HAVE_WRITTEN):
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except SQLAlchemyError:  # a connection lost at the very end: closing the session cleans up
        log.warning("could not end a read-only transaction with COMMIT", exc_info=True)


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
