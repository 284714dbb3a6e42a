"""`flask backup`: a populated database backed up, restored into a new one and proved, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from portal import create_app
from portal.demo import load as load_demo
from portal.documents import keys
from portal.documents.models import Agreement
from portal.extensions import db
from portal.ops import backup, restore
from tests.conftest import ROOT, TestDatabase, _create_postgres, _create_sqlite, base_config
from tests.documents.conftest import key_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> keys.DemoKeys:
    return keys.generate(tmp_path_factory.mktemp("signing"))


@pytest.fixture(scope="module")
def age_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    identity = tmp_path_factory.mktemp("age") / "identity.txt"
    return identity, backup.write_identity(identity)


def _config(uri: str, signing: keys.DemoKeys, age: tuple[Path, str], folder: Path) -> dict[str, Any]:
    return {
        **base_config(uri),
        **key_config(signing),
        "BACKUP_DIR": str(folder),
        "BACKUP_AGE_RECIPIENTS": [age[1]],
        "BACKUP_AGE_IDENTITY_FILE": str(age[0]),
    }


@pytest.fixture
def empty_target(database: TestDatabase) -> Iterator[str]:
    uri, cleanup = (_create_postgres if database.name == "postgresql" else _create_sqlite)("restore")
    yield uri
    cleanup()


@pytest.fixture
def populated(
    database: TestDatabase, signing_keys: keys.DemoKeys, age_keys: tuple[Path, str], tmp_path: Path
) -> Iterator[Flask]:
    """An app on a new database, migrated and loaded with the demo (schools, a signed agreement, objections)."""
    uri, cleanup = (_create_postgres if database.name == "postgresql" else _create_sqlite)("backup")
    app = create_app(_config(uri, signing_keys, age_keys, tmp_path / "backups"))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        for _ in load_demo():
            pass
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    cleanup()


def _archive(app: Flask) -> Path:
    result = _invoke(app, "create")
    assert result.exit_code == 0, result.output
    (archive,) = Path(app.config["BACKUP_DIR"]).glob("*.age")
    assert re.search(r"\d+ tables, \d+ rows, 2 stored documents", result.output)  # the two signed demo agreements
    return archive


def _invoke(app: Flask, *args: str) -> Any:
    """Run a `flask backup` command, then close the app's pooled connections."""
    result = app.test_cli_runner().invoke(args=["backup", *args])
    with app.app_context():
        db.engine.dispose()
    return result


def _restore(target: str, source: Flask, archive: Path) -> tuple[Flask, Any]:
    app = create_app({**source.config, "SQLALCHEMY_DATABASE_URI": target})
    return app, _invoke(app, "restore", str(archive))


def _agreements(uri: str) -> list[tuple[int, str]]:
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT id, sha256 FROM agreement ORDER BY id"))]
    finally:
        engine.dispose()


def test_backup_restores_into_a_new_database_and_every_agreement_still_verifies(populated, empty_target):
    with populated.app_context():
        before = db.session.scalar(select(func.count()).select_from(Agreement))
    archive = _archive(populated)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert b"%PDF" not in archive.read_bytes()  # encrypted, not just packed

    restored, result = _restore(empty_target, populated, archive)
    assert result.exit_code == 0, result.output
    assert "stored documents matching the manifest" in result.output
    assert f"{before} signed agreements verify as genuine" in result.output
    assert _agreements(empty_target) == _agreements(populated.config["SQLALCHEMY_DATABASE_URI"])
    # The restored portal serves: its public register and a signed agreement's check.
    page = restored.test_client().get("/sub-processors")
    assert page.status_code == 200
    with restored.app_context():
        db.engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(populated):
    archive = _archive(populated)
    _, result = _restore(populated.config["SQLALCHEMY_DATABASE_URI"], populated, archive)
    assert result.exit_code == 1
    assert "the target database is not empty" in result.output


