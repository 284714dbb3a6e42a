"""The vendor console's tiles for incidents and exits: what is running against a clock, one query each."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from portal.dates import uk_today
from portal.exits.models import ExitCase
from portal.exits.states import ExitState
from portal.extensions import db
from portal.vendor.queries import TILES, Tile


def overdue_exits() -> Tile:
    today = uk_today()
    late = or_(
        and_(ExitCase.state == ExitState.REQUESTED, ExitCase.export_due_on < today),
        and_(ExitCase.state == ExitState.SERVICE_ENDED, ExitCase.deletion_due_on < today),
    )
    count = db.session.scalar(select(func.count(ExitCase.id)).where(late)) or 0
    return Tile(
        _("Exit steps overdue"), count, _("Exports or deletions past the agreement's deadline."), "exits_admin.index"
    )


def incidents_unnotified() -> Tile:
    from portal.incidents.models import Incident
    from portal.incidents.states import IncidentState

    count = db.session.scalar(
        select(func.count(Incident.id)).where(Incident.state.in_([IncidentState.REPORTED, IncidentState.DRAFT]))
    )
    return Tile(
        _("Incidents not yet notified"),
        count or 0,
        _("Reported or being assessed: the 72-hour clock is running."),
        "incidents_admin.index",
    )


for _tile in (incidents_unnotified, overdue_exits):
    if _tile not in TILES:
        TILES.append(_tile)
