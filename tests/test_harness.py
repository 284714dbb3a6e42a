"""The harness tells the truth: a view that flushes and does not commit shows the test nothing.

Probe views are added to an app of their own (routes must exist before a first request), run
under the same rolled-back transaction and per-request client as every other test.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator

import pytest
from flask import Flask, g, request
from sqlalchemy import select

from portal import policy
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.tenancy.models import Membership, Tenancy, TenancyKind
from portal.tenancy.scoping import get_owned_or_404
from tests.conftest import TestDatabase, harness_app, rolled_back

_unique = itertools.count(1)


def _add_school(name: str) -> None:
    n = next(_unique)
    db.session.add(Tenancy(kind=TenancyKind.SCHOOL, slug=f"probe-{n}", name=name, urn=f"{800000 + n}"))
    db.session.flush()


@pytest.fixture(scope="module")
def _probe_app(database: TestDatabase) -> Iterator[Flask]:
    app = harness_app(database.uri)

    @app.post("/probe/flush")
    @policy.allow(policy.PUBLIC)
    def flush_only() -> str:
        _add_school("Flushed Only School")
        return "flushed"

    @app.post("/probe/commit")
    @policy.allow(policy.PUBLIC)
    def flush_and_commit() -> str:
        _add_school("Committed School")
        db.session.commit()
        return "committed"

    @app.get("/probe/g")
    @policy.allow(policy.PUBLIC)
    def read_g() -> str:
        seen = g.get("probe", "nothing")
        g.probe = "left by an earlier request"
        return str(seen)

    @app.post("/probe/upload")
    @policy.allow(policy.PUBLIC)
    def upload() -> str:
        return str(len(request.files["document"].read()))

    @app.post("/probe/owned-404/<int:tenancy_id>")
    @policy.allow(policy.PUBLIC)
    def owned_404(tenancy_id: int) -> str:
        _add_school("Before The 404 School")
        get_owned_or_404(Membership, 0, db.session.get(Tenancy, tenancy_id))
        return "unreachable"

    app.config["WTF_CSRF_ENABLED"] = False
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def probe_app(_probe_app: Flask) -> Iterator[Flask]:
    with rolled_back(_probe_app) as app:
        yield app


def _names() -> set[str]:
    return set(db.session.scalars(select(Tenancy.name)))


def test_a_view_that_flushes_without_committing_leaves_nothing(probe_app: Flask) -> None:
    client = probe_app.test_client()
    assert client.post("/probe/flush").status_code == 200
    assert "Flushed Only School" not in _names()


def test_a_view_that_commits_shows_its_row_until_the_test_ends(_probe_app: Flask) -> None:
    with rolled_back(_probe_app) as app:
        assert app.test_client().post("/probe/commit").status_code == 200
        assert "Committed School" in _names()
    with rolled_back(_probe_app):
        assert "Committed School" not in _names()


def test_each_request_starts_with_its_own_g(probe_app: Flask) -> None:
    client = probe_app.test_client()
    assert client.get("/probe/g").get_data(as_text=True) == "nothing"
    assert client.get("/probe/g").get_data(as_text=True) == "nothing"


def test_the_request_sees_what_the_test_set_up(probe_app: Flask) -> None:
    _add_school("Set-up School")
    client = probe_app.test_client()
    assert client.post("/probe/commit").status_code == 200
    assert {"Set-up School", "Committed School"} <= _names()


def test_a_404_for_another_tenancys_object_keeps_only_its_audit_row(probe_app: Flask) -> None:
    _add_school("Owner School")
    owner = db.session.scalar(select(Tenancy).where(Tenancy.name == "Owner School"))
    assert owner is not None
    assert probe_app.test_client().post(f"/probe/owned-404/{owner.id}").status_code == 404
    assert "Before The 404 School" not in _names()
    reasons = db.session.scalars(select(AuditEvent.reason).where(AuditEvent.tenancy_id == owner.id))
    assert "object not in this tenancy" in set(reasons)


def test_a_large_upload_leaves_no_temporary_file_open(probe_app: Flask) -> None:
    """Over 500 KB the test client sends the body from a temporary file, closed only with the response:
    left to the garbage collector, it is closed in some later test as an "unraisable" warning."""
    data = b"%" * (600 * 1024)
    response = probe_app.test_client().post("/probe/upload", data={"document": (io.BytesIO(data), "big.pdf")})
    assert response.get_data(as_text=True) == str(len(data))
    body = response.request.input_stream
    assert not isinstance(body, io.BytesIO), "the body went through a temporary file"
    assert body.closed
