"""What the console reads: tenancies with their state, the GIAS register search, and the day's tiles."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, literal, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.auth.models import User
from portal.changes.models import Objection
from portal.changes.states import OPEN_STATES
from portal.dates import now
from portal.documents.models import Agreement, DpaTextVersion
from portal.gias.models import GiasEstablishment, GiasGroup
from portal.pagination import Page, paginate
from portal.tenancy.models import Invitation, Membership, Tenancy

PER_PAGE = 25


class TenancyState(enum.StrEnum):
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    ACTIVE = "active"

    @property
    def label(self) -> str:
        labels = {"not_invited": _l("Not invited"), "invited": _l("Invited"), "active": _l("Active")}
        return str(labels[self.value])


def active() -> Any:
    """A member has signed in: the tenancy is in use."""
    return (
        exists()
        .where(Membership.tenancy_id == Tenancy.id, Membership.user_id == User.id, User.last_sign_in_at.is_not(None))
        .correlate(Tenancy)
    )


def invited() -> Any:
    """An invitation is open (not accepted, revoked or expired)."""
    return (
        exists()
        .where(
            Invitation.tenancy_id == Tenancy.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
        .correlate(Tenancy)
    )


@dataclass(frozen=True)
class Column:
    """An extra per-tenancy state (DPA signed, objections open) another capability contributes."""

    key: str
    label: Any  # a lazy string: shown in the page's language
    expression: Callable[[], Any]  # a boolean SQL expression correlated to Tenancy
    shown: bool = True  # False: a filter only, not a flag in the list


def current_text_version() -> Any:
    """The id of the DPA text in force (the highest published number), as a scalar subquery."""
    return select(DpaTextVersion.id).order_by(DpaTextVersion.number.desc()).limit(1).scalar_subquery()


def dpa_signed() -> Any:
    """The tenancy has signed the DPA text in force."""
    return (
        exists()
        .where(Agreement.tenancy_id == Tenancy.id, Agreement.text_version_id == current_text_version())
        .correlate(Tenancy)
    )


def objections_open() -> Any:
    """The tenancy has an objection awaiting acknowledgement or a decision."""
    return exists().where(Objection.tenancy_id == Tenancy.id, Objection.state.in_(OPEN_STATES)).correlate(Tenancy)


STATE_COLUMNS: list[Column] = [
    Column("dpa_signed", _l("DPA signed"), dpa_signed),
    Column("objections_open", _l("Objections open"), objections_open),
    Column("dpa_unsigned", _l("No signed current DPA"), lambda: ~dpa_signed(), shown=False),
]


def tenancy_query(search: str = "", state: str = "") -> Select[Any]:
    """Tenancies with their state flags, filtered by name, URN, group UID or trust name, and by state."""
    trust = aliased(Tenancy)
    extra = [column.expression().label(column.key) for column in STATE_COLUMNS if column.shown]
    query = (
        select(Tenancy, active().label("active"), invited().label("invited"), *extra)
        .outerjoin(trust, Tenancy.trust_id == trust.id)
        .options(selectinload(Tenancy.trust))
        .order_by(Tenancy.name, Tenancy.id)
    )
    if term := search.strip():
        like = f"%{term.lower()}%"
        query = query.where(
            or_(
                func.lower(Tenancy.name).like(like),
                Tenancy.urn == term,
                Tenancy.group_uid == term,
                func.lower(trust.name).like(like),
            )
        )
    if state == TenancyState.ACTIVE:
        query = query.where(active())
    elif state == TenancyState.INVITED:
        query = query.where(invited(), ~active())
    elif state == TenancyState.NOT_INVITED:
        query = query.where(~invited(), ~active())
    else:
        for column in STATE_COLUMNS:
            if state == column.key:
                query = query.where(column.expression())
    return query


def tenancies(search: str = "", state: str = "", page: int = 1) -> Page:
    """One page of tenancies: two queries (the page and its count) plus one for their trusts."""
    return paginate(tenancy_query(search, state), page, PER_PAGE)


def state_of(row: Any) -> TenancyState:
    if row.active:
        return TenancyState.ACTIVE
    return TenancyState.INVITED if row.invited else TenancyState.NOT_INVITED


def register_search(search: str, page: int = 1) -> Page:
    """Open schools and trusts in the imported register matching a name, URN or group UID, not yet tenancies."""
    term = search.strip()
    like = f"%{term.lower()}%"
    schools = select(
        literal("school").label("kind"),
        GiasEstablishment.urn.label("key"),
        GiasEstablishment.name,
        GiasEstablishment.local_authority.label("detail"),
        GiasEstablishment.status,
    ).where(
        or_(func.lower(GiasEstablishment.name).like(like), GiasEstablishment.urn == term),
        GiasEstablishment.status != "Closed",
        ~exists().where(Tenancy.urn == GiasEstablishment.urn),
    )
    groups = select(
        literal("trust").label("kind"),
        GiasGroup.uid.label("key"),
        GiasGroup.name,
        GiasGroup.group_type.label("detail"),
        GiasGroup.status,
    ).where(
        or_(func.lower(GiasGroup.name).like(like), GiasGroup.uid == term),
        GiasGroup.status != "Closed",
        ~exists().where(Tenancy.group_uid == GiasGroup.uid),
    )
    union = schools.union_all(groups).subquery()
    query = select(union).order_by(union.c.name, union.c.key)
    return paginate(query, page, PER_PAGE)


@dataclass(frozen=True)
class Tile:
    """One thing needing attention today: a count, what it means, and where to act on it."""

    title: str
    count: int
    description: str
    endpoint: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    detail: str = ""


# Tiles other capabilities add to the console home (each a function making one query); the
# console's own are in portal.vendor.tiles.
TILES: list[Callable[[], Tile]] = []


def has_state_filter(key: str) -> bool:
    return key in {s.value for s in TenancyState} or any(c.key == key for c in STATE_COLUMNS)
