"""`make run`: migrate, load the demo, then run the local sign-in provider, mail sink, workers, stand-in platform
and portal.

Ctrl-C stops everything it started. Running it again works: migrations and the demo load are idempotent.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from flask_migrate import upgrade
from sqlalchemy import select

from portal import PROJECT_ROOT, create_app
from portal.api.models import ServiceToken, TokenScope
from portal.api.tokens import create_token, revoke_token
from portal.audit.service import Actor
from portal.demo import load
from portal.demo.identity import DEMO_ACCOUNTS, provider_users
from portal.devtools.mailsink import MailSink
from portal.documents.keys import ensure_demo_keys
from portal.extensions import db
from portal.webhooks.endpoints import register_endpoint
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.models import WebhookEndpoint

OIDC_PORT = 5556
SMTP_PORT = 8025
PLATFORM_PORT = 5557
PLATFORM_NAME = "Stand-in platform (make run)"


def ensure_instance_keys(instance: Path) -> Path:
    """This instance's own random SECRET_KEY, UNSUBSCRIBE_KEY and AUDIT_HASH_KEY, made on first run.

    Kept in instance/keys.json (git-ignored, readable by the owner only), which config.load reads:
    no key of a running portal is ever a value from the source. Keys already there are kept, so
    sessions and unsubscribe links survive a restart.
    """
    from portal.config import INSTANCE_KEYS, INSTANCE_KEYS_FILE

    path = instance / INSTANCE_KEYS_FILE
    keys = json.loads(path.read_text()) if path.exists() else {}
    missing = [name for name in INSTANCE_KEYS if not keys.get(name)]
    if missing:
        keys.update({name: secrets.token_urlsafe(48) for name in missing})
        instance.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(keys, indent=2) + "\n")
    path.chmod(0o600)
    return path


def prepare(app_root: Path) -> tuple[list[str], list[dict[str, object]], list[tuple[str, str, str]]]:
    """Migrate, make the demo signing keys, load the demo; returns lines to print, provider users, accounts."""
    app = create_app()
    lines: list[str] = []
    with app.app_context():
        upgrade(directory=str(app_root / "migrations"))
        ensure_demo_keys(app.instance_path)
        lines.extend(load())
        db.session.commit()
        return lines, provider_users(), list(DEMO_ACCOUNTS)


def connect_platform(url: str) -> dict[str, str]:
    """Register the stand-in platform as a webhook endpoint, with a fresh token that may confirm.

    The endpoint (and its secret) is kept from run to run; the token is made anew each run, since
    only its hash is stored, and the last run's is revoked. Both are audited as by "make run".
    """
    actor = Actor.system("make run")
    with create_app().app_context():
        endpoint = db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.url == url))
        if endpoint is None:
            endpoint, _ = register_endpoint(url, PLATFORM_NAME, EVENT_TYPES, actor=actor)
        for old in db.session.scalars(select(ServiceToken).where(ServiceToken.name == PLATFORM_NAME)):
            revoke_token(old.id, actor=actor)
        _, token = create_token(PLATFORM_NAME, [TokenScope.READ, TokenScope.CONFIRM], actor=actor)
        db.session.commit()
        return {"PLATFORM_WEBHOOK_SECRET": endpoint.secret, "PLATFORM_API_TOKEN": str(token)}


def wait_for_port(port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args()
    for port, what in (
        (args.port, "portal"),
        (OIDC_PORT, "sign-in provider"),
        (SMTP_PORT, "mail sink"),
        (PLATFORM_PORT, "stand-in platform"),
    ):
        if not port_free(port):
            print(f"Port {port} (for the {what}) is in use: stop whatever holds it, or set PORT=...", file=sys.stderr)
            return 1

    os.chdir(PROJECT_ROOT)
    # Links in mail (invitations, notices) point at this run's port, the demo's mail included.
    portal_url = f"http://127.0.0.1:{args.port}"
    os.environ["PORTAL_BASE_URL"] = portal_url
    ensure_instance_keys(PROJECT_ROOT / "instance")
    print("Migrating the database and loading the demo data...")
    lines, users, accounts = prepare(PROJECT_ROOT)
    for line in lines:
        print(f"  {line}")
    platform_env = connect_platform(f"http://127.0.0.1:{PLATFORM_PORT}/webhooks")

    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, FLASK_APP="wsgi")
    provider_cmd = [str(bin_dir / "oidc-provider-mock"), "--port", str(OIDC_PORT), "--require-nonce", "true"]
    for claims in users:
        provider_cmd += ["--user-claims", json.dumps(claims)]

    mail_folder = PROJECT_ROOT / "instance" / "mail"
    sink = MailSink(port=SMTP_PORT, folder=mail_folder, echo=True).start()
    children = [
        subprocess.Popen(provider_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "flask", "outbox", "work"], env=env),
        subprocess.Popen([sys.executable, "-m", "flask", "webhooks", "work"], env=env),
        subprocess.Popen(
            [sys.executable, "-m", "portal.devtools.platform", "--port", str(PLATFORM_PORT), "--portal", portal_url],
            env=dict(env, **platform_env),
        ),
        # Background jobs (#26): huey on instance/jobs.sqlite, so nothing else needs installing.
        subprocess.Popen([sys.executable, "-m", "flask", "jobs", "work", "--workers", "2"], env=env),
        subprocess.Popen(
            [sys.executable, "-m", "flask", "run", "--host", "127.0.0.1", "--port", str(args.port), "--no-reload"],
            env=env,
        ),
    ]

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        wait_for_port(OIDC_PORT)
        wait_for_port(args.port)
        print_welcome(args.port, mail_folder, accounts)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A component stopped unexpectedly; stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sink.stop()


def print_welcome(port: int, mail_folder: Path, accounts: list[tuple[str, str, str]]) -> None:
    print()
    print("=" * 72)
    print(f"  The portal is running:         http://127.0.0.1:{port}/")
    print(f"  Public sub-processor register: http://127.0.0.1:{port}/sub-processors")
    print(f"  Local sign-in provider:        http://127.0.0.1:{OIDC_PORT}/ (stands in for Microsoft and Google)")
    print(f"  Local mail sink:               127.0.0.1:{SMTP_PORT}; messages print below and are kept in {mail_folder}")
    print(f"  Stand-in learning platform:    http://127.0.0.1:{PLATFORM_PORT}/ (receives signed webhooks, confirms")
    print("                                 option changes through /api/v1/ a few seconds later)")
    if accounts:
        print()
        print("  Demo accounts: click 'Sign in with Microsoft' or 'Sign in with Google', then type the")
        print("  subject below into the local provider's form:")
        for subject, who, where in accounts:
            print(f"    {subject:<22} {who:<44} {where}")
    print()
    print(f"  Cymraeg: choose 'Cymraeg' at the top of any page (or open http://127.0.0.1:{port}/language/cy),")
    print("  or sign in as 'cwm-derw-lead', whose account and school are in Welsh.")
    print()
    print("  Press Ctrl-C to stop everything.")
    print("=" * 72, flush=True)


if __name__ == "__main__":
    sys.exit(main())
