"""The school agreement portal: an application factory that reads as a list of steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the portal: configuration, extensions, templates, web security, blueprints, errors, CLI."""
    # Imported here, not at the top: this package is imported first by every `portal.x` import,
    # and loading the whole app then would make each module's import load every capability.
    from portal import blueprints, cli, config, errors, ops, policy, templating, transactions
    from portal.auth import sessions
    from portal.jobs import queue as jobs_queue
    from portal.web import security

    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    config.load(app, test_config)
    _trust_proxy(app)
    _init_extensions(app)
    transactions.init_app(app)
    sessions.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    ops.init_app(app)
    jobs_queue.init_app(app)
    blueprints.register(app)
    policy.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    # Here, not at the top, for the reason create_app gives.
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate, oauth
    from portal.web import language

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    oauth.init_app(app)
    # English and Welsh (#29): the catalogue is compiled by `make translations` from translations/.
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    babel.init_app(app, locale_selector=language.choose, default_timezone="Europe/London")


def _trust_proxy(app: Flask) -> None:
    """Behind a load balancer, take the client IP and scheme from its X-Forwarded-* headers."""
    hops = int(app.config["PROXY_HOPS"])
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
