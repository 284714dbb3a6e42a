"""What the incident pages read: a constant number of statements however many tenancies are listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.incidents.models import Incident, IncidentTenancy
from portal.incidents.states import PUBLISHED_STATES, IncidentState
from portal.pagination import Page, paginate
from portal.tenancy.models import Tenancy

PER_PAGE = 50


@dataclass(frozen=True)
class Counts:
    listed: int
    removed: int
    acknowledged: int


def incident(incident_id: int) -> Incident | None:
    return db.session.scalar(select(Incident).where(Incident.id == incident_id).options(selectinload(Incident.entries)))


def all_incidents() -> list[tuple[Incident, int]]:
    """Every incident, open ones first, with how many tenancies each lists (one statement)."""
    listed = (
        select(func.count(IncidentTenancy.id))
        .where(IncidentTenancy.incident_id == Incident.id, IncidentTenancy.included.is_(True))
        .scalar_subquery()
    )
    closed = case((Incident.state.in_([IncidentState.CLOSED, IncidentState.DISMISSED]), 1), else_=0)
    query = select(Incident, listed).order_by(closed, Incident.aware_at.desc(), Incident.id.desc()).limit(200)
    return [(row[0], row[1]) for row in db.session.execute(query)]


def counts(incident: Incident) -> Counts:
    row = db.session.execute(
        select(
            func.count(IncidentTenancy.id).filter(IncidentTenancy.included.is_(True)),
            func.count(IncidentTenancy.id).filter(IncidentTenancy.included.is_(False)),
            func.count(IncidentTenancy.id).filter(IncidentTenancy.acknowledged_at.is_not(None)),
        ).where(IncidentTenancy.incident_id == incident.id)
    ).one()
    return Counts(row[0] or 0, row[1] or 0, row[2] or 0)


def tenancy_page(incident: Incident, *, included: bool, page: int) -> Page:
    """One page of the tenancies listed (or taken off), with what concerned each."""
    query: Any = (
        select(
            IncidentTenancy.tenancy_id,
            Tenancy.name,
            Tenancy.urn,
            Tenancy.group_uid,
            IncidentTenancy.source,
            IncidentTenancy.reason,
            IncidentTenancy.concerns,
            IncidentTenancy.acknowledged_at,
            IncidentTenancy.acknowledged_by_label,
            IncidentTenancy.changed_by_label,
        )
        .join(Tenancy, Tenancy.id == IncidentTenancy.tenancy_id)
        .where(IncidentTenancy.incident_id == incident.id, IncidentTenancy.included.is_(included))
        .order_by(Tenancy.name, Tenancy.id)
    )
    return paginate(query, page, PER_PAGE)


def tenancy_by_reference(text: str) -> Tenancy | None:
    """A tenancy by URN, GIAS group id or slug, as staff type it."""
    value = text.strip().lower()
    return db.session.scalar(
        select(Tenancy).where(or_(Tenancy.urn == value, Tenancy.group_uid == value, Tenancy.slug == value)).limit(1)
    )


def for_tenancy(tenancy: Tenancy) -> list[tuple[Incident, IncidentTenancy | None]]:
    """Incidents a school was told of, and the suspected incidents it reported (one statement)."""
    query = (
        select(Incident, IncidentTenancy)
        .outerjoin(
            IncidentTenancy,
            (IncidentTenancy.incident_id == Incident.id) & (IncidentTenancy.tenancy_id == tenancy.id),
        )
        .where(
            or_(
                (IncidentTenancy.included.is_(True)) & Incident.state.in_(PUBLISHED_STATES),
                Incident.reported_by_tenancy_id == tenancy.id,
            )
        )
        .order_by(Incident.aware_at.desc(), Incident.id.desc())
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def tenancy_incident(tenancy: Tenancy, incident_id: int) -> tuple[Incident, IncidentTenancy | None] | None:
    """One incident as this school may see it, or None (another school's, or not yet notified)."""
    found = list(for_tenancy_one(tenancy, incident_id))
    return found[0] if found else None


def for_tenancy_one(tenancy: Tenancy, incident_id: int) -> list[tuple[Incident, IncidentTenancy | None]]:
    query = (
        select(Incident, IncidentTenancy)
        .outerjoin(
            IncidentTenancy,
            (IncidentTenancy.incident_id == Incident.id) & (IncidentTenancy.tenancy_id == tenancy.id),
        )
        .where(
            Incident.id == incident_id,
            or_(
                (IncidentTenancy.included.is_(True)) & Incident.state.in_(PUBLISHED_STATES),
                Incident.reported_by_tenancy_id == tenancy.id,
            ),
        )
        .options(selectinload(Incident.entries))
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def supplier_choices() -> list[tuple[str, str]]:
    """Every supplier ever in a published register version, by key (the newest name)."""
    from portal.register.models import RegisterEntry, RegisterVersion, VersionStatus

    query = (
        select(RegisterEntry.key, RegisterEntry.supplier)
        .join(RegisterVersion, RegisterVersion.id == RegisterEntry.version_id)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED)
        .order_by(RegisterVersion.sequence)
    )
    names: dict[str, str] = {}
    for key, supplier in db.session.execute(query):
        names[key] = supplier
    return sorted(names.items(), key=lambda pair: pair[1].lower())
