"""Sessions: a fresh one at every sign-in, kept on the server so sign-out ends it, a version that
revokes every cookie of a user at once, idle and absolute timeouts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, has_request_context, jsonify, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature
from sqlalchemy import Select, and_, bindparam, delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.auth.models import User, UserSession
from portal.dates import now
from portal.extensions import db, login_manager
from portal.tenancy.models import Membership, Role, Tenancy


class PortalSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, Secure whenever the request itself came over HTTPS (always in production).

    A browser sends the same cookie request after request (it changes at most once a minute), and
    checking its signature and decoding it cost every signed-in request a new serializer, an HMAC and
    a JSON parse. So a cookie whose signature has been checked once is remembered, with its signing
    time, by its exact value and the keys that checked it; its age is still checked on every request.
    Nothing that revokes a session depends on this: `load_user` asks the database every time.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        key = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()), value)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = _checked_cookies.get(key)
        if known is not None and 0 <= int(time.time()) - known[0] <= max_age:
            return self.session_class(known[1])
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a secret key is set
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        # Only flat values: the session copies the dict, not what is inside it (a list of flashes).
        if all(isinstance(item, (str, int, float, bool)) for item in data.values()):
            with _checked_lock:
                if len(_checked_cookies) >= CHECKED_COOKIES:
                    del _checked_cookies[next(iter(_checked_cookies))]
                _checked_cookies[key] = (int(signed_at.timestamp()), data)
        return self.session_class(data)


# Signed cookies whose signature this process has checked: (signing time, data) by keys and value.
CHECKED_COOKIES = 4096
_checked_cookies: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
_checked_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.session_interface = PortalSessionInterface()
    login_manager.user_loader(load_user)
    login_manager.session_protection = None  # the session version and timeouts do this job
    app.before_request(_check_timeouts)


LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)


def load_user(user_id: str) -> User | None:
    """The signed-in user, if the cookie's session is still open on the server and its version current.

    One query reads the session row, the user, their memberships and the tenancies they are
    members of: every signed-in page needs the first three (sign-out, the access policy and the
    navigation), and a page of a tenancy the user belongs to needs that tenancy, so the policy
    need not look it up again. A round trip is most of what a query costs.
    """
    raw_id, version, token = _parse_session_id(user_id)
    if raw_id is None:
        return None
    rows = db.session.execute(_user_statement(), {"user_id": raw_id, "token_hash": token_hash(token)}).all()
    user: User | None = rows[0][0] if rows else None
    if user is None or user.is_disabled or user.session_version != version:
        return None
    _remember_memberships(user.id, [(tenancy, role) for _, role, tenancy in rows if tenancy is not None])
    return user


def _parse_session_id(value: str) -> tuple[int | None, int, str]:
    """`user id:session version:token` as begin_session wrote it; (None, 0, "") for anything else."""
    parts = value.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not 20 <= len(parts[2]) <= 64:
        return None, 0, ""
    return int(parts[0]), int(parts[1]), parts[2]


def token_hash(token: str) -> str:
    """What the server keeps of a session token: its SHA-256, so the table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def _remember_memberships(user_id: int, memberships: list[tuple[Tenancy, Role]]) -> None:
    """Keep the signed-in user's memberships for this request, and the tenancies by slug (a page
    of one of them then needs no second look-up). Only this module writes these keys of `g`."""
    g._memberships = (user_id, {tenancy.id: role for tenancy, role in memberships})
    g._member_tenancies = (user_id, {tenancy.slug: tenancy for tenancy, _ in memberships})


def memberships(user: User) -> dict[int, Role]:
    """The user's roles by tenancy id, read once per request (by the user loader, for the signed-in user)."""
    cached = g.get("_memberships")
    if cached is None or cached[0] != user.id:
        rows = db.session.execute(select(Membership.tenancy_id, Membership.role).where(Membership.user_id == user.id))
        cached = (user.id, dict(rows.all()))
        g._memberships = cached
    return cached[1]  # type: ignore[no-any-return]


