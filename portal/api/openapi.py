"""The OpenAPI 3.1 description of /api/v1/: the contract, checked against the code by schemathesis."""

from __future__ import annotations

from typing import Any

from flask import current_app

from portal.api.openapi_public import public_paths, register_schemas
from portal.webhooks import describe

REF_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _json(description: str, ref: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_REF = {
    "name": "ref",
    "in": "path",
    "required": True,
    "description": "The school's six-digit URN, or the tenancy's slug (a trust has no URN).",
    "schema": {"type": "string", "pattern": REF_PATTERN},
}
_NOT_MODIFIED = {"304": {"description": "Unchanged since the ETag sent in If-None-Match."}}
_AUTH = {"401": _problem("No valid service token."), "403": _problem("The token lacks the scope this needs.")}

_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "An error, as RFC 9457 problem details.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    },
    "AcademiesEffectiveSets": {
        "type": "object",
        "description": "A trust that is the controller for its academies only: each academy's effective set.",
        "required": ["tenancy", "as_of", "uses_service_itself", "academies"],
        "properties": {
            "tenancy": {
                "type": "object",
                "required": ["name", "reference", "kind"],
                "properties": {"name": {"type": "string"}, "reference": {"type": "string"}, "kind": {"type": "string"}},
            },
            "as_of": {"type": "string", "format": "date"},
            "uses_service_itself": {"const": False},
            "academies": {"type": "array", "items": {"$ref": "#/components/schemas/EffectiveSet"}},
        },
    },
    "EffectiveSet": {
        "type": "object",
        "description": "A tenancy's effective set on one UK date: every register entry, in or out, why and since when.",
        "required": ["tenancy", "as_of", "register_version", "lines", "upcoming_changes"],
        "properties": {
            "tenancy": {
                "type": "object",
                "required": ["name", "reference", "kind"],
                "properties": {"name": {"type": "string"}, "reference": {"type": "string"}, "kind": {"type": "string"}},
            },
            "as_of": {"type": "string", "format": "date"},
            "register_version": _NULLABLE_STRING,
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["key", "supplier", "kind", "status", "included", "reason", "since", "option"],
                    "properties": {
                        "key": {"type": "string"},
                        "supplier": {"type": "string"},
                        "kind": {"type": "string"},
                        "status": {"type": "string"},
                        "included": {"type": "boolean"},
                        "reason": {"type": "string"},
                        "since": {"type": ["string", "null"], "description": "A date, or a date-time in UTC."},
                        "option": _NULLABLE_STRING,
                    },
                },
            },
            "upcoming_changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "change", "key", "supplier", "applies", "note"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "change": {"type": "string", "enum": ["addition", "removal", "material_change"]},
                        "key": {"type": "string"},
                        "supplier": {"type": "string"},
                        "applies": {"type": "boolean"},
                        "note": {"type": "string"},
                        "title": {"type": "string", "description": "A material change: what its notice says."},
                    },
                },
            },
        },
    },
    "Tenancy": {
        "type": "object",
        "required": ["slug", "urn", "name", "kind", "trust", "options", "exclusions", "effective_set"],
        "properties": {
            "slug": {"type": "string"},
            "urn": _NULLABLE_STRING,
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["school", "trust"]},
            "trust": {**_NULLABLE_STRING, "description": "The slug of the academy's trust."},
            "options": {
                "type": "array",
                "description": "Every option with this tenancy's value. A setting of its own has requested_at; "
                "applied_at stays null until the platform confirms that version.",
                "items": {
                    "type": "object",
                    "required": ["key", "enabled", "is_default", "version", "requested_at", "applied_at"],
                    "properties": {
                        "key": {"type": "string"},
                        "enabled": {"type": "boolean"},
                        "is_default": {"type": "boolean"},
                        "version": {"type": "integer", "minimum": 0},
                        "requested_at": _NULLABLE_TIME,
                        "applied_at": _NULLABLE_TIME,
                    },
                },
            },
            "exclusions": {
                "type": "array",
                "description": "Entries excluded for this tenancy by an accommodated objection.",
                "items": {
                    "type": "object",
                    "required": ["entry", "since", "applied_at"],
                    "properties": {
                        "entry": {"type": "string"},
                        "since": {"type": "string", "format": "date-time"},
                        "applied_at": _NULLABLE_TIME,
                    },
                },
            },
            "effective_set": {"$ref": "#/components/schemas/EffectiveSet"},
        },
    },
    "TenancyPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Tenancy"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "next": {**_NULLABLE_STRING, "description": "The next page's address, or null on the last page."},
        },
    },
    "Confirmation": {
        "type": "object",
        "description": "That the platform applied an option setting (at the version it read) or an exclusion.",
        "oneOf": [
            {
                "type": "object",
                "required": ["kind", "option", "version", "applied_at"],
                "properties": {
                    "kind": {"const": "option"},
                    "option": {"type": "string"},
                    "version": {"type": "integer", "minimum": 1},
                    "applied_at": {"type": "string", "format": "date-time"},
                },
            },
            {
                "type": "object",
                "required": ["kind", "entry", "applied_at"],
                "properties": {
                    "kind": {"const": "exclusion"},
                    "entry": {"type": "string"},
                    "applied_at": {"type": "string", "format": "date-time"},
                },
            },
        ],
    },
    "Confirmed": {
        "type": "object",
        "required": ["kind", "applied_at"],
        "properties": {
            "kind": {"type": "string", "enum": ["option", "exclusion"]},
            "option": {"type": "string"},
            "version": {"type": "integer"},
            "entry": {"type": "string"},
            "applied_at": {"type": "string", "format": "date-time"},
        },
    },
}


