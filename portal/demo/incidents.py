"""Demo incident: a closed one at the Azure OpenAI fallback that concerned every demo school but Meadowbank.

Idempotent: the incident is found by its title. Its times are set in the past after the steps are
taken, so the timeline reads as it happened: aware, notified within the 72 hours, updated, closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select, update

from portal.audit.service import Actor
from portal.auth.models import User, VendorRole
from portal.dates import now, uk_today
from portal.extensions import db
from portal.incidents import school_side, service
from portal.incidents.models import Incident, IncidentEntry, IncidentTenancy
from portal.incidents.states import EntryKind
from portal.tenancy.models import Membership, Tenancy

TITLE = "Azure OpenAI fallback: prompts briefly visible in another customer's logs"
ENTRY_KEY = "azure-openai"
ACKNOWLEDGING_SCHOOL = "bramble-hill-infant-school"


def load() -> Iterator[str]:
    if db.session.scalar(select(Incident.id).where(Incident.title == TITLE)) is not None:
        return
    staff = db.session.scalar(select(User).where(User.vendor_role == VendorRole.ADMIN).order_by(User.id))
    actor = Actor.of(staff) if staff is not None else Actor.system("demo")
    today = uk_today()
    aware = now() - dt.timedelta(days=40, hours=3)
    incident = service.open_incident(
        service.Details(
            title=TITLE,
            aware_at=aware,
            what_happened="Microsoft told us that a logging fault in Azure OpenAI (UK South) wrote the text of some "
            "requests into diagnostic logs another Azure customer could read, for about two hours.",
            entry_keys=[ENTRY_KEY],
            services="AI tutor, only when the primary UK inference service was unavailable",
            data_categories="Pupils' questions to the AI tutor and its answers; no names or identifiers",
            period_start=today - dt.timedelta(days=42),
            period_end=today - dt.timedelta(days=41),
            art33={
                "nature": (
                    "Confidentiality breach: the text of about 300 AI tutor requests from pupils, without "
                    "names or identifiers, was readable by one other Azure customer for about two hours.",
                    "",
                ),
                "consequences": (
                    "Low: the text rarely identifies a pupil; a pupil could be identified only where "
                    "they typed their own name or another personal detail into a question.",
                    "",
                ),
                "measures": (
                    "Microsoft deleted the logs and fixed the fault; we checked the deletion and reviewed "
                    "our fallback settings.",
                    "",
                ),
                "contact": ("Our data protection officer, dpo@larkspur.example", ""),
            },
        ),
        actor=actor,
    )
    notified = aware + dt.timedelta(hours=20)
    service.publish_notice(incident, actor=actor, at=notified)
    service.post_update(
        incident,
        text="Microsoft has confirmed in writing that the other customer's access to the logs has been removed and "
        "the logs deleted.",
        actor=actor,
    )
    service.close_incident(
        incident,
        outcome="Closed. The risk to pupils was low; we recorded the breach and did not report it to the ICO.",
        actor=actor,
    )
    _backdate(incident, notified)
    school = db.session.scalar(select(Tenancy).where(Tenancy.slug == ACKNOWLEDGING_SCHOOL))
    lead = (
        db.session.scalar(select(User).join(Membership).where(Membership.tenancy_id == school.id))
        if school is not None
        else None
    )
    if school is not None:
        row = school_side.acknowledge(incident, school, actor=Actor.of(lead) if lead else Actor.system("demo"))
        row.acknowledged_at = notified + dt.timedelta(hours=5)
    db.session.flush()
    listed = db.session.scalar(
        select(db.func.count(IncidentTenancy.id)).where(
            IncidentTenancy.incident_id == incident.id, IncidentTenancy.included.is_(True)
        )
    )
    yield f"incidents: closed incident at the Azure OpenAI fallback, {listed} schools told (not Meadowbank)"


def _backdate(incident: Incident, notified: dt.datetime) -> None:
    """Put the steps at the times they happened: notified, updated three days on, closed a week on."""
    times = {
        EntryKind.OPENED: incident.aware_at + dt.timedelta(hours=1),
        EntryKind.NOTIFIED: notified,
        EntryKind.UPDATE: notified + dt.timedelta(days=3),
        EntryKind.CLOSED: notified + dt.timedelta(days=7),
    }
    for kind, at in times.items():
        db.session.execute(
            update(IncidentEntry)
            .where(IncidentEntry.incident_id == incident.id, IncidentEntry.kind == kind)
            .values(at=at)
        )
    db.session.execute(update(Incident).where(Incident.id == incident.id).values(closed_at=times[EntryKind.CLOSED]))
    db.session.expire_all()
