"""Access rows for the webhooks console (#27): vendor admins with a recent sign-in, nobody else."""

from portal.audit.service import Actor
from portal.webhooks.endpoints import register_endpoint
from portal.webhooks.events import EVENT_TYPES, enqueue
from tests.access.matrix import Row

ADMIN_PAGE = "302 403 403 403 403 403 200"
ADMIN_ACTION = "302 403 403 403 403 403 302"


def _endpoint(world, tenancy):
    endpoint, _ = register_endpoint("https://platform.example/hooks", "Matrix", EVENT_TYPES, actor=Actor.system("m"))
    return {"endpoint_id": endpoint.id}


def _message(world, tenancy):
    values = _endpoint(world, tenancy)
    from portal.extensions import db
    from portal.webhooks.models import WebhookEndpoint

    message = enqueue(db.session.get(WebhookEndpoint, values["endpoint_id"]), "ping", {})
    return {**values, "message_id": message.id}


ROWS = [
    Row("webhooks.index", status=ADMIN_PAGE),
    # Invalid (no address): the form answers with its errors.
    Row("webhooks.register", "POST", status=ADMIN_PAGE, data=lambda w, t: {"url": ""}),
    Row("webhooks.endpoint", status=ADMIN_PAGE, values=_endpoint),
    # Rotating shows the new secret once, on the answer itself.
    Row("webhooks.rotate", "POST", status=ADMIN_PAGE, values=_endpoint),
    Row("webhooks.ping", "POST", status=ADMIN_ACTION, values=_endpoint),
    Row("webhooks.disable", "POST", status=ADMIN_ACTION, values=_endpoint),
    Row("webhooks.enable", "POST", status=ADMIN_ACTION, values=_endpoint),
    Row("webhooks.retry", "POST", status=ADMIN_ACTION, values=_message),
]
