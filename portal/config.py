"""Configuration: defaults here, then instance/config.py, then PORTAL_* environment variables."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from portal.documents.keys import signer_from_config, trust_root

LOCAL_OIDC_HINT = "127.0.0.1"
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# The keys every deployment, `make run` included, must hold as its own random values.
INSTANCE_KEYS = ("SECRET_KEY", "UNSUBSCRIBE_KEY", "AUDIT_HASH_KEY")
# `make run` writes random keys here on first run (instance/ is git-ignored); see devtools/stack.py.
INSTANCE_KEYS_FILE = "keys.json"
# SHA-256 of key values that were once public in this repository (the old demo SECRET_KEY):
# refused everywhere but in tests, so nobody can forge a session with a value from the source.
PUBLISHED_KEY_DIGESTS = frozenset({"c20313feba405547de9f7bd683c4a57fe32d68a54ceb75e8fac5955387e31f6b"})


class ConfigError(RuntimeError):
    """A production setting is missing or unsafe; the message names it."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Every setting the portal reads, with a safe development default."""
    instance = Path(instance_path)
    return {
        # "development", "test" or "production"; production enforces safe settings.
        "ENV": "development",
        # SECRET_KEY, UNSUBSCRIBE_KEY and AUDIT_HASH_KEY have no default: `make run` makes random
        # ones in instance/keys.json; production sets PORTAL_*; the test suite brings its own.
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'portal.sqlite'}",
        # No ping on every checkout: portal/db.py pings a connection only after it was idle a while.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
        "ALLOW_SQLITE_IN_PRODUCTION": False,
        # The one public address of the portal (scheme, host, port): every absolute URL (JSON, Atom,
        # mail, the sign-in redirect URI) is built from it, never from the request's Host header.
        # Required in production; in development it defaults to http://127.0.0.1:5000.
        "BASE_URL": None,
        # Hosts the portal answers for (Flask's TRUSTED_HOSTS); unset, the BASE_URL's host only
        # (outside tests). Add a load balancer's health-check host here if it probes by address.
        "TRUSTED_HOSTS": None,
        # How many proxies (load balancer, TLS terminator) sit in front: their X-Forwarded-* are trusted.
        "PROXY_HOPS": 0,
        # The vendor this deployment serves (fictional demo vendor by default).
        "VENDOR_NAME": "Larkspur Learning",
        "VENDOR_LEGAL_ENTITY": "Larkspur Learning Ltd",
        "VENDOR_COMPANY_NUMBER": "16012345",
        "VENDOR_REGISTERED_ADDRESS": "4 Mill Yard, Leeds LS1 4AB",
        "VENDOR_ICO_REGISTRATION": "ZB123456",
        "VENDOR_DPO_NAME": "Priya Raman",
        "VENDOR_DPO_EMAIL": "dpo@larkspur.example",
        "VENDOR_PRIVACY_EMAIL": "privacy@larkspur.example",
        "VENDOR_SECURITY_EMAIL": "security@larkspur.example",
        # Where the vendor itself processes the schools' data (ISO 3166 code): the records of processing say so.
        "VENDOR_DATA_COUNTRY": "GB",
        "NOTICE_PERIOD_DAYS": 30,
        # Working days the vendor gives itself to decide an objection; shown as the deadline in its queue.
        "OBJECTION_DECISION_WORKING_DAYS": 10,
        "EXIT_RESPONSE_DAYS": 30,
        # Days to deliver a school's export once it asks (stated in the DPA, kept on each text version).
        "EXPORT_DAYS": 30,
        # Days to delete a school's data everywhere once it chooses deletion or return (stated in the DPA).
        "DELETION_DAYS": 30,
        # Sessions
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=12),
        # Write the cookie only when the session changes ("last seen" moves once a minute): the
        # idle and absolute timeouts are enforced from the session's own stamps, so re-signing
        # and re-sending it on every response would only cost time.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_IDLE_MINUTES": 60,
        "SESSION_ABSOLUTE_HOURS": 12,
        "RECENT_SIGN_IN_MINUTES": 10,
        # Web
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "MAX_FORM_PARTS": 200,
        "HSTS_SECONDS": 63072000,
        # A DPA can take a long while to read: the CSRF token lasts a working day.
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "WTF_CSRF_SSL_STRICT": True,
        # Rate limits (Redis in production, memory in development and tests)
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        # Mail
        "MAIL_FROM": "Larkspur Learning <no-reply@larkspur.example>",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 8025,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_STARTTLS": False,
        "SMTP_TIMEOUT": 10,
        "OUTBOX_BATCH_SIZE": 200,
        "OUTBOX_MAX_ATTEMPTS": 8,
        # Sent-marks are committed after this many accepted messages (and at the end of every batch):
        # a worker killed outright re-sends at most these, once its claim lapses; an SMTP outage
        # re-sends nothing. 1 (a commit per message) ran at a quarter of the rate (bench/notify_fanout.py).
        "OUTBOX_SENT_FLUSH": 20,
        # Outgoing webhooks (#27): seconds to wait for an endpoint, attempts before a message fails.
        "WEBHOOK_TIMEOUT": 10,
        "WEBHOOK_MAX_ATTEMPTS": 10,
        "WEBHOOK_BATCH_SIZE": 10,
        # Sign-in providers: the local OpenID Connect provider stands in for both in development.
        "OIDC_LOCAL_PROVIDER": True,
        "MICROSOFT_CLIENT_ID": "portal-microsoft",
        "MICROSOFT_CLIENT_SECRET": "local-microsoft-secret",
        "MICROSOFT_METADATA_URL": "http://127.0.0.1:5556/.well-known/openid-configuration",
        "MICROSOFT_ISSUER_TEMPLATE": "https://login.microsoftonline.com/{tenantid}/v2.0",
        "GOOGLE_CLIENT_ID": "portal-google",
        "GOOGLE_CLIENT_SECRET": "local-google-secret",
        "GOOGLE_METADATA_URL": "http://127.0.0.1:5556/.well-known/openid-configuration",
        "GOOGLE_ISSUERS": ["https://accounts.google.com", "accounts.google.com"],
        "VENDOR_ENTRA_TENANT_ID": "7f3e9a52-1c4b-4d8e-9f20-5a6b7c8d9e01",
        # Documents
        # Background jobs (#26): where huey keeps the queue of job ids. A SQLite file needs no
        # service (`make run`); production uses Redis (redis://...) so workers on every machine share it.
        "JOBS_QUEUE_URL": f"sqlite:///{instance / 'jobs.sqlite'}",
        # A worker holds a job this long after each item; a killed worker's job is taken over after it.
        "JOBS_LEASE_SECONDS": 60,
        "SIGNING_PKCS12_PATH": str(instance / "signing" / "signer.p12"),
        "SIGNING_PKCS12_PASSWORD": "demo-signing-password",
        "SIGNING_KEY_PATH": None,
        "SIGNING_CERT_PATH": None,
        "SIGNING_CHAIN_PATH": None,
        "SIGNING_TRUST_ROOT_PATH": str(instance / "signing" / "root.pem"),
        "SIGNING_DEMO": True,
        "TIMESTAMP_URL": None,
        # The root (PEM) the timestamp authority's tokens chain to, so /verify can check them.
        "TIMESTAMP_TRUST_ROOT_PATH": None,
        # Trust hub (#24): diligence uploads and /.well-known/security.txt (RFC 9116). The file's
        # Canonical and Policy use BASE_URL when set, else the address the request came to.
        "TRUSTHUB_MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        "SECURITY_TXT_LANGUAGES": "en",
        "SECURITY_TXT_EXPIRES_DAYS": 180,
        # Audit
        "AUDIT_RETENTION_DAYS": 396,
        "AUDIT_HASH_KEY": None,
        # Keys subscribers' unsubscribe links (an HMAC of the address; the database keeps only its
        # hash). Separate from SECRET_KEY so rotating that one leaves every link working. Never rotate.
        "UNSUBSCRIBE_KEY": None,
        # Backups (`flask backup`): archives are encrypted to these age public keys; restoring needs the
        # matching secret key file, which production keeps away from the server that makes backups.
        "BACKUP_DIR": str(instance / "backups"),
        "BACKUP_KEEP_DAYS": 30,
        "BACKUP_AGE_RECIPIENTS": [],
        "BACKUP_AGE_IDENTITY_FILE": None,
        # Operations: "json" or "plain" (default: json in production, plain elsewhere).
        "LOG_FORMAT": None,
        "LOG_LEVEL": "INFO",
        # /metrics answers only to `Authorization: Bearer <METRICS_TOKEN>`; unset, it does not exist (404).
        "METRICS_TOKEN": None,
        # Error reports to Sentry, off unless a DSN is set; personal data is scrubbed before sending.
        "SENTRY_DSN": None,
        "SENTRY_ENVIRONMENT": None,
        "SENTRY_TRACES_SAMPLE_RATE": 0.0,
    }


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply defaults, instance keys, instance/config.py, PORTAL_* variables and test overrides, in that order."""
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_file(INSTANCE_KEYS_FILE, load=json.load, silent=True)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.from_mapping(test_config)
    _settle_base_url(app.config)
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True
        # A __Host- cookie is Secure, host-only and for the whole path: no subdomain can set or shadow it.
        if not app.config["SESSION_COOKIE_NAME"].startswith("__Host-"):
            app.config["SESSION_COOKIE_NAME"] = "__Host-" + app.config["SESSION_COOKIE_NAME"]
        check_production(app.config)
    if app.config["ENV"] != "test":
        check_keys(app.config)


def _settle_base_url(config: dict[str, Any]) -> None:
    """BASE_URL (SERVER_NAME_FOR_MAIL is its old name), checked, and the hosts the portal answers for."""
    base = config.get("BASE_URL") or config.get("SERVER_NAME_FOR_MAIL")
    if not base:
        if config["ENV"] == "production":
            raise ConfigError(
                "PORTAL_BASE_URL must be set to the portal's public address, e.g. https://agreements.example"
            )
        base = DEVELOPMENT_BASE_URL
    parts = urlsplit(str(base))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"PORTAL_BASE_URL must be an http(s) address with a host, not {base!r}")
    config["BASE_URL"] = str(base).rstrip("/")
    if config.get("TRUSTED_HOSTS") is None and config["ENV"] != "test":
        config["TRUSTED_HOSTS"] = [parts.hostname]


def check_keys(config: dict[str, Any]) -> None:
    """Outside tests, each key is this instance's own random value, never one from the source."""
    for name in INSTANCE_KEYS:
        value = str(config.get(name) or "")
        if len(value) < 32 or len(set(value)) < 12:
            raise ConfigError(
                f"PORTAL_{name} must be set to a random value of at least 32 characters "
                "(`make run` makes one in instance/keys.json)"
            )
        if hashlib.sha256(value.encode()).hexdigest() in PUBLISHED_KEY_DIGESTS:
            raise ConfigError(f"PORTAL_{name} is a value published in the portal's source: make a random one")


