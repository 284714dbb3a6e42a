"""Which changes become webhook events, what each says, and enqueuing them with the change (#27).

Every change the platform must hear of already writes an audit row; the audit's `recorded`
signal runs `_on_audit` inside the same transaction, which writes one outbox row per endpoint
that wants the event. A change that rolls back takes its messages with it; one that commits
cannot lose them. The body follows the Standard Webhooks payload shape: type, timestamp, data.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, select

from portal.audit.models import AuditEvent, Outcome
from portal.audit.signals import recorded
from portal.changes.models import ChangeNotice, Objection
from portal.dates import now
from portal.extensions import db
from portal.incidents.models import Incident, IncidentTenancy
from portal.register.models import RegisterVersion, TenancyExclusion, TenancyOption, TenancyOptionSetting
from portal.tenancy.models import Tenancy
from portal.webhooks.models import WebhookEndpoint, WebhookMessage

# Event types, with what each tells the platform (shown on the console and in the OpenAPI document).
EVENT_TYPES: dict[str, str] = {
    "tenancy.option_changed": "A school or trust switched an option (apply it, then confirm its version)",
    "tenancy.exclusion_added": "An upheld objection keeps a supplier out for a school (apply, then confirm)",
    "objection.decided": "Vendor staff decided an objection (accommodated or not)",
    "change.announced": "A change to the sub-processor register was announced with its notice period",
    "register.published": "A new version of the sub-processor register was published",
    "incident.published": "A personal data breach notice was sent to the schools it concerns",
}
PING = "ping"
# An event as a change describes it: its type, its data, and the tenancies it concerns (None: every one).
Described = tuple[str, dict[str, Any], set[int] | None]


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _tenancy(tenancy: Tenancy) -> dict[str, Any]:
    return {"slug": tenancy.slug, "urn": tenancy.urn, "name": tenancy.name}


def _option_changed(event: AuditEvent) -> list[Described]:
    row = db.session.execute(
        select(TenancyOptionSetting, Tenancy)
        .join(TenancyOption, TenancyOption.id == TenancyOptionSetting.option_id)
        .join(Tenancy, Tenancy.id == TenancyOptionSetting.tenancy_id)
        .where(TenancyOptionSetting.tenancy_id == event.tenancy_id, TenancyOption.key == event.object_id)
    ).first()
    if row is None:
        return []
    setting, tenancy = row
    data = {
        "tenancy": _tenancy(tenancy),
        "option": event.object_id,
        "enabled": setting.enabled,
        "version": setting.version,
        "requested_at": _iso(setting.updated_at),
    }
    return [("tenancy.option_changed", data, {tenancy.id})]


def _objection_decided(event: AuditEvent) -> list[Described]:
    objection = db.session.get(Objection, int(event.object_id or 0))
    if objection is None:
        return []
    tenancy, change = objection.tenancy, objection.change
    found: list[Described] = [
        (
            "objection.decided",
            {
                "tenancy": _tenancy(tenancy),
                "objection": objection.id,
                "change": change.id,
                "entry": change.entry_key,
                "decision": objection.state.value,
                "decided_at": _iso(objection.decided_at),
            },
            {tenancy.id},
        )
    ]
    exclusion = db.session.scalar(select(TenancyExclusion).where(TenancyExclusion.objection_id == objection.id))
    if exclusion is not None:
        data = {"tenancy": _tenancy(tenancy), "entry": exclusion.entry_key, "since": _iso(exclusion.since)}
        found.append(("tenancy.exclusion_added", data, {tenancy.id}))
    return found


def _change_announced(event: AuditEvent) -> list[Described]:
    notice = db.session.get(ChangeNotice, int(event.object_id or 0))
    if notice is None:
        return []
    data = {
        "change": notice.id,
        "kind": notice.kind.value,
        "entry": notice.entry_key,
        "replaces": notice.replaces_key,
        "supplier": notice.supplier,
        "title": notice.title,
        "effective_on": _iso(notice.effective_on),
    }
    return [("change.announced", data, None)]


def _register_published(event: AuditEvent) -> list[Described]:
    version = db.session.get(RegisterVersion, int(event.object_id or 0))
    if version is None:
        return []
    data = {
        "version": version.number,
        "sequence": version.sequence,
        "material": version.material,
        "published_at": _iso(version.published_at),
    }
    return [("register.published", data, None)]


def _incident_published(event: AuditEvent) -> list[Described]:
    incident = db.session.get(Incident, int(event.object_id or 0))
    if incident is None:
        return []
    tenancies = list(
        db.session.scalars(
            select(Tenancy)
            .join(IncidentTenancy, IncidentTenancy.tenancy_id == Tenancy.id)
            .where(IncidentTenancy.incident_id == incident.id)
            .order_by(Tenancy.id)
        )
    )
    data = {
        "incident": incident.id,
        "title": incident.title,
        "notified_at": _iso(incident.notified_at),
        "tenancies": [_tenancy(t) for t in tenancies],
    }
    return [("incident.published", data, {t.id for t in tenancies})]


# Audit actions that are events, and how to describe each: (type, data, tenancies concerned or None for all).
_FROM_AUDIT: dict[str, Callable[[AuditEvent], list[Described]]] = {
    "tenancy.option_changed": _option_changed,
    "objection.accommodated": _objection_decided,
    "objection.not_accommodated": _objection_decided,
    "change.announced": _change_announced,
    "register.published": _register_published,
    "incident.notified": _incident_published,
}


@recorded.connect
def _on_audit(sender: Any, event: AuditEvent) -> None:
    describe = _FROM_AUDIT.get(event.action)
    if describe is None or event.outcome is not Outcome.SUCCESS:
        return
    for event_type, data, tenancy_ids in describe(event):
        publish(event_type, data, tenancy_ids)


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def body_of(event_type: str, data: dict[str, Any], at: dt.datetime) -> str:
    """The JSON body, as the Standard Webhooks payload shape; serialised once and stored as sent."""
    payload = {"type": event_type, "timestamp": at.isoformat().replace("+00:00", "Z"), "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def publish(event_type: str, data: dict[str, Any], tenancy_ids: set[int] | None) -> list[WebhookMessage]:
    """Queue the event for every live endpoint that takes it (and the tenancy it concerns), in this transaction."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.disabled_at.is_(None)).order_by(WebhookEndpoint.id)
    if tenancy_ids is not None:
        query = query.where(
            or_(WebhookEndpoint.tenancy_id.is_(None), WebhookEndpoint.tenancy_id.in_(sorted(tenancy_ids)))
        )
    endpoints = [e for e in db.session.scalars(query) if event_type in e.event_set]
    return [enqueue(endpoint, event_type, data) for endpoint in endpoints]


def enqueue(endpoint: WebhookEndpoint, event_type: str, data: dict[str, Any]) -> WebhookMessage:
    """One message to one endpoint, delivered by the worker after the caller commits."""
    at = now()
    message = WebhookMessage(
        msg_id=new_msg_id(),
        endpoint_id=endpoint.id,
        event_type=event_type,
        body=body_of(event_type, data, at),
        created_at=at,
        next_attempt_at=at,
    )
    db.session.add(message)
    db.session.flush()
    return message
