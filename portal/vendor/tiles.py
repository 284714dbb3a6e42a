"""The console home's tiles: what needs attention today, one query each whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from portal.changes.models import ChangeNotice, NoticeState, Objection
from portal.changes.states import ObjectionState
from portal.changes.window import object_until
from portal.dates import now, uk_today
from portal.extensions import db
from portal.notify.models import OutboxMessage, OutboxStatus
from portal.tenancy.models import Tenancy
from portal.vendor.queries import TILES, TenancyState, Tile, active, dpa_signed, invited

SOON_DAYS = 14


def _objections(state: ObjectionState, title: str, description: str) -> Tile:
    """Open objections in one state: how many, the oldest's age, and the nearest window close."""
    count, oldest, nearest = db.session.execute(
        select(func.count(Objection.id), func.min(Objection.lodged_at), func.min(ChangeNotice.effective_on))
        .join(ChangeNotice, ChangeNotice.id == Objection.change_id)
        .where(Objection.state == state)
    ).one()
    detail = ""
    if count:
        age = (now() - oldest).days
        closes = object_until(nearest)
        left = (closes - uk_today()).days
        window = (
            ngettext(
                "the nearest notice window closes in %(num)d day",
                "the nearest notice window closes in %(num)d days",
                left,
            )
            if left >= 0
            else _("a notice window has closed")
        )
        lodged = _("today") if age == 0 else ngettext("%(num)d day ago", "%(num)d days ago", age)
        detail = _("Oldest lodged %(lodged)s; %(window)s.", lodged=lodged, window=window)
    return Tile(title, count, description, "changes_admin.queue", (("state", state.value),), detail)


def _awaiting_acknowledgement() -> Tile:
    return _objections(
        ObjectionState.LODGED, _("Objections to acknowledge"), _("Objections lodged but not yet acknowledged.")
    )


def _awaiting_decision() -> Tile:
    return _objections(
        ObjectionState.ACKNOWLEDGED, _("Objections to decide"), _("Objections acknowledged, not yet decided.")
    )


def _notices_soon() -> Tile:
    today = uk_today()
    count = db.session.scalar(
        select(func.count(ChangeNotice.id)).where(
            ChangeNotice.state == NoticeState.ANNOUNCED,
            ChangeNotice.effective_on >= today,
            ChangeNotice.effective_on <= today + dt.timedelta(days=SOON_DAYS),
        )
    )
    return Tile(
        _("Changes taking effect soon"),
        count or 0,
        _("Announced changes taking effect in the next %(days)s days.", days=SOON_DAYS),
        "changes_admin.notices",
    )


def _failed_mail() -> Tile:
    count = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.FAILED))
    return Tile(
        _("Failed mails"), count or 0, _("Messages the outbox gave up on after every retry."), "notify_admin.index"
    )


def _invited_not_active() -> Tile:
    count = db.session.scalar(select(func.count(Tenancy.id)).where(invited(), ~active()))
    return Tile(
        _("Invited, nobody signed in yet"),
        count or 0,
        _("Tenancies with an open invitation none of whose members has signed in."),
        "vendor.tenancies",
        (("state", TenancyState.INVITED.value),),
    )


def _dpa_unsigned() -> Tile:
    count = db.session.scalar(select(func.count(Tenancy.id)).where(~dpa_signed()))
    return Tile(
        _("No signed current DPA"),
        count or 0,
        _("Tenancies that have not signed the agreement text in force."),
        "vendor.tenancies",
        (("state", "dpa_unsigned"),),
    )


BUILT_IN: list[Callable[[], Tile]] = [
    _awaiting_acknowledgement,
    _awaiting_decision,
    _notices_soon,
    _dpa_unsigned,
    _invited_not_active,
    _failed_mail,
]


def attention() -> list[Tile]:
    """The console's own tiles, then any another capability registered in queries.TILES: one query each."""
    return [provider() for provider in [*BUILT_IN, *(p for p in TILES if p not in BUILT_IN)]]
