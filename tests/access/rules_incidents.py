"""Access rows for incidents: the school's pages and exports, reporting one, and the vendor's handling."""

import datetime as dt

from sqlalchemy import update

from portal.audit.service import Actor
from portal.dates import now, uk_today
from portal.extensions import db
from portal.incidents import school_side, service
from portal.incidents.models import Incident
from tests.access.matrix import Row

MEMBERS_OWN = "302 200 200 200 404 404 404"
ACTORS_OWN = "302 403 {0} {0} 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"
CROSS_ACT = "302 403 404 404 404 404 404"
STAFF = "302 403 403 403 403 {0} {0}"
ADMIN_ONLY = "302 403 403 403 403 403 {0}"
SYSTEM = Actor.system("matrix")


def _draft(world, tenancy=None):
    """A draft incident (no supplier: the vendor's own systems) listing the target tenancy."""
    week_ago = uk_today() - dt.timedelta(days=7)
    incident = service.open_incident(
        service.Details(
            title="Matrix incident",
            aware_at=now() - dt.timedelta(hours=2),
            what_happened="A misdirected export.",
            entry_keys=[],
            services="Reports",
            data_categories="Pupil names",
            period_start=week_ago,
            period_end=week_ago,
            art33=dict.fromkeys(("nature", "consequences", "measures", "contact"), ("Known.", "")),
        ),
        actor=SYSTEM,
    )
    service.add_tenancy(incident, tenancy or world.own, reason="Its export was misdirected.", actor=SYSTEM)
    world.incident = incident
    return incident


def _notified(world, tenancy=None, *, hours_ago=0):
    incident = _draft(world, tenancy)
    service.publish_notice(incident, actor=SYSTEM)
    if hours_ago:
        at = now() - dt.timedelta(hours=hours_ago)
        db.session.execute(update(Incident).where(Incident.id == incident.id).values(notified_at=at))
    db.session.expire_all()
    return incident


def _reported(world, tenancy=None):
    return school_side.report_suspected(
        tenancy or world.own, what="A pupil saw another's work.", noticed_on=uk_today(), contact="Office", actor=SYSTEM
    )


def notified_id(world, tenancy):
    return {"incident_id": _notified(world, tenancy).id}


def _id(make):
    return lambda world, tenancy: {"incident_id": make(world, tenancy).id}


def _today():
    day = uk_today()
    return [str(day.day), str(day.month), str(day.year)]


ROWS = [
    Row("incidents.index", own=MEMBERS_OWN, other=OUTSIDER),
    Row("incidents.incident", own=MEMBERS_OWN, other=OUTSIDER, cross=OUTSIDER, values=notified_id),
    Row(
        "incidents.acknowledge",
        "POST",
        own=ACTORS_OWN.format(302),
        other=OUTSIDER,
        cross=CROSS_ACT,
        values=notified_id,
    ),
    Row("incidents.export_csv", own=MEMBERS_OWN, other=OUTSIDER, cross=OUTSIDER, values=notified_id),
    Row("incidents.export_pdf", own=MEMBERS_OWN, other=OUTSIDER, cross=OUTSIDER, values=notified_id),
    Row("incidents.report", own=ACTORS_OWN.format(200), other=OUTSIDER),
    Row(
        "incidents.report",
        "POST",
        own=ACTORS_OWN.format(302),
        other=OUTSIDER,
        data=lambda w, t: {"what": "A pupil saw another's work.", "noticed_on": _today(), "contact": "Office"},
    ),
    Row("incidents_admin.index", status=STAFF.format(200)),
    Row("incidents_admin.new", status=STAFF.format(200)),
    # An empty form: refused with form errors, nothing opened.
    Row("incidents_admin.new", "POST", status=STAFF.format(400)),
    Row("incidents_admin.incident", status=STAFF.format(200), values=_id(_draft)),
    Row("incidents_admin.edit", status=STAFF.format(200), values=_id(_draft)),
    Row("incidents_admin.edit", "POST", status=STAFF.format(400), values=_id(_draft)),
    Row(
        "incidents_admin.add_tenancy",
        "POST",
        status=STAFF.format(302),
        values=_id(_draft),
        data=lambda w, t: {"add-school": w.other.slug, "add-reason": "Its staff used the same export."},
    ),
    Row(
        "incidents_admin.remove_tenancy",
        "POST",
        status=STAFF.format(302),
        values=_id(_draft),
        data=lambda w, t: {"remove-school": w.own.slug, "remove-reason": "The export never reached it."},
    ),
    # Publishing the notice is a vendor admin's step, with a recent sign-in.
    Row("incidents_admin.notify", "POST", status=ADMIN_ONLY.format(302), values=_id(_draft)),
    Row(
        "incidents_admin.post_update",
        "POST",
        status=STAFF.format(302),
        values=_id(_notified),
        data=lambda w, t: {"update-text": "The recipient has deleted the file."},
    ),
    Row(
        "incidents_admin.close",
        "POST",
        status=STAFF.format(302),
        values=_id(_notified),
        data=lambda w, t: {"close-outcome": "Contained; the ICO was not notified (low risk)."},
    ),
    Row("incidents_admin.accept", "POST", status=STAFF.format(302), values=_id(_reported)),
    Row(
        "incidents_admin.dismiss",
        "POST",
        status=STAFF.format(302),
        values=_id(_reported),
        data=lambda w, t: {"dismiss-reason": "The work was the pupil's own."},
    ),
    Row(
        "incidents_admin.remind",
        "POST",
        status=STAFF.format(302),
        values=lambda w, t: {"incident_id": _notified(w, hours_ago=25).id},
    ),
]
