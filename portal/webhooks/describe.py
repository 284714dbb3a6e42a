"""The webhooks as the OpenAPI 3.1 document's `webhooks` section: each event's body, headers and answer."""

from __future__ import annotations

from typing import Any

from portal.webhooks.events import EVENT_TYPES, PING

_STRING = {"type": "string"}
_NULLABLE = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_TENANCY = {
    "type": "object",
    "required": ["slug", "urn", "name"],
    "properties": {"slug": _STRING, "urn": _NULLABLE, "name": _STRING},
}


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": sorted(properties), "properties": properties}


DATA: dict[str, dict[str, Any]] = {
    "tenancy.option_changed": _object(
        tenancy=_TENANCY,
        option=_STRING,
        enabled={"type": "boolean"},
        version={"type": "integer", "minimum": 1, "description": "Confirm this version once applied."},
        requested_at=_TIME,
    ),
    "tenancy.exclusion_added": _object(tenancy=_TENANCY, entry=_STRING, since=_TIME),
    "objection.decided": _object(
        tenancy=_TENANCY,
        objection={"type": "integer"},
        change={"type": "integer"},
        entry=_STRING,
        decision={"type": "string", "enum": ["accommodated", "not_accommodated"]},
        decided_at=_TIME,
    ),
    "change.announced": _object(
        change={"type": "integer"},
        kind={"type": "string", "enum": ["addition", "replacement", "removal", "material_change"]},
        entry=_STRING,
        replaces=_NULLABLE,
        supplier=_STRING,
        title=_STRING,
        effective_on={"type": "string", "format": "date"},
    ),
    "register.published": _object(
        version=_STRING, sequence={"type": "integer"}, material={"type": "boolean"}, published_at=_TIME
    ),
    "incident.published": _object(
        incident={"type": "integer"}, title=_STRING, notified_at=_TIME, tenancies={"type": "array", "items": _TENANCY}
    ),
    PING: _object(endpoint={"type": "integer"}),
}

_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The message's id: the same on every retry, so a receiver drops a repeat.",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, in seconds since 1970 (refuse it if minutes away from now).",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per live secret "
        "(two for a day after a rotation). Verify with a Standard Webhooks library and the `whsec_` secret.",
        "schema": {"type": "string"},
    },
]


def schemas() -> dict[str, Any]:
    """One component per event: the Standard Webhooks payload shape around the event's data."""
    return {
        _name(event): {
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {"type": {"const": event}, "timestamp": _TIME, "data": data},
        }
        for event, data in DATA.items()
    }


def _name(event: str) -> str:
    return "Event" + "".join(part.title() for part in event.replace(".", "_").split("_"))


def webhooks() -> dict[str, Any]:
    """The `webhooks` section: what the portal posts to each registered endpoint."""
    summaries = {**EVENT_TYPES, PING: "A test event sent from the console"}
    return {
        event: {
            "post": {
                "operationId": f"webhook_{event.replace('.', '_')}",
                "summary": summaries[event],
                "parameters": _HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{_name(event)}"}}},
                },
                "responses": {
                    "2XX": {
                        "description": "Received. Anything else, or no answer within 10 seconds, is retried "
                        "with growing waits (5 s, 15 s, 45 s, ... up to six hours) before it fails."
                    }
                },
            }
        }
        for event in DATA
    }
