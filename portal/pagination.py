"""One page of rows and how many there are in all, for the pages that list more than fit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def paginate(query: Select[Any], page: int, per_page: int) -> Page:
    """Rows of one page of a query, and how many there are in all (two queries)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return Page(list(rows), max(page, 1), per_page, total)
