"""Bulk inserts for the demo data sets: chunked executemany statements, no ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import insert, select

from portal.extensions import db

CHUNK = 5000


def chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_rows(model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows in chunks: one executemany statement per chunk, no ORM objects."""
    for batch in chunks(rows):
        db.session.execute(insert(model), batch)


def ids_of(column: Any, *where: Any) -> list[int]:
    return list(db.session.scalars(select(column).where(*where).order_by(column)))
