"""Writing audit rows: services pass the actor and what changed; the request supplies where from."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context, request

from portal.audit.models import AuditEvent, Outcome
from portal.audit.signals import recorded
from portal.extensions import db
from portal.web.security import request_id


@dataclass(frozen=True)
class Actor:
    """Who acted: a user (id and label) or the system; never a secret."""

    user_id: int | None
    label: str

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user_id=None, label=label)

    @classmethod
    def of(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user_id=None, label="anonymous")
        return cls(user_id=user.id, label=user.display_name)


def record(
    action: str,
    *,
    actor: Actor,
    outcome: Outcome = Outcome.SUCCESS,
    tenancy_id: int | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row to the current transaction (the caller commits)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.user_id,
        actor_label=actor.label[:200],
        outcome=outcome,
        tenancy_id=tenancy_id,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:80],
        reason=reason[:500] if reason else None,
        details=details,
        **_request_context(),
    )
    db.session.add(event)
    db.session.flush()
    recorded.send(None, event=event)
    return event


def keyed_hash(value: str) -> str:
    """A keyed hash of a personal value (an email address) so the audit can match it without holding it."""
    key = current_app.config.get("AUDIT_HASH_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(str(key).encode(), value.strip().lower().encode(), hashlib.sha256).hexdigest()


def _request_context() -> dict[str, str | None]:
    if not has_request_context():
        return {"ip": None, "user_agent": None, "request_id": None}
    return {
        "ip": (request.remote_addr or "")[:64] or None,
        "user_agent": (request.user_agent.string or "")[:400] or None,
        "request_id": request_id(),
    }
