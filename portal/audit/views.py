"""Audit views: a tenancy's log for its data leads, and the whole log (filters, CSV) for vendor staff."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from portal import policy
from portal.audit.models import AuditEvent, Outcome
from portal.audit.sentences import TYPES, Sentence, describe
from portal.auth.models import User
from portal.dates import end_of_uk_day, govuk_datetime, start_of_uk_day
from portal.extensions import db
from portal.pagination import paginate, requested_page
from portal.policy import Permission
from portal.tenancy.models import Membership, Tenancy
from portal.tenancy.scoping import current_tenancy, tenancy_blueprint
from portal.web.csv_export import csv_bytes

bp = tenancy_blueprint("audit", __name__, "/audit")
policy.declare(bp, policy.tenancy(Permission.VIEW_TENANCY_AUDIT))
admin = policy.declare(
    Blueprint("audit_admin", __name__, url_prefix="/vendor/audit"), policy.vendor(Permission.VIEW_ALL_AUDIT)
)
PER_PAGE = 50
CSV_LIMIT = 50_000
CSV_FIELDS = [
    "occurred_at",
    "actor_id",
    "actor_label",
    "tenancy_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "reason",
    "ip",
    "user_agent",
    "request_id",
]


@bp.get("")
def tenancy_log() -> str:
    tenancy = current_tenancy()
    ids = _tenancy_ids(tenancy)
    filters = _school_filters()
    query = _school_filtered(ids, filters)
    events = _page(query)
    labels = _labels_for_school(events.items, [*ids, *([tenancy.trust_id] if tenancy.trust_id else [])])
    hidden = 0
    if not filters["denied"]:
        hidden = (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.tenancy_id.in_(ids), AuditEvent.outcome == Outcome.DENIED
                )
            )
            or 0
        )
    return render_template(
        "audit/tenancy_log.html",
        tenancy=tenancy,
        events=events,
        sentences=_sentences(events.items, labels, tenancy),
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        people=_people(ids),
        types=[(key, str(label)) for key, (label, _prefixes) in TYPES.items()],
        hidden=hidden,
    )


@bp.get("/export.csv")
def tenancy_csv() -> Response:
    """The school's log as it is filtered on the page, as a CSV file with each event's sentence."""
    tenancy = current_tenancy()
    ids = _tenancy_ids(tenancy)
    query = _school_filtered(ids, _school_filters()).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    events = cast(list[AuditEvent], list(db.session.scalars(query.limit(CSV_LIMIT))))
    labels = _labels_for_school(events, [*ids, *([tenancy.trust_id] if tenancy.trust_id else [])])
    sentences = _sentences(events, labels, tenancy)
    rows = (
        [
            govuk_datetime(e.occurred_at),
            labels.get(e.id, e.actor_label),
            sentences[e.id].text,
            e.action,
            e.outcome.value,
            e.object_type,
            e.object_id,
        ]
        for e in events
    )
    header = [_("When (UK time)"), _("Who"), _("What happened"), _("Action"), _("Outcome"), _("Object"), _("Object id")]
    return Response(
        csv_bytes(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{tenancy.slug}.csv"'},
    )


def _tenancy_ids(tenancy: Tenancy) -> list[int]:
    return [tenancy.id, *(academy.id for academy in tenancy.academies)]


def _school_filters() -> dict[str, str]:
    """The school log's filters from the query string: person, type, from and to dates, and denied."""
    values = {key: (request.args.get(key) or "").strip()[:40] for key in ("person", "type", "from", "to")}
    values["denied"] = "1" if request.args.get("denied") == "1" else ""
    if values["type"] not in TYPES:
        values["type"] = ""
    if not values["person"].isdigit():
        values["person"] = ""
    for key in ("from", "to"):
        if _day(values[key]) is None:
            values[key] = ""
    return values


