"""Demo GIAS extracts (fictional schools and trusts, in the real format and encoding), imported once.

The establishments extract has one closed school (not created) and one row with a 5-digit URN
(reported as rejected); everything else imports cleanly. A file already imported is skipped,
so `flask demo load` can run again without adding anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from portal.audit import service as audit
from portal.extensions import db
from portal.gias import service
from portal.gias.models import BatchState, GiasImportBatch

DATA = Path(__file__).resolve().parent / "data"
FILES = ("gias_groups.csv", "gias_establishments.csv")


def load() -> Iterator[str]:
    """Import the demo groups, then establishments, unless that exact file was imported before."""
    actor = audit.Actor.system("demo")
    for name in FILES:
        data = (DATA / name).read_bytes()
        done = db.session.scalar(
            select(GiasImportBatch.id).where(
                GiasImportBatch.sha256 == service.sha256(data), GiasImportBatch.state == BatchState.APPLIED
            )
        )
        if done is not None:
            yield f"GIAS {name}: already imported"
            continue
        batch, summary = service.import_bytes(data, filename=name, actor=actor)
        yield (
            f"GIAS {name}: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged, {summary['rejected']} rejected"
            + "".join(f"\n  line {r['line']}: {r['reason']}" for r in batch.rejects)
        )
