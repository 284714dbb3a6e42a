"""Who may do what: the one place that decides. Deny unless a rule allows.

Every view is covered by a rule: its own (set with @allow) or its blueprint's (set with
declare). A request to an endpoint with no rule is refused; a test walks the URL map.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import select

from portal.audit.models import Outcome
from portal.auth.models import User, VendorRole
from portal.tenancy.models import Membership, Role, Tenancy


class Permission(enum.StrEnum):
    # Within a tenancy
    VIEW_TENANCY = "view_tenancy"
    DOWNLOAD_AGREEMENTS = "download_agreements"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OPTIONS = "manage_options"
    LODGE_OBJECTIONS = "lodge_objections"
    SIGN_AGREEMENTS = "sign_agreements"
    VIEW_TENANCY_AUDIT = "view_tenancy_audit"
    ACT_FOR_TRUST = "act_for_trust"
    ACT_ON_INCIDENTS = "act_on_incidents"
    REQUEST_EXIT = "request_exit"
    # Vendor console
    VENDOR_CONSOLE = "vendor_console"
    MANAGE_REGISTER = "manage_register"
    HANDLE_OBJECTIONS = "handle_objections"
    ONBOARD_TENANCIES = "onboard_tenancies"
    VIEW_ALL_AUDIT = "view_all_audit"
    MANAGE_STAFF = "manage_staff"
    REVOKE_SESSIONS = "revoke_sessions"
    CHANGE_SETTINGS = "change_settings"
    # Who may grant access to schools' data, or change what they are asked to sign: publishing a
    # DPA text, confirming a GIAS import, binding a directory, domain auto-join, inviting a data lead.
    GRANT_ACCESS = "grant_access"
    HANDLE_INCIDENTS = "handle_incidents"
    PUBLISH_INCIDENT_NOTICES = "publish_incident_notices"
    HANDLE_EXITS = "handle_exits"


_SCHOOL_LEAD = {
    Permission.VIEW_TENANCY,
    Permission.DOWNLOAD_AGREEMENTS,
    Permission.MANAGE_MEMBERS,
    Permission.MANAGE_OPTIONS,
    Permission.LODGE_OBJECTIONS,
    Permission.SIGN_AGREEMENTS,
    Permission.VIEW_TENANCY_AUDIT,
    Permission.ACT_ON_INCIDENTS,
    Permission.REQUEST_EXIT,
}

TENANCY_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW_TENANCY, Permission.DOWNLOAD_AGREEMENTS}),
    Role.DATA_LEAD: frozenset(_SCHOOL_LEAD),
    Role.TRUST_ADMIN: frozenset(_SCHOOL_LEAD | {Permission.ACT_FOR_TRUST}),
}

_STAFF = {
    Permission.VENDOR_CONSOLE,
    Permission.MANAGE_REGISTER,
    Permission.HANDLE_OBJECTIONS,
    Permission.ONBOARD_TENANCIES,
    Permission.VIEW_ALL_AUDIT,
    Permission.HANDLE_INCIDENTS,
    Permission.HANDLE_EXITS,
}

VENDOR_PERMISSIONS: dict[VendorRole, frozenset[Permission]] = {
    VendorRole.STAFF: frozenset(_STAFF),
    VendorRole.ADMIN: frozenset(
        _STAFF
        | {Permission.MANAGE_STAFF, Permission.REVOKE_SESSIONS, Permission.CHANGE_SETTINGS, Permission.GRANT_ACCESS}
        | {Permission.PUBLISH_INCIDENT_NOTICES}
    ),
}

_RANK = {Role.VIEWER: 0, Role.DATA_LEAD: 1, Role.TRUST_ADMIN: 2}


@dataclass(frozen=True)
class Rule:
    """Who may enter: the public, anyone signed in, members of the URL's tenancy, or vendor staff."""

    kind: str  # "public" | "signed_in" | "tenancy" | "vendor"
    permission: Permission | None = None
    recent_sign_in: bool = False

    def describe(self) -> str:
        suffix = f":{self.permission.value}" if self.permission else ""
        return f"{self.kind}{suffix}{' (recent sign-in)' if self.recent_sign_in else ''}"


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")


def tenancy(permission: Permission = Permission.VIEW_TENANCY) -> Rule:
    return Rule("tenancy", permission)


def vendor(permission: Permission = Permission.VENDOR_CONSOLE, *, recent_sign_in: bool = False) -> Rule:
    return Rule("vendor", permission, recent_sign_in)


# Vendor admins only, signed in within RECENT_SIGN_IN_MINUTES: actions that grant access to a
# school's data or change what schools sign.
GRANT_ACCESS = Rule("vendor", Permission.GRANT_ACCESS, recent_sign_in=True)

_BLUEPRINT_RULES: dict[str, Rule] = {}
F = TypeVar("F", bound=Callable[..., Any])