def test_restore_refuses_an_archive_whose_agreement_was_altered_and_names_it(populated, empty_target, age_keys):
    archive = _archive(populated)
    identity = backup.identity_from(age_keys[0])
    tampered = archive.with_name("tampered" + backup.SUFFIX)
    with backup.opened(archive, identity) as (manifest, data):
        agreement_id = [d["id"] for d in manifest.documents][-1]  # one of the demo's two signed agreements
        _flip_a_byte_of_the_agreement(data, agreement_id)
        backup.pack(manifest, data, tampered, backup.recipients_from(populated.config))

    _, result = _restore(empty_target, populated, tampered)
    assert result.exit_code == 1
    assert f"agreement {agreement_id} does not match its SHA-256 in the manifest" in result.output
    assert "nothing was restored" in result.output
    assert restore.database_is_empty(empty_target)  # what it loaded was taken out again


def test_restore_refuses_an_archive_it_cannot_open(populated, empty_target, tmp_path):
    archive = _archive(populated)
    stranger = tmp_path / "stranger.txt"
    backup.write_identity(stranger)
    app = create_app(
        {**populated.config, "SQLALCHEMY_DATABASE_URI": empty_target, "BACKUP_AGE_IDENTITY_FILE": str(stranger)}
    )
    result = _invoke(app, "restore", str(archive))
    assert result.exit_code == 1
    assert "cannot be opened with this key" in result.output
    assert restore.database_is_empty(empty_target)


def test_an_older_archive_is_migrated_forward(database, signing_keys, age_keys, tmp_path, empty_target):
    uri, cleanup = (_create_postgres if database.name == "postgresql" else _create_sqlite)("old")
    try:
        old = create_app(_config(uri, signing_keys, age_keys, tmp_path / "old"))
        with old.app_context():
            upgrade(directory=str(ROOT / "migrations"), revision="0002")
            db.engine.dispose()
        result = _invoke(old, "create")
        assert result.exit_code == 0, result.output
        assert "schema 0002" in result.output
        (archive,) = (tmp_path / "old").glob("*.age")
        _, restored = _restore(empty_target, old, archive)
        assert restored.exit_code == 0, restored.output
        assert "Migrated forward from 0002 to " in restored.output
    finally:
        cleanup()


def test_create_refuses_without_a_key_to_encrypt_to(populated):
    app = create_app({**populated.config, "BACKUP_AGE_RECIPIENTS": []})
    result = app.test_cli_runner().invoke(args=["backup", "create"])
    assert result.exit_code == 1
    assert "PORTAL_BACKUP_AGE_RECIPIENTS is not set" in result.output
    assert not list(Path(app.config["BACKUP_DIR"]).glob("*"))


def test_prune_keeps_the_configured_days(tmp_path):
    import datetime as dt

    now = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)
    for days in (0, 29, 31, 90):
        made = (now - dt.timedelta(days=days)).strftime("%Y%m%dT%H%M%SZ")
        (tmp_path / f"portal-{made}{backup.SUFFIX}").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an archive")
    removed = backup.prune(tmp_path, 30, now=now)
    assert len(removed) == 2
    assert sorted(p.name[7:15] for p in tmp_path.glob("*.age")) == ["20261107", "20261206"]
    assert (tmp_path / "notes.txt").exists()


def _flip_a_byte_of_the_agreement(data: Path, agreement_id: int) -> None:
    """Change one byte inside the stored PDF of one agreement, in the archive's database file."""
    if data.suffix == ".sqlite":
        conn = sqlite3.connect(data)
        pdf = bytearray(conn.execute("SELECT pdf FROM agreement WHERE id = ?", (agreement_id,)).fetchone()[0])
        pdf[len(pdf) // 2] ^= 0x01
        conn.execute("DROP TRIGGER IF EXISTS agreement_immutable")
        conn.execute("UPDATE agreement SET pdf = ? WHERE id = ?", (bytes(pdf), agreement_id))
        conn.commit()
        conn.close()
        return
    dump = data.read_text()
    # The agreement's own row in the COPY block (rows start with their id), then its PDF's first
    # bytes, as pg_dump writes bytea.
    table = dump.index("COPY public.agreement ")
    row = dump.index(f"\n{agreement_id}\t", table) + 1
    start = dump.index("\\\\x255044462d", row)
    middle = start + 4000
    flipped = "0" if dump[middle] != "0" else "1"
    data.write_text(dump[:middle] + flipped + dump[middle + 1 :])
