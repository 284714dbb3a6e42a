"""Sign-in with Microsoft or Google, the invitation landing page, sign-out, and your account."""

from __future__ import annotations

import requests
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from werkzeug.wrappers import Response

from portal import policy, transactions
from portal.audit import service as audit
from portal.audit.models import AuditEvent
from portal.auth import accounts, oidc
from portal.auth.home import home_url
from portal.auth.models import User
from portal.auth.sessions import begin_session, end_session, revoke_sessions, safe_next, user_or_none
from portal.extensions import db, limiter
from portal.pagination import paginate, requested_page
from portal.tenancy import invitations
from portal.web.messages import success
from portal.web.urls import public_url

bp = policy.declare(Blueprint("auth", __name__), policy.PUBLIC)
SIGN_IN_LIMIT = "20 per minute"
PROVIDER_LABELS = {"microsoft": "Microsoft", "google": "Google"}
SECURITY_ACTIONS = ("auth.sign_in", "auth.sign_out", "auth.sessions_revoked", "auth.sign_out_everywhere")


def allow_provider_forms() -> None:
    """Let this page's sign-in forms end at the providers (their start redirects there; CSP form-action)."""
    g.form_action_origins = oidc.provider_origins()


@bp.get("/sign-in")
def sign_in() -> str:
    allow_provider_forms()
    return render_template("auth/sign_in.html", next=safe_next(request.args.get("next")))


@bp.post("/sign-in/<provider>")
@limiter.limit(SIGN_IN_LIMIT)
def start(provider: str) -> Response | tuple[str, int]:
    if provider not in oidc.PROVIDERS:
        abort(404)
    # Kept across the provider round trip; read back (and dropped) at the callback.
    session["sign_in_next"] = safe_next(request.args.get("next") or request.form.get("next"))
    token = request.form.get("invitation", "")
    session["invitation_token"] = token if token and invitations.find_open(token) else None
    redirect_uri = public_url("auth.callback", provider=provider)
    try:
        with transactions.without_transaction():  # no transaction open while the provider answers
            return oidc.client(provider).authorize_redirect(redirect_uri)  # type: ignore[no-any-return]
    except requests.RequestException:
        current_app.logger.exception("sign-in provider %s unreachable", provider)
        message = _(
            "Sign in with %(provider)s is not available at the moment. Try again later.",
            provider=PROVIDER_LABELS[provider],
        )
        return render_template("auth/refused.html", message=message, no_access=False), 503


@bp.get("/sign-in/<provider>/callback")
@limiter.limit(SIGN_IN_LIMIT)
def callback(provider: str) -> Response | tuple[str, int]:
    if provider not in oidc.PROVIDERS:
        abort(404)
    invitation_token = session.pop("invitation_token", None)
    target = safe_next(session.pop("sign_in_next", None))
    try:
        with transactions.without_transaction():  # no transaction open while the provider answers
            identity = oidc.complete(provider)
        result = accounts.sign_in(identity, invitation_token=invitation_token)
    except oidc.SignInError as error:
        db.session.rollback()
        accounts.record_failure(provider, error)
        db.session.commit()
        no_access = isinstance(error, accounts.NoAccessError)
        return render_template("auth/refused.html", message=error.message, no_access=no_access), 403
    audit.record(
        "auth.sign_in",
        actor=audit.Actor.of(result.user),
        object_type="provider",
        object_id=provider,
        details={"directory": identity.directory},
    )
    begin_session(result.user)
    db.session.commit()
    if result.joined is not None:
        success(_("You have joined %(name)s.", name=result.joined.name))
        return redirect(target or url_for("tenancy.overview", tenancy=result.joined.slug))
    return redirect(target or landing_for(result.user))


def landing_for(user: User) -> str:
    """Where a user lands after signing in with no `next`: their home (one organisation: its page)."""
    return home_url(user)


@bp.get("/invitations/<token>")
def invitation(token: str) -> str | tuple[str, int]:
    found = invitations.find_open(token)
    if found is None:
        return render_template("auth/invitation_gone.html"), 404
    allow_provider_forms()
    return render_template("auth/invitation.html", invitation=found, token=token)


@bp.post("/sign-out")
@policy.allow(policy.SIGNED_IN)
def sign_out() -> Response:
    user = user_or_none()
    audit.record("auth.sign_out", actor=audit.Actor.of(user))
    end_session()
    db.session.commit()
    success(_("You have signed out."))
    return redirect(url_for("web.start"))


@bp.get("/account")
@policy.allow(policy.SIGNED_IN)
def account() -> str:
    user = user_or_none()
    assert user is not None
    events = paginate(
        select(AuditEvent)
        .where(
            AuditEvent.actor_id == user.id,
            or_(AuditEvent.action.in_(SECURITY_ACTIONS), AuditEvent.action.like("auth.%")),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        requested_page(),
        25,
        entities=True,
    )
    return render_template("auth/account.html", user=user, events=events)


@bp.post("/account/sign-out-everywhere")
@policy.allow(policy.SIGNED_IN)
def sign_out_everywhere() -> Response:
    user = user_or_none()
    assert user is not None
    revoke_sessions(user.id)
    audit.record("auth.sign_out_everywhere", actor=audit.Actor.of(user), object_type="user", object_id=user.id)
    end_session()
    db.session.commit()
    success(_("You have signed out on every device."))
    return redirect(url_for("auth.sign_in"))
