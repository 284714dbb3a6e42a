"""Configuration: defaults, instance file, PORTAL_* variables; production refuses unsafe values by name."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError

SAFE_PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "s" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:5432/test",
    "OIDC_LOCAL_PROVIDER": False,
    "MICROSOFT_METADATA_URL": "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
    "GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration",
    "MICROSOFT_CLIENT_SECRET": "real-secret",
    "GOOGLE_CLIENT_SECRET": "real-secret",
    "SIGNING_DEMO": False,
    "AUDIT_HASH_KEY": "k" * 32,
}


def test_safe_production_settings_start_with_secure_cookies():
    app = create_app(SAFE_PRODUCTION)
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
        ({"OIDC_LOCAL_PROVIDER": True}, "PORTAL_OIDC_LOCAL_PROVIDER"),
        (
            {"MICROSOFT_METADATA_URL": "http://127.0.0.1:5556/.well-known/openid-configuration"},
            "MICROSOFT_METADATA_URL",
        ),
        ({"GOOGLE_CLIENT_SECRET": "local-google-secret"}, "GOOGLE_CLIENT_SECRET"),
        ({"SIGNING_DEMO": True}, "PORTAL_SIGNING_DEMO"),
        ({"AUDIT_HASH_KEY": None}, "PORTAL_AUDIT_HASH_KEY"),
        ({"AUDIT_RETENTION_DAYS": 200}, "PORTAL_AUDIT_RETENTION_DAYS"),
    ],
)
def test_production_refuses_unsafe_settings_naming_them(override, named):
    with pytest.raises(ConfigError, match=named):
        create_app({**SAFE_PRODUCTION, **override})


def test_sqlite_in_production_only_when_explicitly_allowed():
    app = create_app({**SAFE_PRODUCTION, "SQLALCHEMY_DATABASE_URI": "sqlite:///x", "ALLOW_SQLITE_IN_PRODUCTION": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///x"


def test_environment_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("PORTAL_NOTICE_PERIOD_DAYS", "45")
    monkeypatch.setenv("PORTAL_VENDOR_NAME", "Another Vendor")
    app = create_app({"ENV": "test"})
    assert app.config["NOTICE_PERIOD_DAYS"] == 45
    assert app.config["VENDOR_NAME"] == "Another Vendor"


def test_wsgi_module_builds_the_app(monkeypatch):
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "portal"
