"""The production run: `gunicorn wsgi:app` with PORTAL_ENV=production on PostgreSQL and Redis.

It serves with every security header and Secure session cookies, and it refuses to start on an
unsafe setting, naming it. Configuration comes only from PORTAL_* variables, as README says.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests
from bs4 import BeautifulSoup

from portal.devtools.mailsink import free_port
from portal.documents.keys import generate
from tests.conftest import DATABASES, ROOT, _create_postgres

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif("postgresql" not in DATABASES, reason="production runs on PostgreSQL"),
]

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
FLASK = str(ROOT / ".venv" / "bin" / "flask")


def production_environment(database_uri: str, keys: Path, key_prefix: str) -> dict[str, str]:
    """The environment README's production section lists, with throwaway values (no PORTAL_* inherited)."""
    demo = generate(keys, password="a-real-looking-password")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env.update(
        PORTAL_ENV="production",
        PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_SQLALCHEMY_DATABASE_URI=database_uri,
        PORTAL_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        PORTAL_RATELIMIT_KEY_PREFIX=key_prefix,
        PORTAL_JOBS_QUEUE_URL="redis://127.0.0.1:6379/0",
        PORTAL_AUDIT_HASH_KEY=secrets.token_urlsafe(32),
        PORTAL_UNSUBSCRIBE_KEY=secrets.token_urlsafe(48),
        PORTAL_BASE_URL="https://agreements.example.com",
        # The portal answers its own host; the test (like a load balancer's health check) calls by address.
        PORTAL_TRUSTED_HOSTS='["agreements.example.com", "127.0.0.1"]',
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_SMTP_PORT="1",
        PORTAL_OIDC_LOCAL_PROVIDER="false",
        PORTAL_MICROSOFT_CLIENT_ID="00000000-0000-0000-0000-000000000001",
        PORTAL_MICROSOFT_CLIENT_SECRET="entra-client-secret",
        PORTAL_MICROSOFT_METADATA_URL=(
            "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
        ),
        PORTAL_GOOGLE_CLIENT_ID="portal.apps.googleusercontent.com",
        PORTAL_GOOGLE_CLIENT_SECRET="google-client-secret",
        PORTAL_GOOGLE_METADATA_URL="https://accounts.google.com/.well-known/openid-configuration",
        PORTAL_SIGNING_DEMO="false",
        PORTAL_SIGNING_PKCS12_PATH=str(demo.pkcs12_path),
        PORTAL_SIGNING_PKCS12_PASSWORD=demo.password,
        PORTAL_SIGNING_TRUST_ROOT_PATH=str(demo.root_path),
    )
    return env


class Gunicorn:
    """`gunicorn wsgi:app` on a free loopback port, as README's production section runs it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stderr: str | None = None
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait for the first answer: a worker must boot (import the app) first, slow on a busy machine."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited {self.process.returncode}: {self.stop()}")
            try:
                requests.get(self.url + "/healthz", timeout=30)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer: {self.stop()}")

    def __enter__(self) -> Gunicorn:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> str:
        """Stop gunicorn (SIGTERM, a graceful shutdown) and return what it wrote to stderr."""
        if self.stderr is None:
            if self.process.poll() is None:
                self.process.terminate()
            _, self.stderr = self.process.communicate(timeout=30)
        return self.stderr


@pytest.fixture
def environment(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The production environment, on a database that does not exist yet; Redis keys removed afterwards."""
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield production_environment(
        f"postgresql+psycopg://127.0.0.1:5432/not-created-{prefix}", tmp_path / "signing", prefix
    )
    store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in store.scan_iter(match=f"*{prefix}*"):
        store.delete(key)