def document() -> dict[str, Any]:
    """The OpenAPI document, naming the vendor from configuration."""
    vendor = current_app.config.get("VENDOR_NAME", "the vendor")
    read: list[dict[str, list[str]]] = [{"serviceToken": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{vendor} school agreement portal API",
            "version": "1.0.0",
            "description": "What each school's options and effective sub-processor set are, and confirmations "
            "that the vendor's platform applied them. Authenticate with a service token a vendor admin creates "
            "at /vendor/api-tokens: `Authorization: Bearer <token>`. Scope `read` reads; `confirm` confirms. "
            "The portal also posts each change to the endpoints registered at /vendor/webhooks, signed per the "
            "Standard Webhooks specification (see `webhooks`). The public register's documents need no token.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"serviceToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {**_SCHEMAS, **register_schemas(), **describe.schemas()},
        },
        "webhooks": describe.webhooks(),
        "paths": {
            **public_paths(),
            "/api/v1/tenancies": {
                "get": {
                    "operationId": "listTenancies",
                    "summary": "Tenancies with their options and effective set, a page at a time",
                    "security": read,
                    "parameters": [
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
                        {
                            "name": "per_page",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        },
                        {
                            "name": "changed_since",
                            "in": "query",
                            "description": "Only tenancies whose own options or exclusions were requested or "
                            "applied at or after this time. A new register version changes every set: "
                            "watch register_version.",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                    ],
                    "responses": {
                        "200": _json("One page.", "TenancyPage"),
                        **_NOT_MODIFIED,
                        "400": _problem("A bad parameter."),
                        **_AUTH,
                    },
                }
            },
            "/api/v1/tenancies/{ref}": {
                "get": {
                    "operationId": "getTenancy",
                    "summary": "One tenancy by URN or slug",
                    "security": read,
                    "parameters": [_REF],
                    "responses": {
                        "200": _json("The tenancy.", "Tenancy"),
                        **_NOT_MODIFIED,
                        "404": _problem("No such tenancy."),
                        **_AUTH,
                    },
                }
            },
            "/api/v1/tenancies/{ref}/sub-processors": {
                "get": {
                    "operationId": "getEffectiveSet",
                    "summary": "A tenancy's effective set on a date (today without `on`)",
                    "security": read,
                    "parameters": [
                        _REF,
                        {"name": "on", "in": "query", "schema": {"type": "string", "format": "date"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The effective set; for a trust whose own staff do not use the service, "
                            "its academies' sets.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "oneOf": [
                                            {"$ref": "#/components/schemas/EffectiveSet"},
                                            {"$ref": "#/components/schemas/AcademiesEffectiveSets"},
                                        ]
                                    }
                                }
                            },
                        },
                        **_NOT_MODIFIED,
                        "400": _problem("A date the register cannot answer for."),
                        "404": _problem("No such tenancy."),
                        **_AUTH,
                    },
                }
            },
            "/api/v1/tenancies/{ref}/confirmations": {
                "post": {
                    "operationId": "confirmApplied",
                    "summary": "Confirm that the platform applied an option setting or an exclusion",
                    "security": [{"serviceToken": []}],
                    "parameters": [_REF],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Confirmation"}}},
                    },
                    "responses": {
                        "200": _json("Recorded (or recorded before: the first confirmation stands).", "Confirmed"),
                        "400": _problem("Not a JSON object."),
                        "404": _problem("No such tenancy, setting or exclusion."),
                        "409": _problem("The setting has changed since the version confirmed."),
                        "422": _problem("A confirmation the portal cannot record, and why."),
                        **_AUTH,
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
                }
            },
        },
    }
