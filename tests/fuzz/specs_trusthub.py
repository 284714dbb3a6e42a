"""Fuzz specs for the trust hub's POST forms (added to SPECS in specs.py)."""

from __future__ import annotations

from typing import Any

from portal.audit.service import Actor
from portal.trusthub import overview
from portal.trusthub.models import AccessLevel
from tests.access.matrix import World
from tests.trusthub.builders import ensure_nda, make_document, make_request

TEXT, CHOICE, NUMBER, HEADER = "text", "choice", "number", "header"


def _field(kind: str, valid: str, choices: tuple[str, ...] = ()) -> Any:
    from tests.fuzz.specs import Field

    return Field(kind, valid, choices)


def request_document(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    document = make_document(AccessLevel.ON_REQUEST)
    return {"document_id": document.id}, {
        "tenancy": _field(CHOICE, str(world.trust.id), (str(world.other.id), str(world.own.id))),
        "purpose": _field(TEXT, "Our annual due diligence."),
    }


def accept_nda(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    version = ensure_nda()
    made = make_request(world.users["trust_admin"], world.trust, approve=True)
    return {"request_id": made.id}, {
        "version": _field(NUMBER, str(version.number)),
        "signer_name": _field(TEXT, "Tom Okafor"),
        "signer_role": _field(TEXT, "Trust business manager"),
        "confirm": _field(CHOICE, "y", ("",)),
    }


def draft(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    overview.start_draft(actor=Actor.system("fuzz"))
    fields = {name: _field(TEXT, f"The {name} section.") for name in ("summary", *overview.OVERVIEW_SECTIONS)}
    fields.update({name: _field(NUMBER, "4") for name in overview.NUMBER_FIELDS})
    return {}, fields


def empty_draft(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    overview.start_draft(actor=Actor.system("fuzz"))
    return {}, {}


def document(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"document_id": make_document(AccessLevel.PUBLIC).id}, {}


def pending(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"request_id": make_request(world.users["trust_admin"], world.trust).id}, {}


def approve(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return pending(world)[0], {"days": _field(NUMBER, "7")}


def refuse(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return pending(world)[0], {"reason": _field(HEADER, "Shared with customers under contract only.")}


def approved(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return {"request_id": make_request(world.users["trust_admin"], world.trust, approve=True).id}, {}


def nda_publish(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    return {}, {"summary": _field(TEXT, "First version of the terms.")}


def specs() -> list[Any]:
    from tests.fuzz.specs import Spec

    return [
        Spec("trusthub_member.request_document", "trust_admin", request_document, max_examples=10),
        Spec("trusthub_member.accept_nda", "trust_admin", accept_nda, max_examples=10),
        Spec("trusthub_admin.start_draft", "vendor_staff"),
        Spec("trusthub_admin.edit_draft", "vendor_staff", draft, max_examples=10),
        # An empty draft is not published: the page says why (a redirect that changed nothing).
        Spec("trusthub_admin.publish_draft", "vendor_staff", empty_draft),
        Spec("trusthub_admin.withdraw", "vendor_staff", document),
        Spec("trusthub_admin.approve", "vendor_staff", approve, max_examples=10),
        Spec("trusthub_admin.refuse", "vendor_staff", refuse, max_examples=10),
        Spec("trusthub_admin.revoke", "vendor_staff", approved),
        Spec("trusthub_admin.nda_versions", "vendor_staff", nda_publish),
    ]