def _school_filtered(ids: list[int], filters: dict[str, str]) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent).where(AuditEvent.tenancy_id.in_(ids))
    if not filters["denied"]:
        query = query.where(AuditEvent.outcome != Outcome.DENIED)
    if filters["type"]:
        prefixes = TYPES[filters["type"]][1]
        query = query.where(or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in prefixes)))
    if filters["person"]:
        query = query.where(AuditEvent.actor_id == int(filters["person"]))
    return _dated(query, filters)


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _dated(query: Select[tuple[AuditEvent]], filters: dict[str, str]) -> Select[tuple[AuditEvent]]:
    start, end = _day(filters["from"]), _day(filters["to"])
    if start is not None:
        query = query.where(AuditEvent.occurred_at >= start_of_uk_day(start))
    if end is not None:
        query = query.where(AuditEvent.occurred_at < end_of_uk_day(end))
    return query


def _people(ids: list[int]) -> list[tuple[int, str]]:
    """Who may be chosen in the person filter: the school's own members (and its trust's), by name."""
    rows = db.session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenancy_id.in_(ids))
        .distinct()
        .order_by(User.display_name)
    )
    return [(row[0], row[1]) for row in rows]


def _sentences(events: list[AuditEvent], labels: dict[int, str], tenancy: Tenancy) -> dict[int, Sentence]:
    slugs = {tenancy.id: tenancy.slug, **{academy.id: academy.slug for academy in tenancy.academies}}
    return {
        e.id: describe(e, labels.get(e.id, e.actor_label), slugs.get(e.tenancy_id) if e.tenancy_id else None)
        for e in events
    }


def _labels_for_school(events: list[AuditEvent], tenancy_ids: list[int]) -> dict[int, str]:
    """Who each event names in a school's log: its own people, its trust's and the vendor's by name,
    anyone else as "someone from another organisation" (an outsider's name is not the school's to see)."""
    actor_ids = {event.actor_id for event in events if event.actor_id is not None}
    if not actor_ids:
        return {}
    known = set(
        db.session.scalars(
            select(User.id).where(
                User.id.in_(actor_ids),
                or_(
                    User.vendor_role.is_not(None),
                    User.id.in_(select(Membership.user_id).where(Membership.tenancy_id.in_(tenancy_ids))),
                ),
            )
        )
    )
    outsider = _("someone from another organisation")
    return {event.id: outsider for event in events if event.actor_id is not None and event.actor_id not in known}


@admin.get("")
def vendor_log() -> str:
    filters = _filters()
    return render_template(
        "audit/vendor_log.html", events=_page(_filtered(filters)), filters=filters, outcomes=[o.value for o in Outcome]
    )


@admin.get("/export.csv")
def vendor_csv() -> Response:
    query = _filtered(_filters()).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(CSV_LIMIT)
    rows = ([getattr(event, name) for name in CSV_FIELDS] for event in db.session.scalars(query))
    return Response(
        csv_bytes(CSV_FIELDS, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


def _filters() -> dict[str, str]:
    return {
        key: (request.args.get(key) or "").strip()[:80]
        for key in ("action", "outcome", "tenancy", "actor", "from", "to")
    }


def _filtered(filters: dict[str, str]) -> Select[tuple[AuditEvent]]:
    query = select(AuditEvent)
    if filters["action"]:
        query = query.where(AuditEvent.action.startswith(filters["action"], autoescape=True))
    if filters["outcome"] in {o.value for o in Outcome}:
        query = query.where(AuditEvent.outcome == Outcome(filters["outcome"]))
    if filters["tenancy"].isdigit():
        query = query.where(AuditEvent.tenancy_id == int(filters["tenancy"]))
    if filters["actor"].isdigit():
        query = query.where(AuditEvent.actor_id == int(filters["actor"]))
    for key, bound in (("from", start_of_uk_day), ("to", end_of_uk_day)):
        try:
            day = dt.date.fromisoformat(filters[key]) if filters[key] else None
        except ValueError:
            day = None
        if day is not None:
            stamp = bound(day)
            query = query.where(AuditEvent.occurred_at >= stamp if key == "from" else AuditEvent.occurred_at < stamp)
    return query


def _page(query: Select[tuple[AuditEvent]]) -> Any:
    ordered = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    return paginate(ordered, requested_page(), PER_PAGE, entities=True)
