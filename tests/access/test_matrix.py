"""Walk every route for every role, on the own and another tenancy; fail on any route not listed."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter, UUIDConverter

from portal.blueprints import SlugConverter
from portal.extensions import db
from tests.access.matrix import ROLES, Row, all_rows, build_world, codes
from tests.factories import sign_in_client
from tests.pages import csrf_token_for

ROWS = all_rows()
IGNORED_METHODS = {"HEAD", "OPTIONS"}
ID_LIKE = re.compile(r"(^id$|_id$|^id_|_ids?$|^tenancy$)")
TYPED = (IntegerConverter, UUIDConverter, SlugConverter)


def route_pairs(app) -> dict[tuple[str, str], str]:
    return {
        (rule.endpoint, method): rule.rule
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def test_every_route_is_listed_exactly_once(app):
    routes = route_pairs(app)
    listed = [(row.endpoint, row.method) for row in ROWS]
    missing = sorted(f"{m} {e} ({routes[(e, m)]})" for e, m in routes.keys() - set(listed))
    stale = sorted(f"{m} {e}" for e, m in set(listed) - routes.keys())
    duplicates = sorted({f"{m} {e}" for e, m in listed if listed.count((e, m)) > 1})
    assert not missing, "routes missing from tests/access/rules_*.py:\n" + "\n".join(missing)
    assert not stale, "rows for routes that do not exist:\n" + "\n".join(stale)
    assert not duplicates, "routes listed twice:\n" + "\n".join(duplicates)


def test_every_row_has_the_right_cells(app):
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for row in ROWS:
        if row.endpoint not in rules:
            continue
        scoped = "tenancy" in rules[row.endpoint].arguments
        if scoped:
            assert row.own and row.other and not row.status, f"{row.id}: a tenancy route needs own= and other="
            for spec in (row.own, row.other, row.cross):
                if spec:
                    codes(spec)
        else:
            assert row.status and not (row.own or row.other), f"{row.id}: a route outside a tenancy needs status="
            codes(row.status)


def test_id_like_url_parameters_are_typed(app):
    untyped = [
        f"{rule.rule} <{name}>"
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if ID_LIKE.search(name) and not isinstance(converter, TYPED)
    ]
    assert not untyped, "id-like URL parameters must use int, uuid or slug converters:\n" + "\n".join(untyped)


def _request(app, client, row: Row, world, url_tenancy, object_tenancy):
    values = dict(row.values(world, object_tenancy)) if row.values else {}
    if url_tenancy is not None:
        values["tenancy"] = url_tenancy.slug
    with app.test_request_context():
        url = url_for(row.endpoint, **values)
    if row.method == "GET":
        return client.get(url)
    data = dict(row.data(world, object_tenancy)) if row.data else {}
    data.setdefault("csrf_token", csrf_token_for(app, client))
    return client.open(url, method=row.method, data=data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_cell(app, client, row: Row, role: str):
    world = build_world()
    db.session.commit()  # denials roll back their own transaction; the world must survive them
    if role != "anonymous":
        sign_in_client(client, world.users[role])
    if row.status:
        targets = [("site", None, None, row.status)]
    else:
        # Outsider cells first: a denied request changes nothing, so the own cell sees the world intact.
        targets = [("other", world.other, world.other, row.other)]
        if row.cross:
            targets.append(("cross", world.own, world.other, row.cross))
        targets.append(("own", world.own, world.own, row.own))
    for name, url_tenancy, object_tenancy, spec in targets:
        assert spec is not None
        expected = codes(spec)[role]
        response = _request(app, client, row, world, url_tenancy, object_tenancy)
        response.close()
        assert response.status_code == expected, (
            f"{row.id} as {role} on {name}: got {response.status_code}, expected {expected}"
        )
        if expected == 404 and name in ("other", "cross"):
            assert world.other.name not in response.get_data(as_text=True), "a 404 must show nothing of the tenancy"
