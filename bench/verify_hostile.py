"""Benchmark: what the worst hostile upload to /verify costs, against checking a genuine agreement,
in the same run. Not part of `make test`.

    .venv/bin/python bench/verify_hostile.py [--rounds 5]

It signs one agreement, builds the hostile corpus of tests/fuzz/verify_corpus.py at the upload
limit, times verify_pdf on each (the median of N rounds), prints the table with each file's
ratio to the genuine check, writes bench/results/verify_hostile.md, and exits 1 when the worst
ratio is above 10.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT = 10.0


def median_seconds(check, data: bytes, rounds: int) -> tuple[float, str]:
    times, verdict = [], ""
    for _ in range(rounds):
        started = time.perf_counter()
        verdict = check(data).verdict.value
        times.append(time.perf_counter() - started)
    return statistics.median(times), verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.audit.service import Actor
    from portal.documents import keys, signing, versions
    from portal.documents.verify import verify_pdf
    from portal.documents.views import VERIFY_MAX_BYTES
    from portal.extensions import db
    from tests.documents.conftest import publish_register
    from tests.factories import make_school
    from tests.fuzz.verify_corpus import corpus

    with tempfile.TemporaryDirectory() as folder:
        found = keys.generate(Path(folder) / "signing")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                "ENV": "test",
                "SECRET_KEY": "bench-" + "x" * 40,
                "SIGNING_PKCS12_PATH": str(found.pkcs12_path),
                "SIGNING_PKCS12_PASSWORD": found.password,
                "SIGNING_TRUST_ROOT_PATH": str(found.root_path),
            }
        )
        with app.app_context(), app.test_request_context():
            upgrade(directory=str(ROOT / "migrations"))
            publish_register("1.0", 1, [(f"s{n}", f"Supplier {n} Ltd", {}) for n in range(8)])
            actor = Actor.system("bench")
            versions.publish_text_version(actor=actor, summary="Bench")
            school = make_school("Bench School")
            db.session.commit()
            acceptance = signing.Acceptance("Bench Signer", "Headteacher", True, ip="203.0.113.1", user_agent="b")
            genuine = signing.sign_agreement(school, user=actor, acceptance=acceptance, version_number=1).pdf
            db.session.commit()

            def check(data: bytes):
                return verify_pdf(data, app.config)

            check(genuine)  # warm up imports and caches
            base, verdict = median_seconds(check, genuine, args.rounds)
            assert verdict == "genuine", verdict
            rows = [("genuine agreement", len(genuine), verdict, base, 1.0)]
            for name, make in corpus(genuine, VERIFY_MAX_BYTES).items():
                data = make()
                seconds, verdict = median_seconds(check, data, args.rounds)
                rows.append((name, len(data), verdict, seconds, seconds / base))
            db.session.remove()
            db.engine.dispose()

    worst = max(rows[1:], key=lambda row: row[4])
    lines = [
        "# /verify: hostile uploads against a genuine agreement (bench/verify_hostile.py)",
        "",
        f"Median of {args.rounds} rounds each, one process, upload limit {VERIFY_MAX_BYTES // 1024} KB.",
        "",
        "| file | bytes | verdict | ms | ratio to genuine |",
        "| --- | ---: | --- | ---: | ---: |",
        *(f"| {n} | {size} | {v} | {s * 1000:.1f} | {r:.2f} |" for n, size, v, s, r in rows),
        "",
        f"Worst: {worst[0]}, {worst[4]:.2f} times a genuine check (limit {LIMIT:.0f}).",
    ]
    print("\n".join(lines))
    (ROOT / "bench" / "results" / "verify_hostile.md").write_text("\n".join(lines) + "\n")
    return 0 if worst[4] <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
