"""Configuration: defaults, instance file, PORTAL_* variables; production refuses unsafe values by name."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from portal import create_app
from portal.config import INSTANCE_KEYS, ConfigError
from portal.documents.keys import generate

SAFE_PRODUCTION: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:5432/test",
    "OIDC_LOCAL_PROVIDER": False,
    "MICROSOFT_METADATA_URL": "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
    "GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration",
    "MICROSOFT_CLIENT_SECRET": "real-secret",
    "GOOGLE_CLIENT_SECRET": "real-secret",
    "SIGNING_DEMO": False,
    "AUDIT_HASH_KEY": secrets.token_urlsafe(32),
    "UNSUBSCRIBE_KEY": secrets.token_urlsafe(48),
    "BASE_URL": "https://agreements.example.com",
    "JOBS_QUEUE_URL": "redis://127.0.0.1:6379/0",
}


@pytest.fixture(scope="module")
def signing(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A signing key and root of the vendor's own (throwaway), as production names them."""
    keys = generate(tmp_path_factory.mktemp("signing"), password="a-real-looking-password")
    return {
        "SIGNING_PKCS12_PATH": str(keys.pkcs12_path),
        "SIGNING_PKCS12_PASSWORD": keys.password,
        "SIGNING_TRUST_ROOT_PATH": str(keys.root_path),
    }


@pytest.fixture
def safe_production(signing: dict[str, Any]) -> dict[str, Any]:
    return {**SAFE_PRODUCTION, **signing}


def test_safe_production_settings_start_with_secure_cookies(safe_production):
    app = create_app(safe_production)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": None}, "PORTAL_SECRET_KEY"),
        ({"SECRET_KEY": "demo-secret-key-not-for-production"}, "PORTAL_SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "PORTAL_SECRET_KEY"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite"}, "PORTAL_SQLALCHEMY_DATABASE_URI"),
        ({"JOBS_QUEUE_URL": "sqlite:///jobs.sqlite"}, "PORTAL_JOBS_QUEUE_URL"),
        ({"OIDC_LOCAL_PROVIDER": True}, "PORTAL_OIDC_LOCAL_PROVIDER"),
        (
            {"MICROSOFT_METADATA_URL": "http://127.0.0.1:5556/.well-known/openid-configuration"},
            "MICROSOFT_METADATA_URL",
        ),
        ({"GOOGLE_CLIENT_SECRET": "local-google-secret"}, "GOOGLE_CLIENT_SECRET"),
        ({"SIGNING_DEMO": True}, "PORTAL_SIGNING_DEMO"),
        ({"AUDIT_HASH_KEY": None}, "PORTAL_AUDIT_HASH_KEY"),
        ({"UNSUBSCRIBE_KEY": None}, "PORTAL_UNSUBSCRIBE_KEY"),
        ({"UNSUBSCRIBE_KEY": "short"}, "PORTAL_UNSUBSCRIBE_KEY"),
        ({"AUDIT_RETENTION_DAYS": 200}, "PORTAL_AUDIT_RETENTION_DAYS"),
        ({"BASE_URL": None}, "PORTAL_BASE_URL"),
        ({"BASE_URL": "agreements.example.com"}, "PORTAL_BASE_URL"),
    ],
)
def test_production_refuses_unsafe_settings_naming_them(safe_production, override, named):
    with pytest.raises(ConfigError, match=named):
        create_app({**safe_production, **override})


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SIGNING_PKCS12_PATH": "/nonexistent/signer.p12"}, "PORTAL_SIGNING_PKCS12_PATH"),
        ({"SIGNING_TRUST_ROOT_PATH": "/nonexistent/root.pem"}, "PORTAL_SIGNING_TRUST_ROOT_PATH"),
        ({"SIGNING_KEY_PATH": __file__}, "PORTAL_SIGNING_CERT_PATH"),
        ({"SIGNING_PKCS12_PASSWORD": "the-wrong-password"}, "PORTAL_SIGNING_PKCS12_PASSWORD"),
    ],
    ids=["no-key-file", "no-root-file", "key-without-certificate", "wrong-password"],
)
def test_production_refuses_a_signing_key_it_cannot_use(safe_production, override, named):
    with pytest.raises(ConfigError, match=named):
        create_app({**safe_production, **override})


