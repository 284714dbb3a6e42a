"""Bearer-token authentication for /api/v1/: the policy's "api" rules call `enforce_token`."""

from __future__ import annotations

import datetime as dt

from flask import Response, g, request
from flask_babel import gettext as _

from portal.api.models import ServiceToken, TokenScope
from portal.api.problems import problem_response
from portal.api.tokens import find_active
from portal.audit.models import Outcome
from portal.audit.service import Actor, record
from portal.dates import now
from portal.extensions import db
from portal.policy import Permission, Rule

SCOPE_FOR = {Permission.API_READ: TokenScope.READ, Permission.API_CONFIRM: TokenScope.CONFIRM}


def enforce_token(rule: Rule) -> Response | None:
    """Let the request through with a live token holding the rule's scope; else a 401 or 403 problem."""
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    token = find_active(secret.strip()) if scheme.lower() == "bearer" and secret.strip() else None
    if token is None:
        _refuse("no valid service token")
        return problem_response(401, _("Unauthorized"), _("Send a valid service token: Authorization: Bearer <token>."))
    assert rule.permission is not None
    needed = SCOPE_FOR[rule.permission]
    if needed not in token.scope_set:
        _refuse(f"token {token.id} lacks scope {needed.value}")
        return problem_response(
            403,
            _("Forbidden"),
            _(
                "This token does not have the “%(value)s” scope.",
                value=needed.value,
            ),
        )
    _note_use(token)
    g.api_token = token
    return None


def token_actor() -> Actor:
    """The actor for audit rows written by an API request: the token, by name."""
    token: ServiceToken = g.api_token
    return Actor(user_id=None, label=f"service token “{token.name}” (#{token.id})")


def _note_use(token: ServiceToken) -> None:
    """Record the last use, at most once a minute, in its own short write (most calls are reads)."""
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = moment
        db.session.commit()


def _refuse(reason: str) -> None:
    db.session.rollback()
    record(
        "access.denied",
        actor=Actor.system("api"),
        outcome=Outcome.DENIED,
        object_type="route",
        object_id=request.path[:80],
        reason=reason,
    )
    db.session.commit()
