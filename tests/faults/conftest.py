"""Fault tests: an app of their own on a committed database, and a plain way to count rows from outside it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db, limiter
from tests.conftest import TestDatabase, base_config, empty_database


def plain_dsn(uri: str) -> str:
    return uri.replace("postgresql+psycopg://", "postgresql://")


def count_rows(uri: str, table: str) -> int:
    """Rows in `table`, read over a connection of its own (what another process would see)."""
    if uri.startswith("postgresql"):
        with psycopg.connect(plain_dsn(uri)) as conn:
            return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
    conn = sqlite3.connect(uri.removeprefix("sqlite:///"))
    try:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def fault_app(live_database: TestDatabase) -> Iterator[Flask]:
    """A fresh app on the committed live database (no app context pushed), emptied afterwards."""
    app = create_app(base_config(live_database.uri))
    limiter.reset()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        empty_database(live_database.uri)


def skip_unless_postgresql(app_or_uri: Any, reason: str) -> None:
    uri = app_or_uri if isinstance(app_or_uri, str) else app_or_uri.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("postgresql"):
        pytest.skip(reason)
