"""Service tokens: create (shown once), find by the presented secret, revoke. Audited."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.api.models import ServiceToken, TokenScope
from portal.audit.service import Actor, record
from portal.dates import now
from portal.extensions import db

# Marks a string as one of ours (secret scanners can match it), then 256 bits of randomness.
TOKEN_PREFIX = "ssp_"  # noqa: S105 (a marker, not a secret)
_KEY = re.compile(r"^[A-Za-z0-9_-]{32}$")


class TokenError(ValueError):
    """A token cannot be created or revoked as asked; the message says why."""


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_submission_key() -> str:
    """A one-time key for the create form."""
    return secrets.token_urlsafe(24)


def create_token(
    name: str, scopes: Iterable[TokenScope], *, actor: Actor, submission_key: str | None = None
) -> tuple[ServiceToken, str | None]:
    """A new token and its secret: the caller shows the secret once; only its hash is stored.

    With a `submission_key` a second submission of the same form returns the token the first made
    and no secret (it was shown once, to the first response): a double click makes one token.
    """
    if submission_key is not None and not _KEY.fullmatch(submission_key):
        raise TokenError(_("This form could not be used: nothing was saved. Try again"))
    if submission_key is not None and (earlier := _made_with(submission_key)) is not None:
        return earlier, None
    name, chosen = name.strip(), sorted({TokenScope(s) for s in scopes})
    if not name:
        raise TokenError(_("Enter a name for the token"))
    if not chosen:
        raise TokenError(_("Select what the token may do"))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ServiceToken(
        name=name[:100],
        token_hash=hash_token(secret),
        prefix=secret[:12],
        scopes=" ".join(s.value for s in chosen),
        submission_key=submission_key,
        created_by_id=actor.user_id,
        created_at=now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(token)
    except IntegrityError:
        # A concurrent press with the same key stored first: the unique key decides, not a check.
        if submission_key is None or (earlier := _made_with(submission_key)) is None:
            raise
        return earlier, None
    record(
        "api.token_created",
        actor=actor,
        object_type="service_token",
        object_id=token.id,
        reason=f"Service token “{token.name}” created",
        details={"name": token.name, "scopes": token.scopes, "prefix": token.prefix},
    )
    return token, secret


def _made_with(key: str) -> ServiceToken | None:
    found: ServiceToken | None = db.session.scalar(select(ServiceToken).where(ServiceToken.submission_key == key))
    return found


def revoke_token(token_id: int, *, actor: Actor) -> ServiceToken:
    """Revoke a token: it stops working at its next request."""
    token = db.session.get(ServiceToken, token_id)
    if token is None:
        raise TokenError(_("That token does not exist"))
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by_id = now(), actor.user_id
    db.session.flush()
    record(
        "api.token_revoked",
        actor=actor,
        object_type="service_token",
        object_id=token.id,
        reason=f"Service token “{token.name}” revoked",
        details={"name": token.name, "prefix": token.prefix},
    )
    return token


def find_active(secret: str) -> ServiceToken | None:
    """The unrevoked token with this secret, if any (looked up by hash, compared in constant time)."""
    digest = hash_token(secret)
    token: ServiceToken | None = db.session.scalar(select(ServiceToken).where(ServiceToken.token_hash == digest))
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def all_tokens() -> list[ServiceToken]:
    return list(
        db.session.scalars(select(ServiceToken).order_by(ServiceToken.revoked_at.is_not(None), ServiceToken.id.desc()))
    )
