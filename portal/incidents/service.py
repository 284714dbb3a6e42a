"""Incidents: open, scope, notify, update, close (vendor staff); acknowledge and report (schools).

Every step checks the state machine (`portal.incidents.states`), writes a dated timeline entry and
the audit row, and queues any mail in the caller's transaction. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.service import Actor, record
from portal.dates import UK, now
from portal.extensions import db
from portal.incidents import affected, mail
from portal.incidents.models import ART33_FIELDS, AffectedSource, Incident, IncidentEntry, IncidentTenancy
from portal.incidents.states import OPEN_STATES, EntryKind, IllegalTransition, IncidentState, check_transition
from portal.tenancy.models import Tenancy
from portal.web.forms import valid_submission_key

ART33_LABELS = {
    "nature": "the nature of the breach (categories and approximate numbers of people and records)",
    "consequences": "the likely consequences",
    "measures": "the measures taken or proposed",
    "contact": "the contact point for more information",
}


class IncidentError(ValueError):
    """A step refused with a message for the user, naming the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def uk_instant(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A UK wall-clock time as a UTC instant; a time the clocks skip (spring forward) is refused.

    A time the clocks repeat (autumn) is taken as its first occurrence, the earlier instant: the
    72 hours then end sooner, never later than they should.
    """
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK, fold=0)
    round_trip = local.astimezone(dt.UTC).astimezone(UK)
    if (round_trip.hour, round_trip.minute) != (hour, minute):
        raise IncidentError(
            _("That time does not exist in the UK on that day (the clocks went forward): enter the time again"),
            "aware_time",
        )
    return local.astimezone(dt.UTC)


@dataclass(frozen=True)
class Details:
    """What staff type about an incident."""

    title: str
    aware_at: dt.datetime
    what_happened: str
    entry_keys: list[str]
    services: str
    data_categories: str
    period_start: dt.date
    period_end: dt.date
    art33: dict[str, tuple[str, str]]  # field -> (text, not-yet-known reason)


def one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _apply(incident: Incident, details: Details) -> None:
    if details.period_end < details.period_start:
        raise IncidentError(_("The end of the period must be on or after its start"), "period_end")
    if details.aware_at > now() + dt.timedelta(minutes=5):
        raise IncidentError(_("The time you became aware must be in the past"), "aware_date")
    incident.title = one_line(details.title)
    incident.aware_at = details.aware_at
    incident.what_happened = details.what_happened.strip()
    incident.entry_keys = sorted(set(details.entry_keys))
    incident.services = details.services.strip()
    incident.data_categories = details.data_categories.strip()
    incident.period_start, incident.period_end = details.period_start, details.period_end
    for field in ART33_FIELDS:
        text, unknown = details.art33.get(field, ("", ""))
        setattr(incident, field, text.strip())
        setattr(incident, f"{field}_unknown_reason", "" if text.strip() else unknown.strip())


def open_incident(details: Details, *, actor: Actor) -> Incident:
    """Vendor staff open an incident (a draft): its affected tenancies are computed at once."""
    incident = Incident(state=IncidentState.DRAFT, opened_by_id=actor.user_id)
    _apply(incident, details)
    db.session.add(incident)
    db.session.flush()
    add_entry(incident, EntryKind.OPENED, actor, one_line(details.what_happened) or incident.title)
    recompute(incident, actor=actor)
    record("incident.opened", actor=actor, object_type="incident", object_id=incident.id, reason=incident.title)
    return incident


def edit_incident(incident: Incident, details: Details, *, actor: Actor) -> None:
    """Change an incident's details; its suppliers or period changing recomputes who is affected."""
    if incident.state not in OPEN_STATES:
        raise IncidentError(_("A closed incident cannot be changed."))
    scope = (list(incident.entry_keys), incident.period_start, incident.period_end)
    _apply(incident, details)
    db.session.flush()
    if scope != (incident.entry_keys, incident.period_start, incident.period_end):
        recompute(incident, actor=actor)
    record("incident.edited", actor=actor, object_type="incident", object_id=incident.id)


def recompute(incident: Incident, *, actor: Actor) -> affected.Affected:
    """Bring the computed rows in line with the effective sets; staff's additions and removals stay."""
    found = affected.affected_tenancies(list(incident.entry_keys), incident.period_start, incident.period_end)
    rows = {
        r.tenancy_id: r
        for r in db.session.execute(
            select(IncidentTenancy.tenancy_id, IncidentTenancy.source, IncidentTenancy.included).where(
                IncidentTenancy.incident_id == incident.id
            )
        )
    }
    stale = [
        t for t, r in rows.items() if r.source is AffectedSource.COMPUTED and r.included and t not in found.tenancies
    ]
    if stale:
        db.session.execute(
            delete(IncidentTenancy).where(
                IncidentTenancy.incident_id == incident.id, IncidentTenancy.tenancy_id.in_(stale)
            )
        )
    new = [
        {
            "incident_id": incident.id,
            "tenancy_id": tenancy_id,
            "source": AffectedSource.COMPUTED,
            "included": True,
            "concerns": ", ".join(suppliers),
            "changed_by_label": actor.label,
            "changed_at": now(),
        }
        for tenancy_id, suppliers in found.tenancies.items()
        if tenancy_id not in rows
    ]
    if new:
        db.session.execute(insert(IncidentTenancy), new)
    db.session.expire_all()
    return found


def tenancy_row(incident: Incident, tenancy_id: int) -> IncidentTenancy | None:
    return db.session.scalar(
        select(IncidentTenancy).where(
            IncidentTenancy.incident_id == incident.id, IncidentTenancy.tenancy_id == tenancy_id
        )
    )


def add_tenancy(incident: Incident, tenancy: Tenancy, *, reason: str, actor: Actor) -> IncidentTenancy:
    """Staff add a tenancy the computation left out, with the reason."""
    if incident.state not in OPEN_STATES:
        raise IncidentError(_("A closed incident's list cannot be changed."))
    if not reason.strip():
        raise IncidentError(_("Enter why this school is affected"), "reason")
    row = tenancy_row(incident, tenancy.id)
    if row is not None and row.included:
        raise IncidentError(_("%(school)s is already on the list.", school=tenancy.name), "school")
    if row is None:
        row = IncidentTenancy(incident_id=incident.id, tenancy_id=tenancy.id)
        db.session.add(row)
    row.source, row.included, row.reason = AffectedSource.ADDED, True, reason.strip()
    row.changed_by_label, row.changed_at = actor.label, now()
    db.session.flush()
    record(
        "incident.tenancy_added",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="incident",
        object_id=incident.id,
        reason=reason.strip(),
    )
    if incident.state is IncidentState.NOTIFIED:
        # Added after the first notice: the school gets the notice now, with the timeline so far.
        first = next(e for e in incident.entries if e.kind is EntryKind.NOTIFIED)
        mail.mail_entry(incident, first, [row])
    return row


def remove_tenancy(incident: Incident, tenancy_id: int, *, reason: str, actor: Actor) -> IncidentTenancy:
    """Staff take a tenancy off the list, with the reason (kept: the row says it was removed and why)."""
    if incident.state not in (IncidentState.REPORTED, IncidentState.DRAFT):
        raise IncidentError(_("Schools already notified stay on the list; post an update instead."))
    if not reason.strip():
        raise IncidentError(_("Enter why this school is not affected"), "reason")
    row = tenancy_row(incident, tenancy_id)
    if row is None or not row.included:
        raise IncidentError(_("That school is not on the list."))
    row.included, row.reason = False, reason.strip()
    row.changed_by_label, row.changed_at = actor.label, now()
    db.session.flush()
    record(
        "incident.tenancy_removed",
        actor=actor,
        tenancy_id=tenancy_id,
        object_type="incident",
        object_id=incident.id,
        reason=reason.strip(),
    )
    return row


def missing_contents(incident: Incident) -> list[str]:
    """Art. 33(3) contents neither given nor said to be not yet known with a reason."""
    return [ART33_LABELS[field] for field in ART33_FIELDS if not incident.stated(field)]


def listed(incident: Incident) -> list[IncidentTenancy]:
    return list(
        db.session.scalars(
            select(IncidentTenancy)
            .where(IncidentTenancy.incident_id == incident.id, IncidentTenancy.included.is_(True))
            .order_by(IncidentTenancy.tenancy_id)
        )
    )


def publish_notice(incident: Incident, *, actor: Actor, at: dt.datetime | None = None) -> int:
    """Send the first notice to every listed tenancy (a vendor admin's step); how many messages."""
    check_transition(incident.state, IncidentState.NOTIFIED)
    missing = missing_contents(incident)
    if missing:
        raise IncidentError(
            _("Before the first notice, give or say why you do not yet know: %(missing)s.", missing="; ".join(missing))
        )
    rows = listed(incident)
    if not rows:
        raise IncidentError(_("No school is on the list: there is nobody to notify."))
    at = at or now()
    _move(incident, IncidentState.NOTIFIED, notified_at=at, notified_by_id=actor.user_id)
    entry = add_entry(
        incident, EntryKind.NOTIFIED, actor, incident.nature or incident.what_happened, at=at, mailed=True
    )
    sent = mail.mail_entry(incident, entry, rows)
    record(
        "incident.notified",
        actor=actor,
        object_type="incident",
        object_id=incident.id,
        details={
            "tenancies": len(rows),
            "messages": sent,
            "within_72_hours": at <= incident.aware_at + dt.timedelta(hours=72),
        },
    )
    return sent


def post_update(incident: Incident, *, text: str, actor: Actor, submission_key: str | None = None) -> int:
    """A further dated entry, mailed to every listed tenancy (phased notification); how many messages.

    With the form's one-time key, a second send of the same form (a double click, Back and again)
    posts and mails nothing and answers 0: the unique key, not a check, decides between two at once.
    """
    if incident.state is not IncidentState.NOTIFIED:
        raise IncidentError(_("Updates go out after the first notice and before closing."))
    if not text.strip():
        raise IncidentError(_("Enter the update"), "text")
    if submission_key is not None and not valid_submission_key(submission_key):
        raise IncidentError(_("This form could not be used: nothing was sent. Enter the update again"), "text")
    try:
        with db.session.begin_nested():
            entry = add_entry(
                incident, EntryKind.UPDATE, actor, text.strip(), mailed=True, submission_key=submission_key
            )
    except IntegrityError:
        if submission_key is None:
            raise
        return 0
    sent = mail.mail_entry(incident, entry, listed(incident))
    record("incident.updated", actor=actor, object_type="incident", object_id=incident.id, details={"messages": sent})
    return sent


def close_incident(incident: Incident, *, outcome: str, actor: Actor) -> int:
    """Close a notified incident with its outcome, mailed to every listed tenancy."""
    if not outcome.strip():
        raise IncidentError(_("Enter the outcome"), "outcome")
    _move(incident, IncidentState.CLOSED, outcome=outcome.strip(), closed_at=now())
    entry = add_entry(incident, EntryKind.CLOSED, actor, outcome.strip(), mailed=True)
    sent = mail.mail_entry(incident, entry, listed(incident))
    record("incident.closed", actor=actor, object_type="incident", object_id=incident.id, reason=outcome.strip()[:500])
    return sent


def accept_report(incident: Incident, *, actor: Actor) -> None:
    """Vendor staff take a school's report on as an incident being assessed (the clock keeps running)."""
    _move(incident, IncidentState.DRAFT)
    add_entry(incident, EntryKind.OPENED, actor, _("Taken on for assessment."))
    record("incident.accepted", actor=actor, object_type="incident", object_id=incident.id)


def dismiss(incident: Incident, *, reason: str, actor: Actor) -> None:
    """Record that a report or draft is not a personal data breach, and why."""
    if not reason.strip():
        raise IncidentError(_("Enter why this is not a personal data breach"), "reason")
    _move(incident, IncidentState.DISMISSED, outcome=reason.strip(), closed_at=now())
    add_entry(incident, EntryKind.DISMISSED, actor, reason.strip())
    record(
        "incident.dismissed", actor=actor, object_type="incident", object_id=incident.id, reason=reason.strip()[:500]
    )


def _move(incident: Incident, state: IncidentState, **values: Any) -> None:
    """Move to a new state if the state machine allows it (else IllegalTransition), with the values it sets.

    Compare and set: of two requests moving the same incident at once (PostgreSQL reads what was
    committed before either wrote), only the first moves it; the other is told it has moved.
    """
    before = incident.state
    check_transition(before, state)
    db.session.flush()
    moved = db.session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.state == before)
        .values(state=state, **values)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        db.session.refresh(incident)
        raise IllegalTransition(incident.state, state)
    for name, value in {"state": state, **values}.items():
        set_committed_value(incident, name, value)


def add_entry(
    incident: Incident,
    kind: EntryKind,
    actor: Actor,
    text: str,
    *,
    at: dt.datetime | None = None,
    mailed: bool = False,
    submission_key: str | None = None,
) -> IncidentEntry:
    entry = IncidentEntry(
        incident_id=incident.id,
        kind=kind,
        at=at or now(),
        actor_id=actor.user_id,
        actor_label=actor.label,
        text=text,
        mailed=mailed,
        submission_key=submission_key,
    )
    db.session.add(entry)
    db.session.flush()
    db.session.expire(incident, ["entries"])
    return entry