def check_production(config: dict[str, Any]) -> None:
    """Refuse to run in production on a development value; name the setting."""
    check_keys(config)
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if uri.startswith("sqlite") and not config.get("ALLOW_SQLITE_IN_PRODUCTION"):
        raise ConfigError(
            "PORTAL_SQLALCHEMY_DATABASE_URI points at SQLite: use PostgreSQL, "
            "or set PORTAL_ALLOW_SQLITE_IN_PRODUCTION=true deliberately"
        )
    if str(config.get("JOBS_QUEUE_URL", "")).startswith("sqlite") and not config.get("ALLOW_SQLITE_IN_PRODUCTION"):
        raise ConfigError("PORTAL_JOBS_QUEUE_URL points at SQLite: use Redis (redis://...) so every worker shares it")
    if config.get("OIDC_LOCAL_PROVIDER"):
        raise ConfigError("PORTAL_OIDC_LOCAL_PROVIDER is on: production signs in with Microsoft and Google")
    for key in ("MICROSOFT_METADATA_URL", "GOOGLE_METADATA_URL"):
        if LOCAL_OIDC_HINT in str(config.get(key)) or "localhost" in str(config.get(key)):
            raise ConfigError(f"PORTAL_{key} points at the local sign-in provider")
    for key in ("MICROSOFT_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET"):
        if str(config.get(key, "")).startswith("local-"):
            raise ConfigError(f"PORTAL_{key} is the local demo secret")
    if config.get("SIGNING_DEMO"):
        raise ConfigError("PORTAL_SIGNING_DEMO is on: production signs with the vendor's own certificate")
    _check_signing(config)
    if int(config.get("AUDIT_RETENTION_DAYS", 0)) < 366:
        raise ConfigError("PORTAL_AUDIT_RETENTION_DAYS must keep at least 12 months")


def _check_signing(config: dict[str, Any]) -> None:
    """The signing key and the root agreements are checked against: there, and the key opens.

    Otherwise the first school to sign would find out, with a failed signature, not the deploy.
    """
    if config.get("SIGNING_KEY_PATH") or config.get("SIGNING_CERT_PATH"):
        needed = ["SIGNING_KEY_PATH", "SIGNING_CERT_PATH"]
    else:
        needed = ["SIGNING_PKCS12_PATH"]
    needed += [name for name in ("SIGNING_CHAIN_PATH",) if config.get(name)] + ["SIGNING_TRUST_ROOT_PATH"]
    for name in needed:
        path = config.get(name)
        if not path or not Path(path).is_file():
            raise ConfigError(f"PORTAL_{name} must name a readable file (it is {path!r})")
    try:
        signer_from_config(config)
        trust_root(config)
    except Exception as error:  # pyHanko and asn1crypto raise several kinds; each means the same here
        raise ConfigError(
            f"the signing key or root could not be loaded ({type(error).__name__}): "
            "check PORTAL_SIGNING_* and PORTAL_SIGNING_PKCS12_PASSWORD"
        ) from error
