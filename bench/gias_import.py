"""Benchmark: import a generated, full-size GIAS establishments extract (50,000 rows) and report
time and peak memory. Not part of `make test`.

    .venv/bin/python bench/gias_import.py [--rows 50000] [--database-uri sqlite:///...|postgresql+psycopg://...]

It builds the extract in the real format (cp1252, GIAS column names), migrates a fresh database,
imports the file the way `flask gias import` does (parse, stage, apply in one transaction), then
imports it again (idempotent: nothing changes) and prints both timings. Then the console's path
(#26) on a fresh database: the upload's checks and stored parts (the request), the job reading it
and the job applying it, run here as a worker runs them, each timed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.gias.extracts import establishment, establishments_csv  # noqa: E402

STATUSES = ["Open"] * 7 + ["Closed"] * 2 + ["Open, but proposed to close"]
PHASES = ["Primary", "Secondary", "All-through", "Not applicable"]


def build(rows: int) -> bytes:
    """A synthetic extract: 100000 + n URNs, a fifth in trusts, a tenth closed, a few bad rows."""
    generated = []
    for n in range(rows):
        urn = f"{100000 + n:06d}" if n % 5000 != 4999 else f"{n:05d}"  # one bad URN in every 5,000
        generated.append(
            establishment(
                urn,
                f"Generated School {n} St Brontë's",
                status=STATUSES[n % len(STATUSES)],
                phase=PHASES[n % len(PHASES)],
                la=f"Authority {n % 150}",
                trust_uid=str(20000 + n % 2500) if n % 5 == 0 else "",
            )
        )
    return establishments_csv(generated)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-uri", default=None)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.audit import service as audit
    from portal.extensions import db
    from portal.gias import service

    with tempfile.TemporaryDirectory() as folder:
        uri = args.database_uri or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "ENV": "test", "SECRET_KEY": "bench-" + "x" * 40})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            data = build(args.rows)
            print(f"extract: {args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB (cp1252)")
            actor = audit.Actor.system("bench")
            # Timed without tracemalloc (it slows allocation-heavy code several-fold), then once under it.
            for attempt in ("first import", "same file again"):
                started = time.perf_counter()
                _batch, summary = service.import_bytes(data, filename="bench.csv", actor=actor)
                db.session.commit()
                elapsed = time.perf_counter() - started
                print(f"{attempt}: {elapsed:.2f} s; {summary}")
            tracemalloc.start()
            service.import_bytes(data, filename="bench.csv", actor=actor)
            db.session.commit()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak Python memory during an import (tracemalloc): {peak / 1024 / 1024:.0f} MB")
            db.session.remove()
            db.engine.dispose()
        job_path(args.rows, args.database_uri or f"sqlite:///{folder}/jobs-bench.sqlite", data)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {max_rss:.0f} MB")


def job_path(rows: int, uri: str, data: bytes) -> None:
    """The console's upload on a fresh database: request, read job, apply job (each job run in this process)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal import create_app
    from portal.auth.models import User, VendorRole
    from portal.extensions import db
    from portal.gias import imports
    from portal.jobs import service as jobs

    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "ENV": "test", "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        user = User(email="bench@example.com", display_name="Bench", vendor_role=VendorRole.ADMIN)
        db.session.add(user)
        db.session.commit()
        started = time.perf_counter()
        batch = imports.upload(data, filename="bench.csv", user=user)
        db.session.commit()
        batch_id, read_job = batch.id, batch.job_id
        print(
            f"job path: upload request (checks, {len(data) / 1024 / 1024:.0f} MB stored in parts): "
            f"{time.perf_counter() - started:.2f} s"
        )
        started = time.perf_counter()
        outcome = jobs.run_job(read_job)
        print(f"job path: reading job ({outcome}): {time.perf_counter() - started:.2f} s")
        from portal.gias.models import GiasImportBatch

        batch = db.session.scalar(select(GiasImportBatch).where(GiasImportBatch.id == batch_id))
        started = time.perf_counter()
        job = imports.start_apply(batch, user=user)
        db.session.commit()
        outcome = jobs.run_job(job.id)
        batch = db.session.get(GiasImportBatch, batch_id)
        print(f"job path: applying job ({outcome}): {time.perf_counter() - started:.2f} s; {batch.summary}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
