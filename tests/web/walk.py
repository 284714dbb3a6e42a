"""Every GET page each role may open, in a world with something on each page: the walk the
access matrix and the query budgets know, for checks that look at every page (#25)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from tests.access.matrix import ROLES, World, all_rows, build_world, codes
from tests.test_query_budgets import EXEMPT, TRUST_PAGES, grow


@dataclass(frozen=True)
class Stop:
    role: str
    endpoint: str
    url: str


def build_walk(app: Flask) -> tuple[World, list[Stop]]:
    """Build the matrix's world with two of everything (grow), commit, and list each role's pages."""
    world = build_world()
    db.session.commit()
    grow(world.own.id, world.trust.id, 2)
    stops: list[Stop] = []
    for row in all_rows():
        if row.method != "GET" or row.endpoint in EXEMPT:
            continue
        tenancy = None if row.status else world.trust if row.endpoint in TRUST_PAGES else world.own
        try:
            # Some builders make a thing only one of may exist (a register draft): the first stands.
            with db.session.begin_nested():
                values = dict(row.values(world, tenancy)) if row.values else {}
        except IntegrityError:
            continue
        if tenancy is not None:
            values["tenancy"] = tenancy.slug
        with app.test_request_context():
            url = url_for(row.endpoint, **values)
        cell = codes(row.status or row.own or "")
        for role in ROLES:
            if cell[role] == 200 or (row.endpoint in TRUST_PAGES and role == "trust_admin"):
                stops.append(Stop(role, row.endpoint, url))
        if tenancy is world.own and cell["trust_admin"] == 200 and row.endpoint not in TRUST_PAGES:
            # The trust's own pages, as its admin sees them (options for all academies, members).
            values["tenancy"] = world.trust.slug
            with app.test_request_context():
                stops.append(Stop("trust_admin", row.endpoint, url_for(row.endpoint, **values)))
    db.session.commit()
    return world, stops
