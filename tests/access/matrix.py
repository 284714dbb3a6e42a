"""The access matrix: a world with every role, and rows saying what each role gets on each route.

See README.md in this folder. Rows live in `rules_<package>.py` files, one per package.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.audit.service import Actor
from portal.auth.models import User, VendorRole
from portal.extensions import db
from portal.tenancy import invitations
from portal.tenancy.models import Invitation, Membership, Role, Tenancy
from tests.factories import make_school, make_trust, make_user

ROLES = ("anonymous", "viewer", "data_lead", "trust_admin", "other_trust_admin", "vendor_staff", "vendor_admin")

Values = Callable[["World", "Tenancy | None"], dict[str, Any]]


@dataclass
class World:
    """Everyone the matrix signs in as, and the tenancies they are inside or outside of.

    `own` is an academy of `trust`: the viewer and data lead belong to it, `trust_admin` acts for it
    through the trust. `other` is an unrelated school; `other_trust_admin` runs `other_trust`.
    `spare[tenancy.id]` is a viewer member of each target tenancy (something to change or remove).
    """

    trust: Tenancy
    own: Tenancy
    other_trust: Tenancy
    other: Tenancy
    users: dict[str, User]
    spare: dict[int, Membership] = field(default_factory=dict)
    # A pending invitation to each target tenancy (something to withdraw).
    pending: dict[int, Invitation] = field(default_factory=dict)


def build_world() -> World:
    trust = make_trust("Matrix Trust")
    own = make_school("Matrix Academy", trust=trust)
    other_trust = make_trust("Elsewhere Trust")
    make_school("Elsewhere Academy", trust=other_trust)
    other = make_school("Unrelated School")
    users = {
        "viewer": make_user("Matrix Viewer", tenancy=own, role=Role.VIEWER),
        "data_lead": make_user("Matrix Lead", tenancy=own, role=Role.DATA_LEAD),
        "trust_admin": make_user("Matrix Trust Admin", tenancy=trust, role=Role.TRUST_ADMIN),
        "other_trust_admin": make_user("Other Trust Admin", tenancy=other_trust, role=Role.TRUST_ADMIN),
        "vendor_staff": make_user("Matrix Staff", vendor_role=VendorRole.STAFF),
        "vendor_admin": make_user("Matrix Admin", vendor_role=VendorRole.ADMIN),
    }
    make_user("Other Lead", tenancy=other, role=Role.DATA_LEAD)
    world = World(trust=trust, own=own, other_trust=other_trust, other=other, users=users)
    for tenancy in (own, other):
        spare_user = make_user(f"Spare member of {tenancy.name}", tenancy=tenancy, role=Role.VIEWER)
        world.spare[tenancy.id] = db.session.query(Membership).filter_by(user_id=spare_user.id).one()
        world.pending[tenancy.id] = invitations.invite(
            tenancy=tenancy,
            email=f"invited-{tenancy.id}@school.example",
            role=Role.VIEWER,
            invited_by=None,
            actor=Actor.system("matrix"),
        )
    return world


def codes(text: str) -> dict[str, int]:
    """'302 200 ...' in ROLES order → {role: status}."""
    parts = text.split()
    if len(parts) != len(ROLES) or not all(p.isdigit() for p in parts):
        raise ValueError(f"a cell row needs {len(ROLES)} status codes in the order {ROLES}: {text!r}")
    return dict(zip(ROLES, map(int, parts), strict=True))


@dataclass(frozen=True)
class Row:
    """One route and method, and the status each role gets.

    Routes outside a tenancy give `status`; routes under /t/<tenancy>/ give `own` and `other`
    (and optionally `cross`: the own tenancy's URL with the other tenancy's object ids).
    `values(world, tenancy)` returns the URL values other than `tenancy` (it may create objects
    in that tenancy); `data(world, tenancy)` the POST body (a CSRF token is added).
    """

    endpoint: str
    method: str = "GET"
    status: str | None = None
    own: str | None = None
    other: str | None = None
    cross: str | None = None
    values: Values | None = None
    data: Values | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


def all_rows() -> list[Row]:
    """Every row from every tests/access/rules_*.py module (each exports ROWS)."""
    import tests.access as package

    rows: list[Row] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("rules_")):
        rows.extend(importlib.import_module(f"tests.access.{module}").ROWS)
    return rows
