"""Post a fuzzed form and check the promises: no 5xx, a refusal writes nothing, no header injection.

Each example runs inside its own savepoint on the test's connection, rolled back afterwards,
so every example starts from the same world however the one before it ended.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from portal.dates import now
from portal.extensions import db, limiter
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Tenancy

# Small, reproducible budgets: the fuzz suite is part of `make test` on both databases.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
REFUSALS = {200, 400, 403, 404, 405, 409, 413, 429}
AUDIT_TABLE = "audit_event"
BAD_IN_HEADERS = ("\r", "\n", "\x00")


@dataclass(frozen=True)
class Poster:
    """Who posts (a user id or None) and the world's tenancies they must not be able to touch."""

    user_id: str | None
    others: frozenset[int]


def snapshot(*, skip: tuple[str, ...] = (AUDIT_TABLE,)) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the audit log aside): a refusal must leave this exactly as it was."""
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [tuple(row) for row in rows]
    return tables


def owned_by(tables: dict[str, list[tuple[Any, ...]]], tenancy_ids: frozenset[int]) -> dict[str, list[Any]]:
    """From a snapshot: the rows belonging to the given tenancies (and the tenancies themselves)."""
    found: dict[str, list[Any]] = {}
    for table in db.metadata.sorted_tables:
        column = "id" if table.name == "tenancy" else "tenancy_id"
        if table.name in tables and column in table.c:
            index = list(table.c.keys()).index(column)
            found[table.name] = [row for row in tables[table.name] if row[index] in tenancy_ids]
    return found


def vendor_roles(tables: dict[str, list[tuple[Any, ...]]]) -> dict[int, Any]:
    """From a snapshot: each user's vendor role."""
    from portal.auth.models import User

    columns = list(User.__table__.c.keys())
    uid, role = columns.index("id"), columns.index("vendor_role")
    return {row[uid]: row[role] for row in tables[User.__tablename__]}


def header_injections() -> list[tuple[int, str, str]]:
    """Outbox rows whose recipient, subject or extra headers carry a line break or NUL."""
    bad = []
    for row in db.session.scalars(select(OutboxMessage)):
        values = [row.recipient, row.subject, *(str(v) for v in (row.headers or {}).values())]
        values += [str(k) for k in (row.headers or {})]
        if any(ch in value for value in values for ch in BAD_IN_HEADERS):
            bad.append((row.id, row.recipient, row.subject))
    return bad


def other_tenancy_ids(world: Any) -> frozenset[int]:
    """The unrelated school, the other trust and its academies: no form here may touch them."""
    ids = {world.other.id, world.other_trust.id}
    ids |= set(db.session.scalars(select(Tenancy.id).where(Tenancy.trust_id == world.other_trust.id)))
    return frozenset(ids)


def signed_in_id(user: Any) -> str | None:
    """A session id for a user, its server-side row committed (None: anonymous)."""
    if user is None:
        return None
    from portal.auth.sessions import open_session

    session_id = open_session(user)
    db.session.commit()
    return session_id


def sign_in(client: FlaskClient, user_id: str | None) -> None:
    with client.session_transaction() as session:
        session.clear()
        if user_id is not None:
            stamp = now().isoformat()
            session.update(
                {"_user_id": user_id, "_fresh": True, "_permanent": True, "signed_in_at": stamp, "last_seen_at": stamp}
            )


def csrf_value(app: Flask, client: FlaskClient, mode: str) -> list[str]:
    """The csrf_token values to send: valid, or one of the ways a token can be wrong."""
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")  # type: ignore[arg-type]
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    valid = str(serializer.dumps(raw))
    return {
        "valid": [valid],
        "missing": [],
        "empty": [""],
        "garbage": ["not-a-token\x00\r\n"],
        "foreign": [str(serializer.dumps(secrets.token_hex(20)))],  # signed, but for another session
        "other-key": [str(URLSafeTimedSerializer("another-secret", salt="wtf-csrf-token").dumps(raw))],
        "garbage-first": ["garbage", valid],
    }[mode]


@contextmanager
def isolated() -> Iterator[None]:
    """A savepoint around one example, rolled back afterwards (the test's world stays)."""
    db.session.remove()
    connection = db.engines[None]
    savepoint = connection.begin_nested()  # type: ignore[attr-defined]
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()


def url_of(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def post_and_check(
    app: Flask,
    client: FlaskClient,
    url: str,
    pairs: list[tuple[str, str]],
    *,
    csrf: str,
    poster: Poster,
    also: frozenset[int] = frozenset(),
    csrf_exempt: bool = False,
    may_change_vendor_role: frozenset[int] = frozenset(),
    files: dict[str, Any] | None = None,
    writes_on: frozenset[int] = frozenset({302}),
    clear: re.Pattern[str] | None = None,
) -> int:
    """Post once and assert every promise; returns the status."""
    with isolated():
        sign_in(client, poster.user_id)
        form = MultiDict([("csrf_token", token) for token in csrf_value(app, client, csrf)] + pairs)
        for name, value in (files or {}).items():
            form.add(name, value)
        before = snapshot()
        response = client.post(url, data=form, content_type="multipart/form-data" if files else None)
        status = response.status_code
        if clear is not None and status == 200:
            assert clear.search(response.get_data(as_text=True)), "a 200 without a verdict or a form error"
        response.close()
        db.session.remove()
        assert status < 500 or status in also, f"{status} for {url} with {pairs!r}"
        assert status in REFUSALS | writes_on | also, f"unexpected {status} for {url}"
        if csrf != "valid" and not csrf_exempt:
            assert status == 400, f"a {csrf} CSRF token was accepted ({status})"
        after = snapshot()
        if status not in writes_on:
            assert after == before, f"refused with {status} but something was written: {pairs!r}"
        theirs = owned_by(before, poster.others)
        assert owned_by(after, poster.others) == theirs, f"another tenancy's rows changed: {pairs!r}"
        roles = vendor_roles(before)
        changed = {uid for uid, role in vendor_roles(after).items() if roles.get(uid, role) != role}
        assert changed <= may_change_vendor_role, f"vendor roles changed for {changed}: {pairs!r}"
        assert not header_injections(), f"line break or NUL in an outbox header: {header_injections()}"
        return status
