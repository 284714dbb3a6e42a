"""The public register in the OpenAPI document: current, versions, a version, its JSON Schema, the Atom feed.

These answer without a token, from any origin (`Access-Control-Allow-Origin: *`), with a minute of
public caching (a published version's own document: a year, immutable) and validators (ETag and
Last-Modified) so a repeated request is a 304. The register's JSON Schema, which the register's
own tests hold the documents to, is the response schema: its `$defs` become components here.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from portal.register.publication import SCHEMA_PATH

_PREFIX = "Register"


def _rewrite(node: Any) -> Any:
    """The schema with its `#/$defs/x` references pointing at this document's components."""
    if isinstance(node, dict):
        return {
            key: (
                f"#/components/schemas/{_PREFIX}{value[len('#/$defs/') :].title()}"
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                else _rewrite(value)
            )
            for key, value in node.items()
            if key not in ("$schema", "$defs", "$id")
        }
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


@cache
def register_schemas() -> dict[str, Any]:
    """The register document's schema and its definitions, as OpenAPI components."""
    raw = json.loads(SCHEMA_PATH.read_text())
    found = {f"{_PREFIX}{name.title()}": _rewrite(part) for name, part in raw.get("$defs", {}).items()}
    found[f"{_PREFIX}Version"] = _rewrite(raw)
    found["RegisterVersionList"] = {
        "type": "object",
        "description": "The published versions of the register, newest first.",
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["number", "sequence", "published_at", "material", "summary", "json", "page"],
                    "properties": {
                        "number": {"type": "string"},
                        "sequence": {"type": "integer", "minimum": 1},
                        "published_at": {"type": "string", "format": "date-time"},
                        "material": {"type": "boolean"},
                        "summary": {"type": "string"},
                        "json": {"type": "string", "description": "This version's own JSON document."},
                        "page": {"type": "string", "description": "This version's page."},
                    },
                },
            }
        },
    }
    found["NotFoundJson"] = {
        "type": "object",
        "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
    }
    return copy.deepcopy(found)


def _header(description: str, required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


OPEN_DATA_HEADERS = {
    "Access-Control-Allow-Origin": _header("Always `*`: any web page may read the register."),
    "Cache-Control": _header("`public, max-age=60`; a published version's own document: a year, `immutable`."),
    "ETag": _header("A strong validator of these bytes: send it back in If-None-Match for a 304."),
    "Last-Modified": _header("When the document last changed.", required=False),
}


def _data(description: str, media: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": OPEN_DATA_HEADERS, "content": {media: {"schema": schema}}}


_NOT_MODIFIED = {"304": {"description": "Unchanged since the ETag sent in If-None-Match."}}
_NONE_YET = {
    "description": "Nothing published (yet) under that name.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotFoundJson"}}},
}
_VERSION = {"$ref": f"#/components/schemas/{_PREFIX}Version"}


def public_paths() -> dict[str, Any]:
    """The register's public documents, each answering without a token."""
    public: list[dict[str, list[str]]] = []
    return {
        "/sub-processors.json": {
            "get": {
                "operationId": "getRegister",
                "summary": "The current published version of the sub-processor register, with upcoming changes",
                "tags": ["Public register"],
                "security": public,
                "responses": {
                    "200": _data("The current register.", "application/json", _VERSION),
                    **_NOT_MODIFIED,
                    "404": _NONE_YET,
                },
            }
        },
        "/api/v1/register/versions": {
            "get": {
                "operationId": "listRegisterVersions",
                "summary": "Every published version of the register, newest first (the feed's versions as data)",
                "tags": ["Public register"],
                "security": public,
                "responses": {
                    "200": _data(
                        "The versions.", "application/json", {"$ref": "#/components/schemas/RegisterVersionList"}
                    ),
                    **_NOT_MODIFIED,
                },
            }
        },
        "/sub-processors/versions/{sequence}.json": {
            "get": {
                "operationId": "getRegisterVersion",
                "summary": "One published version, as it was published (it never changes)",
                "tags": ["Public register"],
                "security": public,
                "parameters": [
                    {
                        "name": "sequence",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    }
                ],
                "responses": {
                    "200": _data("The version.", "application/json", _VERSION),
                    **_NOT_MODIFIED,
                    "404": _NONE_YET,
                },
            }
        },
        "/sub-processors.schema.json": {
            "get": {
                "operationId": "getRegisterSchema",
                "summary": "The JSON Schema the register's documents follow",
                "tags": ["Public register"],
                "security": public,
                "responses": {
                    "200": _data("The JSON Schema (draft 2020-12).", "application/schema+json", {"type": "object"}),
                    **_NOT_MODIFIED,
                },
            }
        },
        "/sub-processors.atom": {
            "get": {
                "operationId": "getRegisterFeed",
                "summary": "The Atom feed: published versions, dated changes and change notices",
                "tags": ["Public register"],
                "security": public,
                "responses": {
                    "200": _data("The feed (RFC 4287).", "application/atom+xml", {"type": "string"}),
                    **_NOT_MODIFIED,
                },
            }
        },
    }