def allow(rule: Rule) -> Callable[[F], F]:
    """Set the rule for one view (tighter or looser than its blueprint's)."""

    def decorate(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def declare(blueprint: Blueprint, rule: Rule) -> Blueprint:
    """Set the rule every view of a blueprint has unless it says otherwise."""
    _BLUEPRINT_RULES[blueprint.name] = rule
    return blueprint


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    """The rule guarding an endpoint, or None (which means: refused)."""
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    rule = getattr(view, "access_rule", None)
    if rule is not None:
        return rule  # type: ignore[no-any-return]
    blueprint = endpoint.rpartition(".")[0]
    return _BLUEPRINT_RULES.get(blueprint) if blueprint else None


def tenancy_role(user: Any, tenancy: Tenancy) -> Role | None:
    """The user's role in a tenancy: their own membership, or what they hold in its trust."""
    if not getattr(user, "is_authenticated", False) or user.is_disabled:
        return None
    memberships = _memberships(user)
    found = [memberships[key] for key in (tenancy.id, tenancy.trust_id) if key in memberships]
    return max(found, key=_RANK.__getitem__, default=None)


def remember_memberships(user_id: int, memberships: list[tuple[Tenancy, Role]]) -> None:
    """Keep a user's memberships for this request (the user loader reads them with the user).

    The tenancies come too, by slug: a page of one of them needs no second look-up."""
    g._memberships = (user_id, {tenancy.id: role for tenancy, role in memberships})
    g._member_tenancies = (user_id, {tenancy.slug: tenancy for tenancy, _ in memberships})


def _memberships(user: User) -> dict[int, Role]:
    """The user's memberships by tenancy id, read once per request."""
    cached = g.get("_memberships")
    if cached is None or cached[0] != user.id:
        from portal.extensions import db

        rows = db.session.execute(select(Membership.tenancy_id, Membership.role).where(Membership.user_id == user.id))
        cached = (user.id, dict(rows.all()))
        g._memberships = cached
    return cached[1]  # type: ignore[no-any-return]


def _tenancy_by_slug(slug: str) -> Tenancy | None:
    """The tenancy a path names: one the user loader already read, else one query."""
    from portal.extensions import db

    known = g.get("_member_tenancies")
    if known is not None and getattr(current_user, "id", None) == known[0] and slug in known[1]:
        return known[1][slug]  # type: ignore[no-any-return]
    return db.session.scalar(select(Tenancy).where(Tenancy.slug == slug))


def may(user: Any, permission: Permission, tenancy: Tenancy | None = None) -> bool:
    """Whether a user holds a permission (in a tenancy, for tenancy permissions)."""
    if not getattr(user, "is_authenticated", False) or user.is_disabled:
        return False
    if tenancy is None:
        return user.vendor_role is not None and permission in VENDOR_PERMISSIONS[user.vendor_role]
    role = tenancy_role(user, tenancy)
    return role is not None and permission in TENANCY_PERMISSIONS[role]


def init_app(app: Flask) -> None:
    """Check every request against its endpoint's rule, and offer `may` to templates."""
    app.before_request(_enforce)
    app.jinja_env.globals["may"] = lambda permission, tenancy=None: may(current_user, Permission(permission), tenancy)
    app.jinja_env.globals["Permission"] = Permission


def _deny(status: int, reason: str, tenancy_id: int | None = None) -> None:
    from portal.audit import service as audit
    from portal.extensions import db

    db.session.rollback()
    audit.record(
        "access.denied",
        actor=audit.Actor.of(current_user),
        outcome=Outcome.DENIED,
        tenancy_id=tenancy_id,
        object_type="route",
        object_id=request.path[:80],
        reason=reason,
    )
    db.session.commit()
    abort(status)


def _enforce() -> Any:
    from portal.auth.sessions import needs_recent_sign_in, send_to_sign_in

    endpoint = request.endpoint
    if endpoint is None:
        return None  # the router answers 404 or 405 itself
    rule = rule_for(current_app, endpoint)
    if rule is None:
        _deny(403, f"no access rule for {endpoint}")
    assert rule is not None
    if rule.kind == "public":
        return None
    if not current_user.is_authenticated:
        return send_to_sign_in()
    if rule.kind == "signed_in":
        return None
    if rule.kind == "vendor":
        assert rule.permission is not None
        if not may(current_user, rule.permission):
            _deny(403, f"lacks {rule.permission.value}")
        if rule.recent_sign_in and needs_recent_sign_in():
            return send_to_sign_in(reauthenticate=True)
        return None
    if rule.kind == "tenancy":
        return _enforce_tenancy(rule)
    _deny(403, f"unknown rule kind {rule.kind}")
    return None


def _enforce_tenancy(rule: Rule) -> None:
    slug = g.get("tenancy_slug")
    tenancy_obj = _tenancy_by_slug(slug) if slug else None
    role = tenancy_role(current_user, tenancy_obj) if tenancy_obj is not None else None
    if tenancy_obj is None or role is None:
        # Outsiders learn nothing, not even that the tenancy exists.
        _deny(404, "not a member of this tenancy", tenancy_obj.id if tenancy_obj is not None else None)
    assert tenancy_obj is not None and role is not None and rule.permission is not None
    if rule.permission not in TENANCY_PERMISSIONS[role]:
        _deny(403, f"role {role.value} lacks {rule.permission.value}", tenancy_obj.id)
    g.tenancy = tenancy_obj
    g.role = role
