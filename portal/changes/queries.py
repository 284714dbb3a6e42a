"""Read-only queries for the change pages: each one statement, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from portal.changes.models import ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.dates import now
from portal.extensions import db
from portal.tenancy.models import Tenancy

QUEUE_PER_PAGE = 25
AGES = {"7": 7, "14": 14, "30": 30}


def tenancy_objections(tenancy_ids: list[int]) -> list[Objection]:
    """A tenancy's objections (a trust's: its academies' too) with change, tenancy and steps (two queries)."""
    query = (
        select(Objection)
        .where(Objection.tenancy_id.in_(tenancy_ids))
        .options(joinedload(Objection.change), joinedload(Objection.tenancy), selectinload(Objection.steps))
        .order_by(Objection.lodged_at.desc(), Objection.id.desc())
    )
    return list(db.session.scalars(query).unique())


def owned_objection(objection_id: int, tenancy_ids: list[int]) -> Objection | None:
    """An objection of one of these tenancies, or None."""
    query = (
        select(Objection)
        .where(Objection.id == objection_id, Objection.tenancy_id.in_(tenancy_ids))
        .options(joinedload(Objection.change), joinedload(Objection.tenancy))
    )
    return db.session.scalar(query)


def queue_query(change_id: int | None, state: ObjectionState | None, age: str) -> Select[tuple[Objection]]:
    """The vendor's queue, filtered by change, state and age (days since lodged), oldest first.

    Only the columns the queue shows are read (a school's whole record and a notice's text are
    not); reading any other column raises, so a template change cannot add a query per row."""
    query = select(Objection).options(
        load_only(Objection.id, Objection.state, Objection.lodged_at, raiseload=True),
        joinedload(Objection.change).load_only(ChangeNotice.title, raiseload=True),
        joinedload(Objection.tenancy).load_only(Tenancy.name, raiseload=True),
    )
    if change_id is not None:
        query = query.where(Objection.change_id == change_id)
    if state is not None:
        query = query.where(Objection.state == state)
    if age in AGES:
        query = query.where(Objection.lodged_at < now() - dt.timedelta(days=AGES[age]))
    return query.order_by(Objection.lodged_at, Objection.id)


def queue_page(change_id: int | None, state: ObjectionState | None, age: str, page: int) -> Any:
    """One page of the queue (a count and a select)."""
    return db.paginate(queue_query(change_id, state, age), page=page, per_page=QUEUE_PER_PAGE, error_out=False)


def objection_with_steps(objection_id: int) -> Objection | None:
    """One objection with its change, tenancy and steps, for the vendor's page."""
    query = (
        select(Objection)
        .where(Objection.id == objection_id)
        .options(
            joinedload(Objection.change),
            joinedload(Objection.tenancy).joinedload(Tenancy.trust),
            selectinload(Objection.steps),
        )
    )
    return db.session.scalar(query)


def all_notices() -> list[ChangeNotice]:
    """Every notice, newest first, for filters and the vendor's list."""
    return list(db.session.scalars(select(ChangeNotice).order_by(ChangeNotice.published_at.desc())))
