"""Benchmark: one notice to 24,000 data leads and 50,000 subscribers on PostgreSQL, queued and delivered.

Reports, in one run:
- enqueue: `announce()` (the set-based INSERT ... SELECT per audience) against a bare hand-written
  INSERT ... SELECT of the same rows (ratio; median of several runs);
- delivery: the outbox worker (claims, messages built once per content, a reused SMTP connection, sent-marks
  every OUTBOX_SENT_FLUSH messages) against a raw smtplib loop building and sending each EmailMessage over
  one connection, both into the same local aiosmtpd sink, in interleaved rounds (ratio);
- end to end: after the ratio rounds, the whole notice again from nothing: `announce()` in one
  transaction, then `--workers` real outbox worker processes (`flask outbox deliver`, as systemd runs them)
  deliver every row, timed until the last sent-mark is committed (--deliver only limits the ratio rounds).

The sink runs in its own process, as a relay does: in the benchmark's process it would take the GIL from the
sender it measures.

Run standalone (not part of `make test`), with PostgreSQL on 127.0.0.1:5432 and trust auth:
    .venv/bin/python bench/notify_fanout.py [--leads 24000] [--subscribers 50000] [--deliver N] [--workers N]
It creates and drops its own database; results go to bench/results/notify_fanout.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import smtplib
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pgdatabase import create_database, drop_database

from portal import create_app
from portal.devtools.mailsink import free_port
from portal.extensions import db

RESULTS = Path(__file__).resolve().parent / "results" / "notify_fanout.json"

SUMMARY = (
    "We plan to add Acme Analytics Ltd as a sub-processor from 1 March 2027. It will host usage "
    "analytics in the UK, because our current supplier is withdrawing the service. You can object "
    "until 28 February 2027."
)
BARE = [
    # The same rows announce() writes, by hand: data leads and trust admins, once per address ...
    """INSERT INTO outbox_message (recipient, created_at, subject, body_text, category, reference, status,
           attempts, next_attempt_at, list_unsubscribe)
       SELECT lower(u.email), now(), :subject, :body, 'notice', :reference, 'queued', 0, now(), false
       FROM user_account u JOIN membership m ON m.user_id = u.id
       WHERE m.role IN ('data_lead', 'trust_admin') AND u.email IS NOT NULL AND NOT u.is_disabled
       GROUP BY lower(u.email)""",
    # ... and confirmed subscribers.
    """INSERT INTO outbox_message (recipient, created_at, subject, body_text, category, reference, status,
           attempts, next_attempt_at, list_unsubscribe)
       SELECT s.address, now(), :subject, :body, 'notice', :reference, 'queued', 0, now(), true
       FROM subscriber s WHERE s.confirmed_at IS NOT NULL""",
]


class Counting:
    """An aiosmtpd handler that accepts and counts (the bench measures the sender, not the sink)."""

    def __init__(self, counter: Any) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 Message accepted"


def _sink(port: int, counter: Any, ready: Any, stop: Any) -> None:
    """The relay, in its own process: accepts and counts until told to stop."""
    controller = Controller(Counting(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class Sink:
    """A counting SMTP sink in a separate process (shared counter)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.counter = context.Value("q", 0)
        self._ready, self._stop = context.Event(), context.Event()
        self._process = context.Process(target=_sink, args=(self.port, self.counter, self._ready, self._stop))

    @property
    def count(self) -> int:
        return int(self.counter.value)

    def __enter__(self) -> Sink:
        self._process.start()
        if not self._ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(10)


