"""Migrations: up to head, down to base and up again on both databases; the models match the schema."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, text

from portal import create_app
from portal.extensions import db
from tests.conftest import ROOT, _create_postgres, _create_sqlite, base_config

MIGRATIONS = str(ROOT / "migrations")


@pytest.fixture
def empty_database(database):
    uri, cleanup = (_create_postgres if database.name == "postgresql" else _create_sqlite)("migrations")
    app = create_app(base_config(uri))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    cleanup()


def _tables(app) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_database):
    app = empty_database
    upgrade(directory=MIGRATIONS)
    created = _tables(app)
    assert set(db.metadata.tables) <= created
    downgrade(directory=MIGRATIONS, revision="base")
    assert _tables(app) == set()
    upgrade(directory=MIGRATIONS)
    assert _tables(app) == created


def test_models_and_migrations_agree(empty_database):
    """`flask db check`: autogenerate finds no difference between the models and the migrated schema."""
    upgrade(directory=MIGRATIONS)
    check(directory=MIGRATIONS)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_audit_rows_cannot_be_updated_or_deleted_in_the_database(empty_database):
    upgrade(directory=MIGRATIONS)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (occurred_at, actor_label, action, outcome) "
                "VALUES (CURRENT_TIMESTAMP, 'tester', 'test.action', 'success')"
            )
        )
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_event")).scalar_one() == "test.action"
