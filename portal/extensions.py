"""Flask extensions, created unbound and initialised in create_app."""

import logging

import flask
from authlib.integrations.flask_client import OAuth
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
oauth = OAuth()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


class _RateLimitOutage(logging.Handler):
    """Say in the portal's log when the rate-limit store (Redis) cannot be reached.

    With RATELIMIT_SWALLOW_ERRORS the limiter then lets the request through (it fails open), and
    reports it only to its own "flask-limiter" logger, which has a NullHandler and nothing else:
    under gunicorn the outage would go unrecorded. One line per request, in the app's log.
    """

    def emit(self, record: logging.LogRecord) -> None:
        if not flask.has_request_context() or flask.g.get("rate_limit_outage_logged"):
            return
        flask.g.rate_limit_outage_logged = True
        cause = record.exc_info[1] if record.exc_info else record.getMessage()
        flask.current_app.logger.error(
            "rate limit storage unreachable, request let through without a limit (%s %s): %s",
            flask.request.method,
            flask.request.path,
            cause,
        )


limiter.logger.addHandler(_RateLimitOutage(logging.ERROR))