def populate(leads: int, subscribers: int) -> None:
    """One data lead per school (a few trust admins too), and confirmed subscribers; in bulk."""
    from portal.auth.models import User
    from portal.notify.models import Subscriber
    from portal.notify.tokens import digest
    from portal.tenancy.models import Membership, Role, Tenancy, TenancyKind

    chunk = 5000
    for start in range(0, leads, chunk):
        ids = range(start + 1, min(leads, start + chunk) + 1)
        db.session.execute(
            insert(Tenancy),
            [
                {"id": i, "kind": TenancyKind.SCHOOL, "slug": f"school-{i}", "name": f"School {i}", "urn": f"{i:06d}"}
                for i in ids
            ],
        )
        db.session.execute(
            insert(User), [{"id": i, "display_name": f"Lead {i}", "email": f"lead{i}@school{i}.example"} for i in ids]
        )
        db.session.execute(
            insert(Membership),
            [{"user_id": i, "tenancy_id": i, "role": Role.TRUST_ADMIN if i % 50 == 0 else Role.DATA_LEAD} for i in ids],
        )
    for start in range(0, subscribers, chunk):
        rows = []
        for i in range(start, min(subscribers, start + chunk)):
            address = f"subscriber{i}@example.org"
            rows.append({"address": address, "unsubscribe_hash": digest(f"bench-{i}"), "confirmed_at": text("now()")})
        db.session.execute(
            insert(Subscriber).values(confirmed_at=text("now()")),
            [{k: v for k, v in r.items() if k != "confirmed_at"} for r in rows],
        )
    for table in ("tenancy", "user_account", "membership"):
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bench_notice() -> Any:
    from portal.notify.fanout import Notice

    return Notice(
        subject="We plan to add Acme Analytics Ltd as a sub-processor",
        summary=SUMMARY,
        links=[
            ("The register", "https://portal.example/sub-processors"),
            ("What changes", "https://portal.example/diff/3"),
        ],
        reference="change-notice:1",
    )


def enqueue_once() -> int:
    """The publishing request's part: every recipient's row, committed."""
    from portal.notify.fanout import announce

    rows = announce(bench_notice())
    db.session.commit()
    return rows


def enqueue_runs(repeats: int) -> dict[str, Any]:
    from portal.notify.fanout import announce, notice_text

    notice = bench_notice()
    params = {"subject": notice.subject, "body": notice_text(notice), "reference": notice.reference}
    queued: list[int] = []

    def bare() -> None:
        for statement in BARE:
            db.session.execute(text(statement), params)
        db.session.commit()

    def portal() -> None:
        queued.append(announce(notice))
        db.session.commit()

    def empty() -> None:
        db.session.execute(text("TRUNCATE outbox_message"))
        db.session.commit()

    bare_times, portal_times = [], []
    for n in range(repeats):
        bare_times.append(timed(bare))
        empty()
        portal_times.append(timed(portal))
        if n < repeats - 1:
            empty()
    bare_s, portal_s = statistics.median(bare_times), statistics.median(portal_times)
    return {
        "rows": queued[-1],
        "announce_seconds": round(portal_s, 3),
        "bare_insert_select_seconds": round(bare_s, 3),
        "ratio": round(portal_s / bare_s, 2),
        "runs": repeats,
    }


