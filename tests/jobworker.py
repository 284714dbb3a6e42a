"""A real `flask jobs work` process on a test database and queue file, configured by PORTAL_* only."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
from pathlib import Path
from typing import Any

from portal.config import INSTANCE_KEYS
from tests.conftest import ROOT


def start_job_worker(uri: str, queue_url: str, log: Path, **settings: Any) -> subprocess.Popen[bytes]:
    """Start a worker; its output goes to `log` (a pipe nobody reads would fill and stop it)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env.update(
        PORTAL_SQLALCHEMY_DATABASE_URI=uri,
        PORTAL_JOBS_QUEUE_URL=queue_url,
        PORTAL_SMTP_PORT="1",
        **{f"PORTAL_{name}": str(value) for name, value in settings.items() if value is not None},
        # Outside tests the portal runs only on keys of its own (#18), as `make run` makes them.
        **{f"PORTAL_{name}": secrets.token_urlsafe(48) for name in INSTANCE_KEYS},
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "jobs", "work", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def kill(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no handler runs, nothing is finished or cleaned up."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def stop(worker: subprocess.Popen[bytes]) -> None:
    """SIGINT, huey's graceful stop: the running task finishes first."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill(worker)
