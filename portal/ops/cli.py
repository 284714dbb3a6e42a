"""`flask backup create | restore | prune | keygen`: the evidence store's backups, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from portal.extensions import db
from portal.ops import backup, restore

backup_cli = AppGroup("backup", help="Encrypted backups of the database and its signed documents.")


def _folder() -> Path:
    return Path(current_app.config["BACKUP_DIR"])


def _development_key() -> Path | None:
    """In development (`make run`) only: a backup key kept in instance/, made on first use."""
    if current_app.config["ENV"] != "development":
        return None
    path = Path(current_app.instance_path) / "backup.key"
    if not path.exists():
        backup.write_identity(path)
        click.echo(f"Development backup key made in {path} (production uses PORTAL_BACKUP_AGE_RECIPIENTS).")
    return path


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@backup_cli.command("keygen")
@click.argument("identity_file", type=click.Path(dir_okay=False, path_type=Path))
def backup_keygen(identity_file: Path) -> None:
    """Make an age key pair: the secret key goes to IDENTITY_FILE (keep it off the server); print the public key."""
    if identity_file.exists():
        _fail(f"{identity_file} exists already: a key is never overwritten")
    public = backup.write_identity(identity_file)
    click.echo(f"Secret key written to {identity_file} (mode 0600). Store it away from the backups.")
    click.echo(f"Public key (set PORTAL_BACKUP_AGE_RECIPIENTS to it): {public}")


@backup_cli.command("create")
def backup_create() -> None:
    """Write one consistent, encrypted archive of the database and every stored document."""
    config = current_app.config
    try:
        development = None if config.get("BACKUP_AGE_RECIPIENTS") else _development_key()
        if development is not None:
            recipients = [backup.identity_from(development).to_public()]
        else:
            recipients = backup.recipients_from(config)
        path, manifest = backup.create_backup(config["SQLALCHEMY_DATABASE_URI"], _folder(), recipients)
    except backup.BackupError as error:
        _fail(str(error))
        return
    rows = sum(manifest.tables.values())
    click.echo(
        f"{path}: {len(manifest.tables)} tables, {rows} rows, {len(manifest.documents)} stored documents, "
        f"schema {manifest.schema_revision}"
    )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(archive: Path) -> None:
    """Restore ARCHIVE into the configured database, which must be empty, and prove it.

    Checks row counts and every stored document's SHA-256 against the manifest, migrates forward if
    the archive is older than the code, and checks every signed agreement as /verify does.
    """
    config = current_app.config
    uri = config["SQLALCHEMY_DATABASE_URI"]
    try:
        identity = backup.identity_from(config.get("BACKUP_AGE_IDENTITY_FILE") or _development_key())
        manifest, report = restore.restore_backup(archive, identity, uri)
    except backup.BackupError as error:
        _fail(f"nothing was restored: {error}")
        return
    db.engine.dispose()  # the schema changed under any pooled connection
    upgrade(directory=current_app.extensions["migrate"].directory)
    with db.engine.connect() as conn:
        from sqlalchemy import text

        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    count, failures = restore.verify_agreements(db.session, config)
    db.session.rollback()
    click.echo(
        f"Restored {archive.name}: {report.tables} tables, {report.rows} rows, "
        f"{report.documents} stored documents matching the manifest"
    )
    if revision != manifest.schema_revision:
        click.echo(f"Migrated forward from {manifest.schema_revision} to {revision}")
    if failures:
        _fail(f"{len(failures)} of {count} agreements do not verify as genuine: " + "; ".join(failures))
    click.echo(f"{count} signed agreements verify as genuine")


@backup_cli.command("prune")
@click.option("--keep-days", type=int, default=None, help="Days of archives to keep (default BACKUP_KEEP_DAYS).")
def backup_prune(keep_days: int | None) -> None:
    """Delete archives older than the kept period."""
    days = keep_days if keep_days is not None else int(current_app.config["BACKUP_KEEP_DAYS"])
    if days < 1:
        _fail("keep at least one day of backups")
    removed = backup.prune(_folder(), days)
    click.echo(f"{len(removed)} archives older than {days} days deleted")