@pytest.fixture
def production(environment: dict[str, str]) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL database migrated with README's `flask db upgrade`, and the environment pointing at it."""
    uri, drop = _create_postgres("production")
    env = {**environment, "PORTAL_SQLALCHEMY_DATABASE_URI": uri}
    try:
        migrated = subprocess.run(
            [FLASK, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert migrated.returncode == 0, migrated.stderr
        yield env
    finally:
        drop()


def assert_security_headers(response: requests.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.url}"
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains", where
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp, where
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-" in script_src and "'unsafe-eval'" not in script_src, where
    assert "'unsafe-inline'" not in csp, where  # neither scripts nor styles
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", where
    assert headers["X-Frame-Options"] == "DENY", where


def subscribe_repeatedly(url: str, address: str, times: int) -> list[int]:
    """Send the subscribe form for one address `times` times (its limit is 3 an hour); the statuses."""
    with requests.Session() as http:
        page = http.get(url + "/subscribe", timeout=30)
        token = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]
        # The cookie is Secure, so requests keeps it for HTTPS only: send it by hand over loopback HTTP.
        cookies = {"__Host-portal_session": page.cookies["__Host-portal_session"]}
        return [
            http.post(
                url + "/subscribe",
                data={"email": address, "csrf_token": token},
                cookies=cookies,
                allow_redirects=False,
                timeout=30,
            ).status_code
            for _ in range(times)
        ]


def assert_json_request_log(stderr: str, database_uri: str) -> None:
    """Production logs one JSON line per request; each audit row's request id is one of them; no address."""
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests_logged = {line["request_id"]: line for line in lines if line.get("logger") == "portal.request"}
    assert {(line["method"], line["route"], line["status"]) for line in requests_logged.values()} >= {
        ("GET", "/healthz", 200),
        ("POST", "/subscribe", 302),
        ("POST", "/subscribe", 429),
    }
    with psycopg.connect(database_uri.replace("+psycopg", "")) as conn:
        audited = [row[0] for row in conn.execute("SELECT request_id FROM audit_event WHERE request_id IS NOT NULL")]
    assert audited and set(audited) <= set(requests_logged), "every audited request has its log line"
    assert "@example.org" not in stderr  # the subscribed addresses never reach the log


def test_production_run_on_postgresql_and_redis(production: dict[str, str]) -> None:
    """One gunicorn (one test, so parallel runs start it once): headers, cookies, limits in Redis, Redis down."""
    with Gunicorn(production) as server:
        for method, path, status in [
            ("GET", "/", 200),
            ("GET", "/healthz", 200),
            ("GET", "/sub-processors", 200),
            ("GET", "/no-such-page", 404),
            ("DELETE", "/", 405),
        ]:
            response = requests.request(method, server.url + path, timeout=30, allow_redirects=False)
            assert response.status_code == status, (method, path, response.text[:500])
            assert_security_headers(response)
            assert "Traceback" not in response.text
        assert requests.get(server.url + "/healthz", timeout=30).json() == {"status": "ok", "database": "ok"}

        # A page with a form keeps its CSRF secret in the session: the cookie carries every flag.
        cookie = requests.get(server.url + "/subscribe", timeout=30).headers["Set-Cookie"]
        assert cookie.startswith("__Host-portal_session=")
        assert {"secure", "httponly", "samesite=lax"} <= {part.strip().lower() for part in cookie.split(";")}, cookie

        # Two gunicorn workers share one count in Redis: the limit holds whichever worker answers.
        statuses = subscribe_repeatedly(server.url, f"limit-{uuid.uuid4().hex[:8]}@example.org", 4)
        assert statuses == [302, 302, 302, 429], statuses
        store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        assert any(store.scan_iter(match=f"*{production['PORTAL_RATELIMIT_KEY_PREFIX']}*"))
    assert_json_request_log(server.stop(), production["PORTAL_SQLALCHEMY_DATABASE_URI"])

    # Nothing listens where Redis should be: sign-ups still work (fail open) and the log says why.
    closed = free_port()
    with Gunicorn({**production, "PORTAL_RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed}/0"}) as down:
        statuses = subscribe_repeatedly(down.url, f"open-{uuid.uuid4().hex[:8]}@example.org", 4)
    stderr = down.stop()
    assert statuses == [302, 302, 302, 302], statuses  # the fourth is not refused
    outages = [line for line in stderr.splitlines() if "rate limit storage unreachable" in line]
    assert len(outages) == 4 and f"127.0.0.1:{closed}" in outages[0], stderr[-3000:]


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"PORTAL_SECRET_KEY": "demo-secret-key-not-for-production"}, "PORTAL_SECRET_KEY"),
        ({"PORTAL_SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/portal.sqlite"}, "PORTAL_SQLALCHEMY_DATABASE_URI"),
        ({"PORTAL_OIDC_LOCAL_PROVIDER": "true"}, "PORTAL_OIDC_LOCAL_PROVIDER"),
    ],
    ids=["demo-secret-key", "sqlite", "local-sign-in-provider"],
)
def test_refuses_to_start_on_unsafe_configuration(environment: dict[str, str], override: Any, named: str) -> None:
    refused = Gunicorn({**environment, **override})
    try:
        returncode = refused.process.wait(timeout=180)
    finally:
        stderr = refused.stop()
    assert returncode != 0
    assert "ConfigError" in stderr and named in stderr, stderr[-2000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(refused.url + "/healthz", timeout=2)
