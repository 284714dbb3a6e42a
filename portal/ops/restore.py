"""Restore: load an archive into an empty database and prove it (counts, document hashes, every signature).

A restore refuses a database that has any table, loads the archive, checks the counts and every stored
document's hash against the manifest, then (the CLI) migrates forward if the archive is older and checks
every signed agreement as /verify does. Any failure leaves the target as empty as it was, and names what
failed. The archive's format and its creation are in `portal.ops.backup`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pyrage import x25519
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from portal.documents.models import Agreement
from portal.documents.verify import Verdict, verify_pdf
from portal.ops import backup


def database_is_empty(uri: str) -> bool:
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore_backup(archive: Path, identity: x25519.Identity, uri: str) -> tuple[backup.Manifest, backup.RestoreReport]:
    """Load an archive into the empty database at `uri` and check it against its manifest.

    Raises BackupError (the target left empty) when the database is not empty, the archive cannot be
    read, or a count or a stored document's hash differs from the manifest.
    """
    if not database_is_empty(uri):
        raise backup.BackupError("the target database is not empty: restore only into a new, empty database")
    url = make_url(uri)
    with backup.opened(archive, identity) as (manifest, data):
        if manifest.dialect != url.get_backend_name():
            target = url.get_backend_name()
            raise backup.BackupError(f"this archive is of a {manifest.dialect} database, the target is {target}")
        try:
            if manifest.dialect == "postgresql":
                _load_postgresql(data, uri)
            else:
                _load_sqlite(data, url.database or "")
            report = check_against_manifest(uri, manifest)
        except BaseException:
            empty_database(uri)
            raise
    return manifest, report


def _load_postgresql(data: Path, uri: str) -> None:
    command = ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", str(data)]
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from configuration
        [*command, backup.libpq_dsn(uri)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        raise backup.BackupError(f"loading the dump failed: {done.stderr.decode(errors='replace').strip()[-2000:]}")


def _load_sqlite(data: Path, path: str) -> None:
    if not path:
        raise backup.BackupError("the target is an in-memory SQLite database: restore needs a file")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(data, partial)
    os.replace(partial, target)


def check_against_manifest(uri: str, manifest: backup.Manifest) -> backup.RestoreReport:
    """Counts per table and every stored document's hash, in the restored database, against the manifest."""
    report = backup.RestoreReport()
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            for name, expected in sorted(manifest.tables.items()):
                if name not in tables:
                    report.problems.append(f"table {name} is missing")
                    continue
                got = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
                if got != expected:
                    report.problems.append(f"table {name} has {got} rows, the manifest says {expected}")
                report.tables += 1
                report.rows += got
            expected_docs = {(d["table"], d["id"]): d["sha256"] for d in manifest.documents}
            found = {(d["table"], d["id"]): d for d in backup.document_hashes(conn, sorted(tables))}
            for key, digest in sorted(expected_docs.items()):
                doc = found.get(key)
                if doc is None:
                    report.problems.append(f"{key[0]} {key[1]} is missing")
                elif doc["sha256"] != digest or doc["recorded"] != digest:
                    report.problems.append(f"{doc['label']} {key[1]} does not match its SHA-256 in the manifest")
                else:
                    report.documents += 1
    finally:
        engine.dispose()
    if report.problems:
        raise backup.BackupError(
            "the restored data does not match the archive's manifest: " + "; ".join(report.problems)
        )
    return report


def empty_database(uri: str) -> None:
    """Remove everything a failed restore wrote, so the target is as empty as it was."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).unlink(missing_ok=True)
        return
    engine = create_engine(uri)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def verify_agreements(session: Any, config: Any) -> tuple[int, list[str]]:
    """Check every stored agreement through the same code as /verify; return the count and any failures."""
    failures: list[str] = []
    count = 0
    for agreement_id, pdf in session.execute(select(Agreement.id, Agreement.pdf).order_by(Agreement.id)):
        verdict = verify_pdf(bytes(pdf), config)
        count += 1
        if verdict.verdict is not Verdict.GENUINE:
            failures.append(f"agreement {agreement_id}: {verdict.explanation}")
    return count, failures
