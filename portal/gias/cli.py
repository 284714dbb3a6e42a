"""`flask gias import FILE`: the way in for full-size extracts, larger than the web upload allows."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.audit import service as audit
from portal.extensions import db
from portal.gias import service
from portal.gias.parse import ExtractError


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import a GIAS establishments, groups or links CSV in one transaction; report every rejected row."""
    try:
        batch, summary = service.import_bytes(
            path.read_bytes(), filename=path.name, actor=audit.Actor.system("flask gias import")
        )
    except ExtractError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    for reject in batch.rejects:
        click.echo(f"line {reject['line']}: {reject['reason']}", err=True)
    db.session.commit()
    click.echo(
        f"{batch.kind.label}: {summary['created']} created, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {summary['closed_not_created']} closed and not created, "
        f"{summary['unknown']} not yet imported, {summary['rejected']} rejected"
    )
