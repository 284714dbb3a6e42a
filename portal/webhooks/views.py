"""The vendor console's webhooks: register endpoints, rotate secrets, send a test event, read the delivery log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal import policy
from portal.audit.service import Actor
from portal.dates import now
from portal.extensions import db
from portal.webhooks import endpoints
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.forms import EndpointForm
from portal.webhooks.models import WebhookAttempt, WebhookEndpoint, WebhookMessage

# Endpoints receive every school's choices and hold signing secrets: vendor admins, recently signed in.
bp = policy.declare(
    Blueprint("webhooks", __name__, url_prefix="/vendor/webhooks"),
    policy.vendor(policy.Permission.CHANGE_SETTINGS, recent_sign_in=True),
)
LOG_LENGTH = 50


def _index(form: EndpointForm, secret: str | None = None, made: WebhookEndpoint | None = None) -> str:
    query = select(WebhookEndpoint).options(selectinload(WebhookEndpoint.tenancy)).order_by(WebhookEndpoint.id.desc())
    found = list(db.session.scalars(query))
    return render_template("webhooks/index.html", form=form, endpoints=found, secret=secret, made=made)


@bp.get("")
def index() -> str:
    return _index(EndpointForm(formdata=None))


@bp.post("")
def register() -> str | Response:
    form = EndpointForm()
    if not form.validate_on_submit():
        return _index(form)
    try:
        endpoint, secret = endpoints.register_endpoint(
            form.url.data or "",
            form.description.data or "",
            form.events.data or [],
            tenancy_ref=form.tenancy.data or "",
            submission_key=form.submission_key.data or None,
            actor=Actor.of(current_user),
        )
    except endpoints.EndpointError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [str(error)]
        return _index(form)
    db.session.commit()
    if secret is None:
        flash(_("This form was already sent and the endpoint registered then: nothing new was registered."))
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint.id))
    # The secret is on this response only; the console never shows it again (rotate to get a new one).
    return _index(EndpointForm(formdata=None), secret=secret, made=endpoint)


def _endpoint_page(endpoint: WebhookEndpoint, secret: str | None = None) -> str:
    messages = list(
        db.session.scalars(
            select(WebhookMessage)
            .where(WebhookMessage.endpoint_id == endpoint.id)
            .order_by(WebhookMessage.id.desc())
            .limit(LOG_LENGTH)
        )
    )
    attempts: dict[int, list[WebhookAttempt]] = {m.id: [] for m in messages}
    if messages:
        query = select(WebhookAttempt).where(WebhookAttempt.message_id.in_(attempts)).order_by(WebhookAttempt.id)
        for attempt in db.session.scalars(query):
            attempts[attempt.message_id].append(attempt)
    return render_template(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        messages=messages,
        attempts=attempts,
        secret=secret,
        event_types=EVENT_TYPES,
        now=now(),
    )


def _found(endpoint_id: int) -> WebhookEndpoint:
    return db.session.get(WebhookEndpoint, endpoint_id) or abort(404)


@bp.get("/<int:endpoint_id>")
def endpoint(endpoint_id: int) -> str:
    return _endpoint_page(_found(endpoint_id))


@bp.post("/<int:endpoint_id>/rotate")
def rotate(endpoint_id: int) -> str:
    found = _found(endpoint_id)
    secret = endpoints.rotate_secret(found, actor=Actor.of(current_user))
    db.session.commit()
    return _endpoint_page(found, secret=secret)


@bp.post("/<int:endpoint_id>/ping")
def ping(endpoint_id: int) -> Response:
    found = _found(endpoint_id)
    try:
        endpoints.ping(found, actor=Actor.of(current_user))
    except endpoints.EndpointError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(_("Test event queued: it appears in the delivery log below once sent"))
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


def _switch(endpoint_id: int, disabled: bool, message: str) -> Response:
    endpoints.set_disabled(_found(endpoint_id), disabled, actor=Actor.of(current_user))
    db.session.commit()
    flash(message)
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/disable")
def disable(endpoint_id: int) -> Response:
    return _switch(endpoint_id, True, _("Endpoint disabled: its events wait in the queue until you enable it"))


@bp.post("/<int:endpoint_id>/enable")
def enable(endpoint_id: int) -> Response:
    return _switch(endpoint_id, False, _("Endpoint enabled"))


@bp.post("/<int:endpoint_id>/messages/<int:message_id>/retry")
def retry(endpoint_id: int, message_id: int) -> Response:
    message = db.session.scalar(
        select(WebhookMessage).where(WebhookMessage.id == message_id, WebhookMessage.endpoint_id == endpoint_id)
    )
    if message is None:
        abort(404)
    if endpoints.send_again(message, actor=Actor.of(current_user)):
        flash(_("Queued to send again, with the same webhook-id"))
    db.session.commit()
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
