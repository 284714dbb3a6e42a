"""Managing a tenancy's members: change a role, remove someone (their sessions end at once)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.audit import service as audit
from portal.auth.models import User
from portal.auth.sessions import revoke_sessions
from portal.extensions import db
from portal.tenancy.models import Membership, Role, Tenancy, TenancyKind


class MembershipError(ValueError):
    """A membership change the portal refuses; the message is shown to the user."""


def assignable_roles(tenancy: Tenancy) -> list[Role]:
    """Roles a member of this tenancy can hold: a trust has trust admins, a school has data leads."""
    if tenancy.kind is TenancyKind.TRUST:
        return [Role.VIEWER, Role.TRUST_ADMIN]
    return [Role.VIEWER, Role.DATA_LEAD]


def change_role(membership: Membership, *, role: Role, acting: User) -> None:
    """Give a member another role (never their own: nobody locks themselves out)."""
    if role not in assignable_roles(membership.tenancy):
        raise MembershipError(_("Select a role this organisation can give"))
    if membership.user_id == acting.id:
        raise MembershipError(_("You cannot change your own role"))
    before = membership.role
    membership.role = role
    db.session.flush()
    audit.record(
        "membership.role_changed",
        actor=audit.Actor.of(acting),
        tenancy_id=membership.tenancy_id,
        object_type="user",
        object_id=membership.user_id,
        details={"from": before.value, "to": role.value},
    )


def remove(membership: Membership, *, acting: User) -> None:
    """Remove a member; every session of theirs ends at its next request."""
    if membership.user_id == acting.id:
        raise MembershipError(_("You cannot remove yourself"))
    tenancy_id, user_id, role = membership.tenancy_id, membership.user_id, membership.role
    db.session.delete(membership)
    revoke_sessions(user_id)
    db.session.flush()
    audit.record(
        "membership.removed",
        actor=audit.Actor.of(acting),
        tenancy_id=tenancy_id,
        object_type="user",
        object_id=user_id,
        details={"role": role.value},
    )
