"""Benchmark: signing a DPA (render + PAdES seal + store) against WeasyPrint rendering it alone, and a
trust's ZIP of 50 academies with its peak memory. Not part of `make test`.

    .venv/bin/python bench/documents_sign.py [--rounds 10] [--academies 50] [--database-uri ...]

One run, one database: it publishes a register and text version 1, creates a trust with its
academies, times N renders of the same agreement HTML and N full signatures, prints the ratio,
then signs every academy and streams the ZIP, printing the peak traced memory next to the ZIP
size for a quarter of the academies and for all of them (flat memory: the peaks stay close).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def zip_peak(trust, limit: int | None = None) -> tuple[int, int, int]:
    """Stream the trust's ZIP into nothing; return (agreements, bytes, peak traced bytes)."""
    from portal.documents import bundle

    items = bundle.bundle_items(trust)[:limit]
    tracemalloc.start()
    size = 0
    for chunk in bundle.stream_zip(items):
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return len(items), size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--academies", type=int, default=50)
    parser.add_argument("--database-uri", default=None)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.audit.service import Actor
    from portal.dates import now
    from portal.documents import document, keys, parties, render, signing, versions
    from portal.extensions import db
    from tests.documents.conftest import PARTIES, publish_register
    from tests.factories import make_school, make_trust

    with tempfile.TemporaryDirectory() as folder:
        found = keys.generate(Path(folder) / "signing")
        uri = args.database_uri or f"sqlite:///{folder}/bench.sqlite"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": uri,
                "ENV": "test",
                "SECRET_KEY": "bench-" + "x" * 40,
                "SIGNING_PKCS12_PATH": str(found.pkcs12_path),
                "SIGNING_PKCS12_PASSWORD": found.password,
                "SIGNING_TRUST_ROOT_PATH": str(found.root_path),
            }
        )
        with app.app_context(), app.test_request_context():
            upgrade(directory=str(ROOT / "migrations"))
            suppliers = [(f"s{n}", f"Supplier {n} Ltd", {}) for n in range(8)]
            publish_register("1.0", 1, suppliers)
            actor = Actor.system("bench")
            version = versions.publish_text_version(actor=actor, summary="Bench")
            trust = make_trust("Bench Trust", companies_house_number="01234567")
            academies = [make_school(f"Bench Academy {n}", trust=trust) for n in range(args.academies)]
            db.session.commit()
            school = academies[0]
            acceptance = signing.Acceptance(
                "Bench Signer",
                "Headteacher",
                True,
                ip="203.0.113.1",
                user_agent="bench",
                parties=PARTIES,
                sign_again=True,  # the same school signs round after round
            )
            record = {
                "signer_name": "Bench Signer",
                "signer_role": "Headteacher",
                "tenancy": school.name,
                "via": "",
                "signed_at_utc": now().isoformat(),
                "ip": "203.0.113.1",
                "user_agent": "bench",
            }
            given = parties.clean(school, dataclasses.replace(PARTIES, signer_name="Bench Signer", signer_role="Head"))
            html = document.prepare([school], version, given)[0].html(record)
            render.render_pdf(html)  # warm up fonts and caches for both measurements
            signing.sign_agreement(school, user=actor, acceptance=acceptance, version_number=1)

            # Interleaved, one render then one signature per round, so that other work on a shared
            # machine falls on both alike rather than on the ratio.
            render_only = full = 0.0
            for _ in range(args.rounds):
                started = time.perf_counter()
                render.render_pdf(html)
                render_only += (time.perf_counter() - started) / args.rounds
                started = time.perf_counter()
                signing.sign_agreement(school, user=actor, acceptance=acceptance, version_number=1)
                full += (time.perf_counter() - started) / args.rounds
            db.session.commit()
            print(f"WeasyPrint render alone:      {render_only * 1000:7.1f} ms per agreement")
            print(f"sign (render + seal + store): {full * 1000:7.1f} ms per agreement")
            ratio, load = full / render_only, os.getloadavg()[0]
            print(f"ratio sign / render:          {ratio:7.2f} (target <= 1.5; load average {load:.1f})")

            started = time.perf_counter()
            signing.sign_agreements(academies, user=actor, acceptance=acceptance, version_number=1, via=trust)
            db.session.commit()
            print(f"trust signs {len(academies)} academies in one step: {time.perf_counter() - started:.1f} s")
            for limit in (max(1, len(academies) // 4), None):
                count, size, peak = zip_peak(trust, limit)
                print(
                    f"ZIP of {count:3d} academies: {size / 1024:8.0f} KB streamed, peak traced memory "
                    f"{peak / 1024:6.0f} KB"
                )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
