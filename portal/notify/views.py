"""Public subscription pages: subscribe, confirm (double opt-in), unsubscribe (RFC 8058 one-click too)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import policy
from portal.audit.service import keyed_hash
from portal.extensions import csrf, db, limiter
from portal.notify import subscriptions
from portal.notify.forms import SubscribeForm
from portal.notify.outbox import MailError
from portal.notify.signals import open_changes
from portal.web import language

bp = policy.declare(Blueprint("notify", __name__), policy.PUBLIC)

# Per address: a handful of confirmation mails an hour is plenty for a person, too few for a bomber.
PER_ADDRESS = "3 per hour;10 per day"
PER_IP = "20 per hour"


def address_key() -> str:
    """The rate-limit key for the mailbox in the form (+tags and Gmail dots folded): its keyed hash."""
    raw = (request.form.get("email") or "").strip()
    try:
        raw = subscriptions.mailbox(raw)
    except MailError:
        raw = raw.lower()
    return "subscribe:" + keyed_hash(raw)


@bp.route("/subscribe", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
@limiter.limit(PER_ADDRESS, methods=["POST"], key_func=address_key)
def subscribe() -> str | Response:
    form = SubscribeForm()
    if form.validate_on_submit():
        subscriptions.subscribe(form.email.data or "", language=language.current())
        db.session.commit()
        return redirect(url_for("notify.check_email"))
    return render_template("notify/subscribe.html", form=form)


@bp.get("/subscribe/check-your-email")
def check_email() -> str:
    return render_template("notify/check_email.html")


@bp.route("/subscribe/confirm/<string(maxlength=128):token>", methods=["GET", "POST"])
def confirm(token: str) -> str | Response | tuple[str, int]:
    """GET shows a button (mail scanners follow links); only the POST confirms."""
    if request.method == "POST":
        try:
            subscriptions.confirm(token)
        except subscriptions.SubscriptionError:
            db.session.commit()  # keep the audit row of the failed attempt
            return render_template("notify/confirm_gone.html"), 404
        db.session.commit()
        return redirect(url_for("notify.confirmed"))
    if subscriptions.pending_for(token) is None:
        return render_template("notify/confirm_gone.html"), 404
    return render_template("notify/confirm.html", token=token)


@bp.get("/subscribe/confirmed")
def confirmed() -> str:
    return render_template("notify/confirmed.html", changes=open_changes())


@bp.route("/unsubscribe/<string(maxlength=128):token>", methods=["GET", "POST"])
@limiter.limit(PER_IP, methods=["POST"])
def unsubscribe(token: str) -> str:
    """GET shows a button; POST removes the address. The POST is CSRF-exempt (RFC 8058 one-click):
    mail clients send it without a session, and the unguessable token is its authority.
    The answer is the same whether or not the address was still subscribed."""
    if request.method == "POST":
        subscriptions.unsubscribe(token)
        db.session.commit()
        return render_template("notify/unsubscribed.html")
    return render_template("notify/unsubscribe.html", token=token)


csrf.exempt(unsubscribe)
