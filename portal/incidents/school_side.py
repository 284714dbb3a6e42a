"""Incidents, the schools' side: acknowledging a notice, the reminders for those who have not, a school's report.

Like `portal.incidents.service`, every step writes the audit row and queues mail in the caller's
transaction; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.audit.service import Actor, record
from portal.dates import now, uk_today
from portal.extensions import db
from portal.incidents import mail, service
from portal.incidents.models import AffectedSource, Incident, IncidentTenancy
from portal.incidents.states import EntryKind, IncidentState
from portal.tenancy.models import Tenancy

REMIND_AFTER = dt.timedelta(hours=24)


def acknowledge(incident: Incident, tenancy: Tenancy, *, actor: Actor) -> IncidentTenancy:
    """A school acknowledges the notice: who and when, once."""
    row = service.tenancy_row(incident, tenancy.id)
    if row is None or not row.included or incident.state not in (IncidentState.NOTIFIED, IncidentState.CLOSED):
        raise service.IncidentError(_("There is no notice to acknowledge."))
    if row.acknowledged_at is not None:
        return row
    row.acknowledged_at, row.acknowledged_by_id, row.acknowledged_by_label = now(), actor.user_id, actor.label
    db.session.flush()
    record("incident.acknowledged", actor=actor, tenancy_id=tenancy.id, object_type="incident", object_id=incident.id)
    return row


def unacknowledged_query(incident: Incident, *, at: dt.datetime | None = None) -> Any:
    """Listed tenancies that have not acknowledged 24 hours after the first notice (none before then)."""
    at = at or now()
    query = select(
        IncidentTenancy.id, IncidentTenancy.tenancy_id, Tenancy.name, Tenancy.slug, IncidentTenancy.reminded_at
    )
    query = query.join(Tenancy, Tenancy.id == IncidentTenancy.tenancy_id).where(
        IncidentTenancy.incident_id == incident.id,
        IncidentTenancy.included.is_(True),
        IncidentTenancy.acknowledged_at.is_(None),
    )
    if incident.notified_at is None or at - incident.notified_at < REMIND_AFTER:
        return query.where(IncidentTenancy.id.is_(None))
    return query.order_by(Tenancy.name, Tenancy.id)


def remind(incident: Incident, *, actor: Actor, at: dt.datetime | None = None) -> int:
    """Mail a reminder to every tenancy that has not acknowledged after 24 hours; how many tenancies."""
    if incident.state is not IncidentState.NOTIFIED:
        raise service.IncidentError(_("Reminders go out only while the incident is open."))
    ids = [row.id for row in db.session.execute(unacknowledged_query(incident, at=at))]
    if not ids:
        raise service.IncidentError(
            _("Every school has acknowledged, or 24 hours have not yet passed since the notice.")
        )
    rows = list(db.session.scalars(select(IncidentTenancy).where(IncidentTenancy.id.in_(ids))))
    first = next(e for e in incident.entries if e.kind is EntryKind.NOTIFIED)
    mail.mail_entry(incident, first, rows, reminder=True)
    db.session.execute(update(IncidentTenancy).where(IncidentTenancy.id.in_(ids)).values(reminded_at=at or now()))
    record(
        "incident.reminded", actor=actor, object_type="incident", object_id=incident.id, details={"tenancies": len(ids)}
    )
    return len(ids)


def report_suspected(tenancy: Tenancy, *, what: str, noticed_on: dt.date, contact: str, actor: Actor) -> Incident:
    """A school reports a suspected incident: it lands in the vendor's queue, its clock running from now."""
    if not what.strip():
        raise service.IncidentError(_("Describe what happened"), "what")
    if not contact.strip():
        raise service.IncidentError(_("Enter who we should contact"), "contact")
    today = uk_today()
    if noticed_on > today:
        raise service.IncidentError(_("The date you noticed it must be today or in the past"), "noticed_on")
    incident = Incident(
        state=IncidentState.REPORTED,
        title=service.one_line(_("Suspected incident reported by %(school)s", school=tenancy.name)),
        aware_at=now(),
        what_happened=what.strip(),
        entry_keys=[],
        period_start=noticed_on,
        period_end=today,
        contact=contact.strip(),
        reported_by_tenancy_id=tenancy.id,
        opened_by_id=actor.user_id,
    )
    db.session.add(incident)
    db.session.flush()
    db.session.add(
        IncidentTenancy(
            incident_id=incident.id,
            tenancy_id=tenancy.id,
            source=AffectedSource.ADDED,
            reason=_("Reported the incident."),
            changed_by_label=actor.label,
        )
    )
    service.add_entry(incident, EntryKind.REPORTED, actor, what.strip())
    record("incident.reported", actor=actor, tenancy_id=tenancy.id, object_type="incident", object_id=incident.id)
    mail.mail_vendor_report(incident, tenancy)
    return incident
