"""`make bench`: the portal under gunicorn on PostgreSQL and Redis, driven by wrk, as ratios to a bare route.

In one run it
1. creates a PostgreSQL database (dropped afterwards unless --keep), migrates it and loads
   `flask demo scale` (24,000 schools, 2,500 trusts, 50,000 users, ...);
2. serves `wsgi:app` with gunicorn ((2 x cores) + 1 sync workers, as gunicorn advises, so one
   worker's database wait overlaps another's work; loopback only) in production mode, with
   Redis as the rate-limit storage;
3. runs wrk against each endpoint for a bounded time (10 s after a 2 s warm-up), signed in with a
   session cookie where the page needs one, and checks first that the cookie really reaches the page
   (and, before every round, keeps the cookie the page sets, as a browser would);
   the 10 s are five rounds of 2 s, every endpoint in turn in each round, so the machine's drift
   over the run falls on every endpoint alike and not on the ratios;
4. writes a Markdown table (rps, p50, p99, errors, ratio to the bare route) with the machine, the
   commit and the date to bench/results/http_load.md, and prints it.

The bare route is /cookies: a full page through the same stack (policy check, session, security
headers, CSP nonce, the GOV.UK layout) with no database query, so each ratio is what data access
costs a page. /healthz does a database round trip, and the 110 KB static CSS measures file sending.

Rate limits: none of the measured routes carries a limit (the portal limits only sign-in and the
subscription POSTs), so nothing is raised or exempted; a 429 would show up as an error.

    .venv/bin/python bench/http_load.py [--duration 10] [--connections 16] [--workers 5] [--threads 1]
                                        [--scale 1.0] [--keep]
Needs PostgreSQL on 127.0.0.1:5432 with trust auth (PORTAL_BENCH_PG_DSN), Redis on 127.0.0.1:6379
(BENCH_REDIS_URL) and wrk on the PATH.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgdatabase import create_database, drop_database  # noqa: E402 - bench/ is the script's folder

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
RESULTS = ROOT / "bench" / "results" / "http_load.md"
# The many-schools target: this many schools, every MANY_STEP-th of the scale set.
MANY_SCHOOLS, MANY_STEP = 300, 79
VENV_BIN = Path(sys.executable).parent


@dataclass
class Visitor:
    """A URL and the session cookie of whoever asks for it (None: not signed in)."""

    path: str
    cookie: str | None


@dataclass
class Target:
    """One measured endpoint: a label, who asks for it, and its target ratio.

    With one visitor, wrk asks for the same URL with the same cookie every time. With many, a wrk
    script gives each request the next visitor's URL and cookie, in turn (bench/visitors.lua).
    """

    label: str
    visitors: list[Visitor]
    target: float | None


@dataclass
class Result:
    target: Target
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def portal_env(uri: str, secret: str, keys_folder: Path) -> dict[str, str]:
    """Production settings against the local stand-ins (nothing here signs anyone in for real).

    Production refuses to start without a signing key it can open: a throwaway one is made."""
    from portal.documents.keys import generate

    keys = generate(keys_folder, password=secrets.token_urlsafe(16), common_name="Bench signing")
    return os.environ | {
        "FLASK_APP": "wsgi",
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": secret,
        "PORTAL_SQLALCHEMY_DATABASE_URI": uri,
        "PORTAL_RATELIMIT_STORAGE_URI": REDIS_URL,
        "PORTAL_JOBS_QUEUE_URL": REDIS_URL,  # production refuses a SQLite queue; nothing is enqueued here
        "PORTAL_OIDC_LOCAL_PROVIDER": "false",
        "PORTAL_MICROSOFT_METADATA_URL": "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
        "PORTAL_GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration",
        "PORTAL_MICROSOFT_CLIENT_SECRET": "bench-unused",
        "PORTAL_GOOGLE_CLIENT_SECRET": "bench-unused",
        "PORTAL_SIGNING_DEMO": "false",
        "PORTAL_SIGNING_PKCS12_PATH": str(keys.pkcs12_path),
        "PORTAL_SIGNING_PKCS12_PASSWORD": keys.password,
        "PORTAL_SIGNING_TRUST_ROOT_PATH": str(keys.root_path),
        "PORTAL_AUDIT_HASH_KEY": secrets.token_urlsafe(32),
        "PORTAL_UNSUBSCRIBE_KEY": secrets.token_urlsafe(48),
        "PORTAL_BASE_URL": "http://127.0.0.1",
    }


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def build_targets(env: dict[str, str], base: str) -> list[Target]:
    """URLs and session cookies, built with the portal itself (as tests/factories.py does)."""
    for key, value in env.items():
        if key.startswith("PORTAL_"):
            os.environ[key] = value
    from flask import url_for
    from sqlalchemy import select

    from portal import create_app
    from portal.auth.models import User
    from portal.dates import now
    from portal.demo.scale import VENDOR_STAFF_NAME
    from portal.documents.models import Agreement
    from portal.extensions import db
    from portal.tenancy.models import Membership, Role, Tenancy

    app = create_app()
    with app.app_context():
        school = db.session.scalars(select(Tenancy).where(Tenancy.slug == "scale-school-0")).one()
        lead = db.session.scalars(
            select(User).join(Membership).where(Membership.tenancy_id == school.id, Membership.role == Role.DATA_LEAD)
        ).one()
        staff = db.session.scalars(select(User).where(User.display_name == VENDOR_STAFF_NAME)).one()
        agreement_id = db.session.scalars(select(Agreement.id).where(Agreement.tenancy_id == school.id)).one()
        # Many schools' data leads, spread over the data set (a prime step, so every fifth school's
        # own option setting and every hundredth's exclusion turn up in their usual shares).
        slugs = [f"scale-school-{n * MANY_STEP}" for n in range(MANY_SCHOOLS)]
        many = db.session.execute(
            select(Tenancy.slug, User)
            .join(Membership, Membership.tenancy_id == Tenancy.id)
            .join(User, User.id == Membership.user_id)
            .where(Tenancy.slug.in_(slugs), Membership.role == Role.DATA_LEAD)
        ).all()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        name = app.config["SESSION_COOKIE_NAME"]

        def cookie(user: User) -> str:
            from portal.auth.sessions import open_session

            session_id = open_session(user)  # a server-side session row, committed below
            stamp = now().isoformat()
            values = {
                "_user_id": session_id,
                "_fresh": True,
                "_permanent": True,
                "signed_in_at": stamp,
                "last_seen_at": stamp,
            }
            return f"{name}={serializer.dumps(values)}"

        with app.test_request_context(base_url=base):  # a trusted host (TRUSTED_HOSTS), as wrk sends
            paths = {
                "bare": url_for("web.cookies"),
                "register": url_for("register.public_register"),
                "json": url_for("register.public_register_json"),
                "effective": url_for("tenancy_register.effective_set", tenancy=school.slug),
                "queue": url_for("changes_admin.queue"),
                "download": url_for("documents.download", tenancy=school.slug, agreement_id=agreement_id),
            }
            many_visitors = [
                Visitor(base + url_for("tenancy_register.effective_set", tenancy=slug), cookie(user))
                for slug, user in many
            ]
        lead_cookie, staff_cookie = cookie(lead), cookie(staff)
        db.session.commit()

    def one(key: str, cookie: str | None = None) -> list[Visitor]:
        return [Visitor(base + paths[key], cookie)]

    return [
        Target("Bare route: /cookies (no database)", one("bare"), None),
        # Not a target: what being signed in costs every page (the user and memberships, read per request).
        Target("Bare route signed in (one query: user and memberships)", one("bare", lead_cookie), None),
        Target("Public register page", one("register"), 0.5),
        Target("Register JSON", one("json"), 0.5),
        Target("Effective set, signed in (data lead)", one("effective", lead_cookie), 1 / 3),
        # The day a notice goes out: many schools' data leads at once, each with its own page.
        Target(f"Effective set, {len(many_visitors)} schools' data leads in turn", many_visitors, 1 / 3),
        Target("Vendor objection queue (500 open)", one("queue", staff_cookie), 1 / 3),
        Target("DPA download, signed in (audited)", one("download", lead_cookie), 1 / 3),
    ]


def preflight(target: Target) -> None:
    """One request first: a 302 to sign-in would count as a success in wrk, so insist on a 200.

    A browser keeps the session cookie each response sets (the first signed-in page adds the
    CSRF secret its sign-out form needs, and "last seen" moves on once a minute), so the target
    keeps it too: wrk cannot, and without this every measured request would write a new cookie,
    which no real visitor's second request does. measure() calls this before every round.
    """
    for visitor in target.visitors:
        _keep_cookie(target.label, visitor)


def _keep_cookie(label: str, visitor: Visitor) -> None:
    # Loopback http URLs built above, never user input.
    headers = {"Cookie": visitor.cookie} if visitor.cookie else {}
    request = urllib.request.Request(visitor.path, headers=headers)  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            status = response.status
            set_cookies = response.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        status = error.code
        set_cookies = []
    if status != 200:
        raise SystemExit(f"{label}: {visitor.path} answered {status}, not 200; nothing was measured")
    if visitor.cookie:
        name = visitor.cookie.split("=", 1)[0]
        for header in set_cookies:
            pair = header.split(";", 1)[0]
            if pair.startswith(f"{name}="):
                visitor.cookie = pair


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def wrk(target: Target, seconds: int, connections: int) -> str:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    first = target.visitors[0]
    if len(target.visitors) == 1:
        if first.cookie:
            command += ["-H", f"Cookie: {first.cookie}"]
        return subprocess.run([*command, first.path], capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", prefix="portal-bench-visitors-") as listing:
        # One visitor a line: the path (after the host) and the cookie, tab-separated.
        for visitor in target.visitors:
            path = "/" + visitor.path.split("/", 3)[3]
            listing.write(f"{path}\t{visitor.cookie or ''}\n")
        listing.flush()
        command += ["-s", str(ROOT / "bench" / "visitors.lua"), first.path, "--", listing.name]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse(target: Target, output: str) -> Result:
    """Requests/sec, the 50% and 99% latencies, and every error wrk counts (non-2xx/3xx and socket errors)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    found = re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    latency = {pct: _ms(value, unit) for pct, value, unit in found}
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        # Reads of 0 bytes are gunicorn closing a connection it answered (sync workers do not keep alive).
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    return Result(target, rps, latency["50"], latency["99"], requests, errors)


