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

from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.auth import sessions
from portal.auth.models import VendorRole
from portal.extensions import db
from portal.tenancy.models import Role, Tenancy


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
    # The API (#27): what a service token's scopes allow; held by tokens, never by a user's role.
    API_READ = "api_read"
    API_CONFIRM = "api_confirm"


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

    kind: str  # "public" | "signed_in" | "tenancy" | "vendor" | "api" (a service token, #27)
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


def api(permission: Permission = Permission.API_READ) -> Rule:
    """A service token with the scope this permission names (portal/api/auth.py checks it)."""
    return Rule("api", permission)


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
    memberships = sessions.memberships(user)
    found = [memberships[key] for key in (tenancy.id, tenancy.trust_id) if key in memberships]
    return max(found, key=_RANK.__getitem__, default=None)


def _tenancy_by_slug(slug: str) -> Tenancy | None:
    """The tenancy a path names: one the user loader already read, else one query."""
    known = sessions.member_tenancy(getattr(current_user, "id", None), slug)
    if known is not None:
        return known
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
    app.jinja_env.globals["can_open"] = can_open


def can_open(endpoint: str, tenancy: Tenancy | None = None) -> bool:
    """Whether the signed-in person may open an endpoint: a link they cannot use is not shown (#25)."""
    if endpoint not in current_app.view_functions:
        return False
    rule = rule_for(current_app, endpoint)
    if rule is None:
        return False
    if rule.kind == "public":
        return True
    if not current_user.is_authenticated:
        return False
    if rule.kind == "signed_in":
        return True
    assert rule.permission is not None or rule.kind not in ("vendor", "tenancy")
    if rule.kind == "vendor":
        return may(current_user, rule.permission)  # type: ignore[arg-type]
    if rule.kind == "tenancy":
        here = tenancy if tenancy is not None else g.get("tenancy")
        return here is not None and may(current_user, rule.permission, here)  # type: ignore[arg-type]
    return False


def _deny(status: int, reason: str, tenancy_id: int | None = None) -> None:
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
    endpoint = request.endpoint
    if endpoint is None:
        return None  # the router answers 404 or 405 itself
    rule = rule_for(current_app, endpoint)
    if rule is None:
        _deny(403, f"no access rule for {endpoint}")
    assert rule is not None
    if rule.kind == "public":
        return None
    if rule.kind == "api":  # a bearer token, not a session: no sign-in page, no cookie
        from portal.api.auth import enforce_token

        return enforce_token(rule)
    if not current_user.is_authenticated:
        return sessions.send_to_sign_in()
    if rule.kind == "signed_in":
        return None
    if rule.kind == "vendor":
        assert rule.permission is not None
        if not may(current_user, rule.permission):
            _deny(403, f"lacks {rule.permission.value}")
        if rule.recent_sign_in and sessions.needs_recent_sign_in():
            return sessions.send_to_sign_in(reauthenticate=True)
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
    # Known before the check, so a refusal can speak to the member's role in this tenancy (#25).
    g.tenancy = tenancy_obj
    g.role = role
    if rule.permission not in TENANCY_PERMISSIONS[role]:
        _deny(403, f"role {role.value} lacks {rule.permission.value}", tenancy_obj.id)