def member_tenancy(user_id: int | None, slug: str) -> Tenancy | None:
    """A tenancy of the signed-in user's that the user loader already read, by slug; else None."""
    known = g.get("_member_tenancies")
    if known is not None and user_id == known[0]:
        return known[1].get(slug)  # type: ignore[no-any-return]
    return None


@cache
def _user_statement() -> Select[User, Role, Tenancy]:
    """The user loader's statement, built once: SQLAlchemy keys its compiled-SQL cache on the
    statement's structure, and working that key out again for a new object on every request
    cost about a quarter of a millisecond of CPU. The user id and token hash are bound parameters;
    the inner join on the session row means a signed-out session finds no row at all."""

    return (
        select(User, Membership.role, Tenancy)
        .join(
            UserSession,
            and_(UserSession.user_id == User.id, UserSession.token_hash == bindparam("token_hash")),
        )
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Tenancy, Tenancy.id == Membership.tenancy_id)
        .where(User.id == bindparam("user_id"))
    )


def open_session(user: User) -> str:
    """Record a new server-side session for the user (flushed, not committed); returns the cookie's id."""
    token = secrets.token_urlsafe(32)
    oldest = now() - dt.timedelta(hours=int(current_app.config["SESSION_ABSOLUTE_HOURS"]))
    # Sessions past the absolute timeout can never be used again: sweep the user's own at sign-in.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.created_at < oldest))
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id))
    db.session.flush()
    return f"{user.id}:{user.session_version}:{token}"


def begin_session(user: User) -> None:
    """Start a new session for a user who has just signed in (nothing of the old one survives)."""
    session.clear()
    session_id = open_session(user)
    login_user(user)
    session["_user_id"] = session_id
    stamp = now().isoformat()
    session["signed_in_at"] = stamp
    session["last_seen_at"] = stamp
    session.permanent = True


def end_session() -> None:
    """Forget this session on the server (the caller commits) and in the browser."""
    _, _, token = _parse_session_id(str(session.get("_user_id", "")))
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    logout_user()
    session.clear()


def revoke_sessions(user_id: int) -> None:
    """End every session of a user at its next request (a copied cookie stops working)."""
    db.session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def needs_recent_sign_in() -> bool:
    minutes = int(current_app.config["RECENT_SIGN_IN_MINUTES"])
    return _age("signed_in_at") > dt.timedelta(minutes=minutes)


def safe_next(target: str | None) -> str | None:
    """A `next` value only if it is a path on this site (no scheme, no host, no backslashes)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    # Browsers drop tabs and line breaks from a URL ("/\t/evil.example" becomes "//evil.example"):
    # a `next` carrying any control character or space is refused rather than cleaned.
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def send_to_sign_in(reauthenticate: bool = False) -> Any:
    """Where an anonymous (or stale) request goes: the sign-in page, or 401 for JSON."""
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        response = jsonify(error="unauthorised", message=gettext("Sign in to see this."))
        response.status_code = 401
        return response
    if reauthenticate:
        flash(gettext("Sign in again to continue: this action needs a recent sign-in."))
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("auth.sign_in", next=safe_next(target.rstrip("?"))))


def _age(key: str) -> dt.timedelta:
    stamp = session.get(key)
    if not stamp:
        return dt.timedelta.max
    try:
        return now() - dt.datetime.fromisoformat(stamp)
    except ValueError:
        return dt.timedelta.max


def _check_timeouts() -> Any:
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    idle = dt.timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    absolute = dt.timedelta(hours=int(current_app.config["SESSION_ABSOLUTE_HOURS"]))
    if _age("last_seen_at") > idle or _age("signed_in_at") > absolute:
        end_session()
        flash(gettext("You were signed out because your session timed out. Sign in again to continue."))
        return None
    if _age("last_seen_at") >= LAST_SEEN_RESOLUTION:
        # Rewriting the cookie on every request costs a signature and a Set-Cookie each time; the
        # idle timeout counts from at most a minute before the last request.
        session["last_seen_at"] = now().isoformat()
    return None


def user_or_none() -> User | None:
    """The signed-in user, or None; never raises, so error pages render with the database down."""
    try:
        return current_user if current_user.is_authenticated else None  # type: ignore[return-value]
    except SQLAlchemyError:
        return None