def test_production_takes_a_pem_key_and_certificate(safe_production, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    p12 = Path(safe_production["SIGNING_PKCS12_PATH"]).read_bytes()
    key, cert, _ = pkcs12.load_key_and_certificates(p12, safe_production["SIGNING_PKCS12_PASSWORD"].encode())
    assert key is not None and cert is not None
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem = {"SIGNING_KEY_PATH": str(key_path), "SIGNING_CERT_PATH": str(cert_path), "SIGNING_PKCS12_PASSWORD": ""}
    app = create_app({**safe_production, **pem, "SIGNING_PKCS12_PATH": "/nonexistent/unused.p12"})
    assert app.config["SIGNING_KEY_PATH"] == str(key_path)


def test_sqlite_in_production_only_when_explicitly_allowed(safe_production):
    app = create_app({**safe_production, "SQLALCHEMY_DATABASE_URI": "sqlite:///x", "ALLOW_SQLITE_IN_PRODUCTION": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///x"


def test_environment_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("PORTAL_NOTICE_PERIOD_DAYS", "45")
    monkeypatch.setenv("PORTAL_VENDOR_NAME", "Another Vendor")
    app = create_app({"ENV": "test"})
    assert app.config["NOTICE_PERIOD_DAYS"] == 45
    assert app.config["VENDOR_NAME"] == "Another Vendor"


def test_wsgi_module_builds_the_app(monkeypatch):
    import importlib

    monkeypatch.setenv("PORTAL_ENV", "test")  # the keys are the instance's own: none in a fresh checkout
    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "portal"


def development(**override: Any) -> dict[str, Any]:
    """A development configuration with this instance's own random keys (as `make run` leaves them)."""
    return {
        "ENV": "development",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        **{name: secrets.token_urlsafe(48) for name in INSTANCE_KEYS},
        **override,
    }


@pytest.mark.parametrize("name", INSTANCE_KEYS)
@pytest.mark.parametrize(
    "value", [None, "demo-secret-key-not-for-production", "x" * 48], ids=["missing", "published", "not-random"]
)
def test_outside_tests_no_key_is_missing_or_a_value_from_the_source(name, value):
    """The repository's old demo key forged a vendor admin's session: now nothing runs on a public key."""
    with pytest.raises(ConfigError, match=f"PORTAL_{name}"):
        create_app(development(**{name: value}))


def test_make_run_makes_random_keys_once_per_instance(tmp_path):
    from portal.devtools.stack import ensure_instance_keys

    path = ensure_instance_keys(tmp_path)
    keys = json.loads(path.read_text())
    assert set(keys) == set(INSTANCE_KEYS) and len(set(keys.values())) == 3
    assert all(len(value) >= 48 for value in keys.values())
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(ensure_instance_keys(tmp_path).read_text()) == keys  # kept across runs
    app = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://", **keys})
    assert app.secret_key == keys["SECRET_KEY"]


def test_production_cookie_is_host_prefixed(safe_production):
    app = create_app({**safe_production, "SQLALCHEMY_DATABASE_URI": "sqlite:///x", "ALLOW_SQLITE_IN_PRODUCTION": True})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-portal_session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("base", "secure"), [("https://localhost", True), ("http://localhost", False)])
def test_session_cookie_is_secure_whenever_the_request_came_over_https(base, secure):
    app = create_app(development(BASE_URL="http://localhost:5000"))
    response = app.test_client().get("/subscribe", base_url=base)
    cookie = response.headers["Set-Cookie"]
    assert ("Secure" in cookie) is secure, cookie