def raw_loop(app: Any, port: int, body: str, first: int, count: int) -> None:
    """The same kind of message the worker sends (same headers), built and sent in a plain loop."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(first, first + count):
            message = EmailMessage()
            message["From"] = app.config["MAIL_FROM"]
            message["To"] = f"raw{i}@example.org"
            message["Subject"] = "We plan to add Acme Analytics Ltd as a sub-processor"
            message["Date"] = formatdate(usegmt=True)
            message["Message-ID"] = f"<raw-{i}@larkspur.example>"
            if i % 3:
                message["List-Unsubscribe"] = f"<https://portal.example/unsubscribe/{i:043d}>"
                message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            message.set_content(body)
            smtp.send_message(message)


def delivery_runs(app: Any, limit: int | None, rounds: int) -> dict[str, Any]:
    """The worker against the raw loop in interleaved rounds, so that the machine's drift (other work on
    it) falls on both alike rather than on the ratio."""
    from portal.notify.worker import deliver_due

    if limit is not None:  # deliver only the first `limit` messages: park the rest
        db.session.execute(
            text(
                "UPDATE outbox_message SET status = 'failed' WHERE id > (SELECT min(id) FROM outbox_message) + :n - 1"
            ),
            {"n": limit},
        )
        db.session.commit()
    total = db.session.scalar(text("SELECT count(*) FROM outbox_message WHERE status = 'queued'"))
    body = db.session.scalar(text("SELECT body_text FROM outbox_message LIMIT 1"))
    batch = int(app.config["OUTBOX_BATCH_SIZE"])
    batches = -(-total // batch)
    per_round = -(-batches // rounds)
    worker_s = raw_s = 0.0
    raw_sent = 0
    with Sink() as handler:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=handler.port)
        for _ in range(rounds):
            before = handler.count
            worker_s += timed(lambda: deliver_due(max_batches=per_round))
            sent_now = handler.count - before
            if not sent_now:
                break
            raw_s += timed(lambda: raw_loop(app, handler.port, body, raw_sent, sent_now))  # noqa: B023
            raw_sent += sent_now
        assert handler.count == 2 * total, (handler.count, total)
        sent = db.session.scalar(text("SELECT count(*) FROM outbox_message WHERE status = 'sent'"))
        assert sent == total, (sent, total)
    return {
        "messages": total,
        "worker_seconds": round(worker_s, 2),
        "raw_smtplib_seconds": round(raw_s, 2),
        "ratio": round(worker_s / raw_s, 2),
        "worker_per_second": round(total / worker_s),
        "raw_per_second": round(total / raw_s),
        "rounds": rounds,
        "batch_size": batch,
        "sent_flush": app.config["OUTBOX_SENT_FLUSH"],
    }


def end_to_end(uri: str, workers: int) -> dict[str, Any]:
    """The whole notice from nothing: announce() commits every row, then `workers` outbox worker processes
    (`flask outbox deliver`, the one-shot form of what systemd runs) deliver them all. Timed from the start of
    the enqueue to the last worker's exit, after which every row must be sent and the sink must hold each once."""
    db.session.execute(text("TRUNCATE outbox_message"))
    db.session.commit()
    environment = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_SQLALCHEMY_DATABASE_URI": uri,
        "PORTAL_SECRET_KEY": "bench-" + "x" * 40,
        "PORTAL_BASE_URL": "https://portal.example",
        "PORTAL_LOG_LEVEL": "WARNING",
    }
    flask = str(Path(sys.executable).with_name("flask"))
    root = Path(__file__).resolve().parent.parent
    with Sink() as sink:
        environment.update(PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(sink.port))
        start = time.perf_counter()
        rows = enqueue_once()
        enqueued = time.perf_counter() - start
        processes = [
            subprocess.Popen([flask, "--app", "wsgi", "outbox", "deliver"], cwd=root, env=environment)
            for _ in range(workers)
        ]
        codes = [process.wait() for process in processes]
        seconds = time.perf_counter() - start
        received = sink.count
    sent = db.session.scalar(text("SELECT count(*) FROM outbox_message WHERE status = 'sent'"))
    assert codes == [0] * workers, codes
    assert sent == rows == received, (sent, rows, received)
    return {
        "rows": rows,
        "workers": workers,
        "enqueue_seconds": round(enqueued, 2),
        "seconds": round(seconds, 1),
        "per_second": round(rows / (seconds - enqueued)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=24000)
    parser.add_argument("--subscribers", type=int, default=50000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--deliver", type=int, default=None, help="deliver only this many (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of worker and raw loop")
    parser.add_argument("--workers", type=int, default=2, help="outbox worker processes for the end-to-end run")
    parser.add_argument("--no-end-to-end", action="store_true", help="project the whole notice from the ratio rounds")
    args = parser.parse_args()
    name, uri = create_database()
    try:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": uri,
                "ENV": "test",
                "SECRET_KEY": "bench-" + "x" * 40,
                "BASE_URL": "https://portal.example",
            }
        )
        with app.app_context():
            db.create_all()
            populate(args.leads, args.subscribers)
            enqueue = enqueue_runs(args.repeats)
            print(f"enqueue: {enqueue}", flush=True)
            delivery = delivery_runs(app, args.deliver, args.rounds)
            print(f"delivery: {delivery}", flush=True)
            whole = None if args.no_end_to_end else end_to_end(uri, args.workers)
            print(f"end to end: {whole}", flush=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(name)
    if whole:  # measured: the enqueue, then real worker processes until the last row is sent
        england, projected = whole["seconds"], False
    else:  # projected: the enqueue, then every row at the ratio rounds' rate of one worker
        england, projected = enqueue["announce_seconds"] + enqueue["rows"] / delivery["worker_per_second"], True
    result = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "leads": args.leads,
        "subscribers": args.subscribers,
        "load_average": os.getloadavg()[0],
        "enqueue": enqueue,
        "delivery": delivery,
        "end_to_end": whole,
        "end_to_end_seconds": round(england, 1),
        "end_to_end_projected": projected,
    }
    print(
        f"enqueue ratio {enqueue['ratio']} (target <= 1.5); delivery ratio {delivery['ratio']} (target <= 1.33); "
        f"{enqueue['rows']:,} recipients end to end {england:.0f} s"
        f"{' (projected)' if projected else f' with {args.workers} worker(s)'} (target < 300 s); "
        f"load average {result['load_average']:.1f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
