"""The vendor's page of one tenancy: everything about it at a glance, each part linking to where staff act."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal import policy
from portal.changes.queries import tenancy_objections
from portal.exits.models import ExitCase
from portal.extensions import db
from portal.homes import home  # noqa: F401  (connects the tenancy home's receiver)
from portal.homes.status import tenancy_statuses
from portal.homes.tasks import change_status, may_open
from portal.incidents.queries import for_tenancy
from portal.tenancy.models import Invitation, Membership, Tenancy

bp = policy.declare(
    Blueprint("vendor_tenancy", __name__, url_prefix="/vendor/tenancies"),
    policy.vendor(policy.Permission.VENDOR_CONSOLE),
)


def _tenancy(slug: str) -> Tenancy:
    tenancy: Tenancy | None = db.session.scalar(
        select(Tenancy)
        .where(Tenancy.slug == slug)
        .options(joinedload(Tenancy.trust), selectinload(Tenancy.academies), selectinload(Tenancy.directories))
    )
    if tenancy is None:
        abort(404)
    return tenancy


@bp.get("/<slug:slug>/summary")
def summary(slug: str) -> str:
    """Agreement, options, changes and objections, members, directories, incidents and exit of one tenancy."""
    tenancy = _tenancy(slug)
    status = tenancy_statuses([tenancy])[0]
    members = db.session.scalars(
        select(Membership)
        .where(Membership.tenancy_id == tenancy.id)
        .options(joinedload(Membership.user))
        .order_by(Membership.id)
    ).all()
    open_invitations = db.session.scalars(
        select(Invitation).where(
            Invitation.tenancy_id == tenancy.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None)
        )
    ).all()
    exits = db.session.scalars(
        select(ExitCase).where(ExitCase.tenancy_id == tenancy.id).order_by(ExitCase.opened_at.desc())
    ).all()
    return render_template(
        "vendor/summary.html",
        tenancy=tenancy,
        status=status,
        change_status=change_status,
        members=sorted(members, key=lambda m: m.user.display_name),
        invitations=open_invitations,
        objections=tenancy_objections([tenancy.id]),
        incidents=for_tenancy(tenancy),
        exits=exits,
        may_open=may_open,
    )
