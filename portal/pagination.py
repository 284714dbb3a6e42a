"""One page of rows and how many there are in all, for the pages that list more than fit.

The one pagination mechanism (#19 item 4): a view reads the page asked for with `requested_page`
and gets its rows with `paginate`; templates read `Page`'s attributes (items, pages, has_prev, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from portal.extensions import db


@dataclass(frozen=True)
class Page:
    """One page of rows (tuples, not only entities) and the total."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# No list has this many pages; a larger number would only make the database skip rows for nothing.
MAX_PAGE = 100_000


def requested_page(name: str = "page") -> int:
    """The page number the request asks for: 1 when absent, not a number or out of range."""
    value = request.args.get(name, "")
    return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


def paginate(query: Select[Any], page: int, per_page: int, *, entities: bool = False) -> Page:
    """One page of a query's rows, and how many there are in all (two queries).

    The items are rows (tuples), or with `entities` the first column's objects (a `select(Model)`)."""
    page = min(max(page, 1), MAX_PAGE)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(result.unique().scalars()) if entities else list(result.all())
    return Page(items, page, per_page, total)
