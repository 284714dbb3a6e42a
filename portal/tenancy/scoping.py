"""Tenancy scoping by structure: one URL prefix that loads the tenancy, and children fetched through it."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g
from flask_login import current_user
from sqlalchemy import select

from portal import policy
from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.extensions import db
from portal.tenancy.models import Role, Tenancy

TENANCY_PREFIX = "/t/<slug:tenancy>"
M = TypeVar("M")


def tenancy_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint under /t/<tenancy>/ whose views run only for members (policy enforces the role)."""
    blueprint = Blueprint(name, import_name, url_prefix=TENANCY_PREFIX + url_prefix)
    install_scoping(blueprint)
    return blueprint


def install_scoping(blueprint: Blueprint) -> None:
    """Take the tenancy out of the URL for the policy, fill it into url_for, and require membership."""

    @blueprint.url_value_preprocessor
    def _take_tenancy(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.tenancy_slug = (values or {}).pop("tenancy", None)

    @blueprint.url_defaults
    def _add_tenancy(endpoint: str, values: dict[str, Any]) -> None:
        if "tenancy" in values or g.get("tenancy") is None:
            return
        if current_app.url_map.is_endpoint_expecting(endpoint, "tenancy"):
            values["tenancy"] = g.tenancy.slug

    policy.declare(blueprint, policy.tenancy(policy.Permission.VIEW_TENANCY))


def current_tenancy() -> Tenancy:
    """The tenancy of this request (set by the policy once membership is checked)."""
    return g.tenancy  # type: ignore[no-any-return]


def current_role() -> Role:
    return g.role  # type: ignore[no-any-return]


def get_owned_or_404(model: type[M], object_id: int, tenancy: Tenancy | None = None, *options: Any) -> M:
    """Fetch a child of the tenancy by id; another tenancy's object is a 404 (and audited).

    `options` are loader options for the query (say, undefer a large column the view needs)."""
    owner = tenancy or current_tenancy()
    statement: Any = select(model).where(model.id == object_id, model.tenancy_id == owner.id).options(*options)  # type: ignore[attr-defined]
    found: M | None = db.session.scalar(statement)
    if found is None:
        db.session.rollback()  # the request fails: nothing it did before is kept but the audit row
        audit.record(
            "access.denied",
            actor=audit.Actor.of(current_user),
            outcome=Outcome.DENIED,
            tenancy_id=owner.id,
            object_type=model.__name__,  # type: ignore[attr-defined]
            object_id=object_id,
            reason="object not in this tenancy",
        )
        db.session.commit()
        abort(404)
    return found
