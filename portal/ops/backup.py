"""Backups: one consistent, encrypted archive of the database and its documents, and a restore that proves itself.

An archive is a gzipped tar, encrypted to one or more age recipients (pyrage, the Python binding of
the age reference library: no cipher of our own). Inside:

- ``manifest.json``: the time, the dialect, the schema revision, the row count of every table and the
  SHA-256 of every stored document, all read in the same snapshot as the data;
- ``database.sql`` (PostgreSQL: ``pg_dump`` in plain SQL, run on the snapshot the manifest was read in)
  or ``database.sqlite`` (SQLite: a copy through its online backup API, read for the manifest itself).

The restore, which proves what it loaded against the manifest, is in `portal.ops.restore`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyrage
from pyrage import x25519
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import dates

FORMAT = 1
MANIFEST = "manifest.json"
SUFFIX = ".tar.gz.age"


class BackupError(RuntimeError):
    """A backup or restore could not be done safely; the message says why."""


@dataclass(frozen=True)
class StoredDocument:
    """A table that keeps documents as bytes beside their SHA-256 (the evidence a backup must carry)."""

    table: str
    bytes_column: str
    sha256_column: str
    label: str


# Every table holding stored evidence. A capability that stores documents adds itself here.
STORED_DOCUMENTS: list[StoredDocument] = [StoredDocument("agreement", "pdf", "sha256", "agreement")]


@dataclass
class Manifest:
    created_at: str
    dialect: str
    schema_revision: str | None
    tables: dict[str, int]
    documents: list[dict[str, Any]]
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"this archive's format ({raw.get('format')}) is not one this portal reads ({FORMAT})")
        return cls(**raw)


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    documents: int = 0
    agreements_verified: int = 0
    migrated_from: str | None = None
    migrated_to: str | None = None
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Keys


def recipients_from(config: Any) -> list[x25519.Recipient]:
    """The age public keys a backup is encrypted to; creating a backup needs no secret."""
    keys = config.get("BACKUP_AGE_RECIPIENTS") or []
    if isinstance(keys, str):
        keys = [k for k in keys.replace(",", " ").split() if k]
    if not keys:
        raise BackupError("PORTAL_BACKUP_AGE_RECIPIENTS is not set: no key to encrypt the backup to")
    try:
        return [x25519.Recipient.from_str(k) for k in keys]
    except pyrage.RecipientError as error:
        raise BackupError(f"PORTAL_BACKUP_AGE_RECIPIENTS holds a key that is not an age public key: {error}") from None


def identity_from(path: str | os.PathLike[str] | None) -> x25519.Identity:
    """The age secret key that opens archives, read from a file (an age identity file)."""
    if not path:
        raise BackupError("PORTAL_BACKUP_AGE_IDENTITY_FILE is not set: no key to open the archive with")
    lines = [ln.strip() for ln in Path(path).read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise BackupError(f"{path} holds no age secret key")
    return x25519.Identity.from_str(lines[0])


def write_identity(path: Path) -> str:
    """Make a new age key pair; write the secret key file (mode 0600) and return the public key."""
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"# created: {dates.now().isoformat()}\n# public key: {public}\n{identity}\n")
    return public


# ---------------------------------------------------------------------------------------------
# Create


def create_backup(uri: str, folder: Path, recipients: list[x25519.Recipient]) -> tuple[Path, Manifest]:
    """Write one encrypted archive of the database at `uri` into `folder`; return its path and manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    url = make_url(uri)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        if url.get_backend_name() == "postgresql":
            manifest, data_name = _snapshot_postgresql(uri, work)
        elif url.get_backend_name() == "sqlite":
            manifest, data_name = _snapshot_sqlite(url.database or "", work)
        else:
            raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
        (work / MANIFEST).write_bytes(manifest.to_json())
        plain = work / "archive.tar.gz"
        with tarfile.open(plain, "w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / data_name, arcname=data_name)
        stamp = dates.now().strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"portal-{stamp}{SUFFIX}"
        partial = target.with_suffix(".partial")
        pyrage.encrypt_file(str(plain), str(partial), recipients)
        os.chmod(partial, 0o600)
        partial.rename(target)  # never a half-written archive under the real name
    return target, manifest


def _snapshot_postgresql(uri: str, work: Path) -> tuple[Manifest, str]:
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            manifest = _manifest(conn, "postgresql")
            # pg_dump reads the very snapshot the manifest was counted in, while this transaction holds it.
            command = ["pg_dump", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "--format=plain"]
            with (work / "database.sql").open("wb") as out:
                done = subprocess.run(  # noqa: S603 - fixed program, arguments from configuration
                    [*command, libpq_dsn(uri)], stdout=out, stderr=subprocess.PIPE, check=False
                )
            if done.returncode:
                raise BackupError(f"pg_dump failed: {done.stderr.decode(errors='replace').strip()}")
            conn.rollback()
    finally:
        engine.dispose()
    return manifest, "database.sql"


def _snapshot_sqlite(path: str, work: Path) -> tuple[Manifest, str]:
    if not path or not Path(path).exists():
        raise BackupError(f"no SQLite database at {path!r}")
    copy = work / "database.sqlite"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # the online backup API: a consistent copy while the portal runs
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as conn:
            manifest = _manifest(conn, "sqlite")
    finally:
        engine.dispose()
    return manifest, "database.sqlite"


def _manifest(conn: Connection, dialect: str) -> Manifest:
    tables = sorted(inspect(conn).get_table_names())
    counts = {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in tables}  # noqa: S608
    revision = None
    if "alembic_version" in tables:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    documents = list(document_hashes(conn, tables))
    for doc in documents:
        if doc["sha256"] != doc["recorded"]:
            raise BackupError(
                f"{doc['label']} {doc['id']} in the live database does not match its recorded SHA-256: "
                "investigate before backing up"
            )
    return Manifest(
        created_at=dates.now().isoformat(),
        dialect=dialect,
        schema_revision=revision,
        tables=counts,
        documents=[{k: d[k] for k in ("table", "id", "sha256")} for d in documents],
    )


def document_hashes(conn: Connection, tables: list[str]) -> Iterator[dict[str, Any]]:
    for stored in STORED_DOCUMENTS:
        if stored.table not in tables:
            continue
        rows = conn.execute(
            text(
                f'SELECT id, "{stored.bytes_column}", "{stored.sha256_column}" '  # noqa: S608 - names from code
                f'FROM "{stored.table}" ORDER BY id'
            )
        )
        for row_id, data, recorded in rows:
            yield {
                "table": stored.table,
                "label": stored.label,
                "id": row_id,
                "sha256": hashlib.sha256(bytes(data)).hexdigest(),
                "recorded": recorded,
            }


# ---------------------------------------------------------------------------------------------
# Read an archive


@contextmanager
def opened(archive: Path, identity: x25519.Identity) -> Iterator[tuple[Manifest, Path]]:
    """Decrypt and unpack an archive into a private temporary folder; yield its manifest and data file."""
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        work = Path(tmp)
        plain = work / "archive.tar.gz"
        try:
            pyrage.decrypt_file(str(archive), str(plain), [identity])
        except pyrage.DecryptError as error:
            raise BackupError(f"{archive.name} cannot be opened with this key: {error}") from None
        try:
            with tarfile.open(plain, "r:gz") as tar:
                tar.extractall(work / "out", filter="data")
        except (tarfile.TarError, gzip.BadGzipFile, EOFError) as error:
            raise BackupError(f"{archive.name} is damaged: {error}") from None
        out = work / "out"
        if not (out / MANIFEST).exists():
            raise BackupError(f"{archive.name} has no manifest")
        manifest = Manifest.from_json((out / MANIFEST).read_bytes())
        data = out / ("database.sql" if manifest.dialect == "postgresql" else "database.sqlite")
        if not data.exists():
            raise BackupError(f"{archive.name} has no {data.name}")
        yield manifest, data


def pack(manifest: Manifest, data: Path, target: Path, recipients: list[x25519.Recipient]) -> None:
    """Write an archive from a manifest and a data file (used to re-pack an archive, e.g. in tests)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        body = manifest.to_json()
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
        tar.add(data, arcname=data.name)
    target.write_bytes(pyrage.encrypt(buffer.getvalue(), recipients))


# ---------------------------------------------------------------------------------------------
# Prune


def prune(folder: Path, keep_days: int, now: dt.datetime | None = None) -> list[Path]:
    """Delete archives older than `keep_days` (by the time in their name); return what was deleted."""
    now = now or dates.now()
    removed = []
    for path in sorted(folder.glob(f"portal-*{SUFFIX}")):
        stamp = path.name.removeprefix("portal-").removesuffix(SUFFIX)
        try:
            made = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if now - made > dt.timedelta(days=keep_days):
            path.unlink()
            removed.append(path)
    return removed


def libpq_dsn(uri: str) -> str:
    """SQLAlchemy's URL as a libpq connection string for pg_dump and psql."""
    url = make_url(uri).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
