"""What each page of `make bench` costs in one process: time per request, queries, and a profile.

Runs against a database `bench/http_load.py --keep` left behind (its name is printed by
`psql -l`, `portal_bench_...`), with the same production settings and the same visitors, through
Flask's test client: no gunicorn, no wrk, no other worker. Each page is requested in interleaved
rounds, so the machine's drift falls on every page alike, and its time is given as a ratio to the
bare route's, like the load benchmark's (an upper bound of it: the load benchmark's PostgreSQL
work overlaps other workers' Python work). On a machine busy with other work the wall-clock times
say little, so each page's CPU time is given too: this process's and its PostgreSQL backends'
(from /proc), which is what a saturated machine's throughput divides, and how much of it the
PostgreSQL backends spent. Signed-in visitors keep the cookie each response sets, as a browser
and the load benchmark do (else every request would write a new cookie).

    .venv/bin/python bench/profile_pages.py portal_bench_123_abcdef [--requests 200]
        [--only LABEL-PREFIX] [--profile LABEL-PREFIX] [--sort cumulative|tottime] [--top 40] [--cpu]
        [--callers PATTERN] [--dump FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import Target, build_targets, portal_env
from pgdatabase import ADMIN_DSN

BASE = "http://127.0.0.1:5999"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="a database `bench/http_load.py --keep` left")
    parser.add_argument("--requests", type=int, default=200, help="requests per page, in 5 rounds")
    parser.add_argument("--profile", default="", help="profile the pages whose label starts with this")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--callers", default="", help="also print who calls the functions matching this")
    parser.add_argument("--dump", default="", help="also write the profile to this file (for pstats, or a diff)")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label starts with this (and the bare routes)"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="profile this process's CPU time (waits on PostgreSQL count nothing)"
    )
    args = parser.parse_args()
    host = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    env = portal_env(f"{host}/{args.database}", secrets.token_urlsafe(48), Path(tempfile.mkdtemp()))
    targets = build_targets(env, BASE)
    if args.only:
        targets = [t for t in targets if t.label.startswith(("Bare route", args.only))]

    from sqlalchemy import event

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client = app.test_client(use_cookies=False)  # each request sends its visitor's cookie, as wrk does

    def request(target: Target, index: int, keep_cookie: bool = False) -> None:
        visitor = target.visitors[index % len(target.visitors)]
        headers = {"Cookie": visitor.cookie} if visitor.cookie else {}
        response = client.get(visitor.path.removeprefix(BASE), base_url=BASE, headers=headers)
        assert response.status_code == 200, (target.label, response.status_code)
        response.get_data()
        if keep_cookie and visitor.cookie:
            # As a browser does, and as the load benchmark does before every round: the first
            # signed-in page adds the CSRF secret to the cookie, and "last seen" moves once a minute.
            name = visitor.cookie.split("=", 1)[0]
            for header in response.headers.get_all("Set-Cookie"):
                pair = header.split(";", 1)[0]
                if pair.startswith(f"{name}="):
                    visitor.cookie = pair
        response.close()

    for target in targets:  # warm every cache, and count one request's statements
        for index in range(max(len(target.visitors), 5)):
            request(target, index, keep_cookie=True)
    counts = {}
    for target in targets:
        statements.clear()
        request(target, 0)
        counts[target.label] = len(statements)
    with app.app_context():
        database = db.engine.url.database

    def backends_cpu() -> float:
        """CPU seconds so far of the PostgreSQL backends serving this database (this process's)."""
        import psycopg

        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            pids = [pid for (pid,) in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    times: dict[str, list[float]] = {t.label: [] for t in targets}
    cpus: dict[str, list[float]] = {t.label: [] for t in targets}
    backends: dict[str, list[float]] = {t.label: [] for t in targets}
    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    per_round = max(args.requests // 5, 1)
    for _round in range(5):
        for target in targets:
            for index in range(len(target.visitors)):
                request(target, index, keep_cookie=True)
            profiled = bool(args.profile) and target.label.startswith(args.profile)
            started, started_backends = time.perf_counter(), backends_cpu()
            started_cpu = time.process_time() + started_backends
            if profiled:
                profiler.enable()
            for index in range(per_round):
                request(target, index + _round * per_round)
            if profiled:
                profiler.disable()
            times[target.label].append((time.perf_counter() - started) / per_round)
            ended_backends = backends_cpu()
            cpus[target.label].append((time.process_time() + ended_backends - started_cpu) / per_round)
            backends[target.label].append((ended_backends - started_backends) / per_round)
    bare, bare_cpu = statistics.median(times[targets[0].label]), sum(cpus[targets[0].label])
    print(f"{'Page':<62} {'ms':>7} {'ratio':>6} {'CPU ms':>7} {'ratio':>6} {'of it PG':>8} {'queries':>7}")
    for target in targets:
        took, used = statistics.median(times[target.label]), sum(cpus[target.label]) / 5
        print(
            f"{target.label:<62} {took * 1000:7.2f} {bare / took:6.2f} {used * 1000:7.2f}"
            f" {bare_cpu / 5 / used:6.2f} {sum(backends[target.label]) / 5 * 1000:8.2f} {counts[target.label]:7d}"
        )
    if args.profile:
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
