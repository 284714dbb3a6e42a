"""Double opt-in subscriptions: subscribe, confirm, unsubscribe, and forget the unconfirmed."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit.models import Outcome
from portal.audit.service import Actor, keyed_hash, record
from portal.dates import now
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus, Subscriber
from portal.notify.outbox import enqueue, normalise_address
from portal.notify.signals import open_changes
from portal.notify.tokens import digest, mail_url, new_confirm_token, unsubscribe_token
from portal.web.language import written_in
from portal.web.urls import public_url

CONFIRM_FOR = dt.timedelta(days=7)
CONFIRM_CATEGORY = "subscription-confirm"
WELCOME_CATEGORY = "subscription-welcome"
ANONYMOUS = Actor.system("member of the public")
# Stands in for an unsubscribed address on mail already sent to it.
REMOVED = "(unsubscribed)"


class SubscriptionError(ValueError):
    """A confirmation link that is unknown, used already or expired."""


def canonical_address(address: str) -> str:
    """The one form of an address the subscriber table keeps (normalised, lower case), or MailError."""
    return normalise_address(address.strip()).lower()


_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox(address: str) -> str:
    """The mailbox an address delivers to, for counting only: `+tag` dropped, Gmail's dots folded.

    `a.b+1@gmail.com` and `ab+2@googlemail.com` reach one inbox, so the per-address limit on
    /subscribe counts them as one (#18). The subscriber table keeps the address as given."""
    local, _, domain = canonical_address(address).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), _DOTLESS_DOMAINS[domain]
    return f"{local}@{domain}"


def subscribe(address: str, language: str = "en") -> None:
    """Start (or restart) a double opt-in; the caller shows the same answer whatever happened.

    `language` is the one the address subscribed in: its mails are written in it (#29).

    A new or still unconfirmed address gets a fresh single-use confirmation token (the old one
    stops working) and one confirmation mail; an address already confirmed gets nothing.
    """
    address = canonical_address(address)
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.address == address))
    if subscriber is not None and subscriber.confirmed_at is not None:
        record("notify.subscribe", actor=ANONYMOUS, details={"address": keyed_hash(address), "state": "confirmed"})
        return
    token = new_confirm_token()
    if subscriber is None:
        try:
            with db.session.begin_nested():
                subscriber = Subscriber(
                    address=address, unsubscribe_hash=digest(unsubscribe_token(address)), language=language
                )
                _arm(subscriber, token)
                db.session.add(subscriber)
        except IntegrityError:  # the same address, subscribed at the same moment by another request
            record("notify.subscribe", actor=ANONYMOUS, details={"address": keyed_hash(address), "state": "race"})
            return
        state = "new"
    else:
        subscriber.language = language
        _arm(subscriber, token)
        state = "pending"
    enqueue(
        to=address,
        subject=_("Confirm that you want emails about sub-processor changes"),
        text=render_template(
            "notify/confirm_mail.txt",
            url=mail_url(f"/subscribe/confirm/{token}"),
            expires=subscriber.confirm_expires_at,
        ),
        category=CONFIRM_CATEGORY,
        list_unsubscribe=True,
    )
    record("notify.subscribe", actor=ANONYMOUS, details={"address": keyed_hash(address), "state": state})


def _arm(subscriber: Subscriber, token: str) -> None:
    subscriber.confirm_token_hash = digest(token)
    subscriber.confirm_expires_at = now() + CONFIRM_FOR
    db.session.flush()


def pending_for(token: str) -> Subscriber | None:
    """The unconfirmed subscription a confirmation token belongs to, if it is still valid."""
    return db.session.scalar(
        select(Subscriber).where(
            Subscriber.confirm_token_hash == digest(token),
            Subscriber.confirmed_at.is_(None),
            Subscriber.confirm_expires_at > now(),
        )
    )


def confirm(token: str) -> Subscriber:
    """Confirm a subscription; the token works once. SubscriptionError if unknown, used or expired."""
    subscriber = pending_for(token)
    if subscriber is None:
        record("notify.confirm", actor=ANONYMOUS, outcome=Outcome.FAILURE, reason="unknown, used or expired token")
        raise SubscriptionError(_("This link has expired or has already been used"))
    subscriber.confirmed_at = now()
    subscriber.confirm_token_hash = None
    subscriber.confirm_expires_at = None
    db.session.flush()
    record(
        "notify.confirm",
        actor=ANONYMOUS,
        object_type="subscriber",
        object_id=subscriber.id,
        details={"address": keyed_hash(subscriber.address)},
    )
    _welcome(subscriber)
    return subscriber


def _welcome(subscriber: Subscriber) -> None:
    """Tell a new subscriber where the register is and which changes are open now (#25), in the
    language they subscribed in (#29)."""
    with written_in(subscriber.language):
        _welcome_mail(subscriber)


def _welcome_mail(subscriber: Subscriber) -> None:
    enqueue(
        to=subscriber.address,
        subject=_(
            "You are subscribed to changes to %(vendor)s's sub-processors", vendor=current_app.config["VENDOR_NAME"]
        ),
        text=render_template(
            "notify/welcome_mail.txt", changes=open_changes(), register_url=public_url("register.public_register")
        ),
        category=WELCOME_CATEGORY,
        reference=f"subscriber:{subscriber.id}",
        list_unsubscribe=True,
    )


def unsubscribe(token: str) -> bool:
    """Remove the address the token belongs to (a delete; its queued mail dropped, its sent mail made
    anonymous); True if there was one.

    The caller gives the same answer either way, so a link keeps working after the address is gone.
    """
    subscriber = db.session.scalar(select(Subscriber).where(Subscriber.unsubscribe_hash == digest(token)))
    if subscriber is None:
        record("notify.unsubscribe", actor=ANONYMOUS, details={"state": "not subscribed"})
        return False
    address = subscriber.address
    db.session.delete(subscriber)
    mail_to_address = (OutboxMessage.recipient == address, OutboxMessage.list_unsubscribe.is_(True))
    db.session.execute(delete(OutboxMessage).where(*mail_to_address, OutboxMessage.status == OutboxStatus.QUEUED))
    # What was sent stays counted for staff, but no longer says to whom (the body never held the address).
    db.session.execute(
        update(OutboxMessage)
        .where(*mail_to_address, OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]))
        .values(recipient=REMOVED)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    record(
        "notify.unsubscribe",
        actor=ANONYMOUS,
        object_type="subscriber",
        object_id=subscriber.id,
        details={"address": keyed_hash(address), "state": "removed"},
    )
    return True


def forget_expired() -> int:
    """Delete unconfirmed addresses whose confirmation token has expired (`flask notify cleanup`)."""
    result = db.session.execute(
        delete(Subscriber).where(Subscriber.confirmed_at.is_(None), Subscriber.confirm_expires_at <= now())
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    record("notify.cleanup", actor=Actor.system(), details={"forgotten": count})
    return count
