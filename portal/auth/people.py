"""Vendor admin: people (list, disable or enable, change vendor role, revoke sessions); recent sign-in needed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from portal import policy
from portal.audit import service as audit
from portal.auth.models import User, VendorRole
from portal.auth.sessions import revoke_sessions
from portal.extensions import db
from portal.pagination import paginate, requested_page
from portal.policy import Permission
from portal.tenancy.models import Membership
from portal.web.messages import success

bp = policy.declare(
    Blueprint("people", __name__, url_prefix="/vendor/people"),
    policy.vendor(Permission.MANAGE_STAFF, recent_sign_in=True),
)
VENDOR_ROLE_CHOICES = {"none": None, VendorRole.STAFF.value: VendorRole.STAFF, VendorRole.ADMIN.value: VendorRole.ADMIN}


class PeopleError(ValueError):
    """An administrative change the portal refuses."""


@bp.get("")
def index() -> str:
    people = paginate(
        select(User)
        .options(selectinload(User.memberships).joinedload(Membership.tenancy))
        .order_by(User.display_name, User.id),
        requested_page(),
        50,
        entities=True,
    )
    return render_template("auth/people.html", people=people, roles=list(VendorRole))


@bp.post("/<int:user_id>/disable")
def disable(user_id: int) -> Response:
    return _act(user_id, "disable")


@bp.post("/<int:user_id>/enable")
def enable(user_id: int) -> Response:
    return _act(user_id, "enable")


@bp.post("/<int:user_id>/revoke")
def revoke(user_id: int) -> Response:
    return _act(user_id, "revoke")


@bp.post("/<int:user_id>/vendor-role")
def vendor_role(user_id: int) -> Response:
    return _act(user_id, "vendor_role", request.form.get("vendor_role", ""))


def apply(person: User, action: str, *, acting: User, value: str = "") -> str:
    """Carry out one administrative action on a person and audit it; returns the confirmation."""
    if person.id == acting.id and action in {"disable", "vendor_role"}:
        raise PeopleError(_("You cannot do that to your own account"))
    details: dict[str, str | None] = {}
    if action == "disable":
        person.is_disabled = True
        revoke_sessions(person.id)
        message = _("%(name)s is disabled and signed out everywhere.", name=person.display_name)
    elif action == "enable":
        person.is_disabled = False
        message = _("%(name)s can sign in again.", name=person.display_name)
    elif action == "revoke":
        revoke_sessions(person.id)
        message = _("Every session of %(name)s has ended.", name=person.display_name)
    else:
        if value not in VENDOR_ROLE_CHOICES:
            raise PeopleError(_("Select a vendor role"))
        details = {"from": person.vendor_role.value if person.vendor_role else None, "to": value}
        person.vendor_role = VENDOR_ROLE_CHOICES[value]
        revoke_sessions(person.id)
        message = _("%(name)s's vendor role has changed.", name=person.display_name)
    db.session.flush()
    audit.record(
        f"people.{action}",
        actor=audit.Actor.of(acting),
        object_type="user",
        object_id=person.id,
        details=details or None,
    )
    return str(message)


def _act(user_id: int, action: str, value: str = "") -> Response:
    person = db.get_or_404(User, user_id)
    try:
        message = apply(person, action, acting=current_user, value=value)
    except PeopleError as error:
        flash(str(error))
        return redirect(url_for("people.index"))
    db.session.commit()
    success(message)
    return redirect(url_for("people.index"))
