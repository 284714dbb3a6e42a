"""Audit views: a tenancy's log for its data leads, and the whole log (filters, CSV) for vendor staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, render_template, request
from sqlalchemy import Select, select

from portal import policy
from portal.audit.models import AuditEvent, Outcome
from portal.dates import end_of_uk_day, start_of_uk_day
from portal.extensions import db
from portal.policy import Permission
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
    ids = [tenancy.id, *(academy.id for academy in tenancy.academies)]
    query = select(AuditEvent).where(AuditEvent.tenancy_id.in_(ids))
    return render_template("audit/tenancy_log.html", tenancy=tenancy, events=_page(query))


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
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    ordered = query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    return db.paginate(ordered, page=page, per_page=PER_PAGE, error_out=False)