def combine(target: Target, rounds: list[Result]) -> Result:
    """One endpoint's rounds as one result: requests over the time measured, the median p50, the worst p99."""
    seconds = sum(r.requests / r.rps for r in rounds if r.rps)
    requests = sum(r.requests for r in rounds)
    p50s = sorted(r.p50_ms for r in rounds)
    return Result(
        target,
        requests / seconds if seconds else 0.0,
        p50s[len(p50s) // 2],
        max(r.p99_ms for r in rounds),
        requests,
        sum(r.errors for r in rounds),
    )


def measure(targets: list[Target], args: argparse.Namespace) -> list[Result]:
    """Every endpoint in turn, round after round, so each ratio compares the same stretches of time.

    A shared machine speeds up and slows down by tens of per cent over a minute; measuring the bare
    route once at the start and a page a minute later would put that drift into the ratio.
    """
    per_round = max(1, args.duration // args.rounds)
    rounds: dict[str, list[Result]] = {target.label: [] for target in targets}
    for number in range(1, args.rounds + 1):
        for target in targets:
            preflight(target)  # the cookie a browser would hold by now
            rounds[target.label].append(parse(target, wrk(target, per_round, args.connections)))
        print(f"round {number} of {args.rounds} done", flush=True)
    return [combine(target, rounds[target.label]) for target in targets]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB memory, load {load:.1f} at the start"


def server_shape(args: argparse.Namespace) -> str:
    if args.threads > 1:
        return f"{args.workers} gthread workers of {args.threads} threads"
    return f"{args.workers} sync workers"


def report(results: list[Result], args: argparse.Namespace, started_load: str) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    floor = results[0].rps
    lines = [
        "# HTTP load: the portal under gunicorn on PostgreSQL and Redis",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Commit: {commit.stdout.strip() or 'unknown'} (plus any uncommitted changes in the work tree)",
        f"- Machine: {started_load}",
        f"- Server: gunicorn, {server_shape(args)}, production settings, PostgreSQL, Redis rate-limit storage",
        f"- Load: wrk on the same machine, 2 threads, {args.connections} connections, "
        f"{args.duration} s per endpoint in {args.rounds} interleaved rounds after a 2 s warm-up; "
        f"data: `flask demo scale --scale {args.scale}`",
        "",
        "| Endpoint | Requests/s | p50 ms | p99 ms | Requests | Errors | Ratio to bare | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        ratio = result.rps / floor if floor else 0.0
        target = result.target.target
        goal = "" if target is None else f"≥ {target:.2f}"
        met = "" if target is None else ("yes" if ratio >= target and not result.errors else "no")
        lines.append(
            f"| {result.target.label} | {result.rps:.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | "
            f"{result.requests} | {result.errors} | {ratio:.2f} | {goal} | {met} |"
        )
    lines += [
        "",
        f"Load average at the end: {os.getloadavg()[0]:.1f} "
        "(wrk and gunicorn share the machine; other work on it lowers every figure).",
        "Errors count non-2xx/3xx responses and connect, write and timeout socket errors.",
        "",
    ]
    return "\n".join(lines)


def wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - the loopback server just started
                return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    # gunicorn's own advice: (2 x cores) + 1 workers, so one worker's database wait overlaps another's work.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--rounds", type=int, default=5, help="the duration is split into this many interleaved rounds")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread workers when above 1)")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the data set (1.0 is England)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian package `wrk`; `make bench` installs it)")
    started_load = machine()
    name, uri = create_database()
    keys_folder = Path(tempfile.mkdtemp(prefix="portal-bench-keys-"))
    env = portal_env(uri, secrets.token_urlsafe(48), keys_folder)
    server = None
    try:
        flask(env, "db", "upgrade", "--directory", str(ROOT / "migrations"))
        flask(env, "demo", "scale", "--scale", str(args.scale))
        port = free_port()
        gunicorn = [str(VENV_BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}"]
        if args.threads > 1:
            gunicorn += ["--worker-class", "gthread", "--threads", str(args.threads)]
        server = subprocess.Popen(
            [*gunicorn, "--log-level", "warning", "wsgi:app"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/cookies", time.monotonic() + 180)  # five workers importing at once: slow when loaded
        targets = build_targets(env, base)
        for target in targets:
            preflight(target)
            wrk(target, 2, args.connections)
        results = measure(targets, args)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        shutil.rmtree(keys_folder, ignore_errors=True)
        if not args.keep:
            drop_database(name)
    table = report(results, args, started_load)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table)
    print(table)
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
