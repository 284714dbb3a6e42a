"""The console home's tiles: what needs attention today, one query each whatever the data size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _objections(state: ObjectionState, title: str, waiting_for: str) -> Tile:
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
        window = f"the nearest notice window closes in {_days(left)}" if left >= 0 else "a notice window has closed"
        lodged = "today" if age == 0 else f"{_days(age)} ago"
        detail = f"Oldest lodged {lodged}; {window}."
    return Tile(title, count, f"Objections {waiting_for}.", "changes_admin.queue", (("state", state.value),), detail)


def _awaiting_acknowledgement() -> Tile:
    return _objections(ObjectionState.LODGED, "Objections to acknowledge", "lodged but not yet acknowledged")


def _awaiting_decision() -> Tile:
    return _objections(ObjectionState.ACKNOWLEDGED, "Objections to decide", "acknowledged, not yet decided")


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
        "Changes taking effect soon",
        count or 0,
        f"Announced changes taking effect in the next {SOON_DAYS} days.",
        "changes_admin.notices",
    )


def _failed_mail() -> Tile:
    count = db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.FAILED))
    return Tile("Failed mails", count or 0, "Messages the outbox gave up on after every retry.", "notify_admin.index")


def _invited_not_active() -> Tile:
    count = db.session.scalar(select(func.count(Tenancy.id)).where(invited(), ~active()))
    return Tile(
        "Invited, nobody signed in yet",
        count or 0,
        "Tenancies with an open invitation none of whose members has signed in.",
        "vendor.tenancies",
        (("state", TenancyState.INVITED.value),),
    )


def _dpa_unsigned() -> Tile:
    count = db.session.scalar(select(func.count(Tenancy.id)).where(~dpa_signed()))
    return Tile(
        "No signed current DPA",
        count or 0,
        "Tenancies that have not signed the agreement text in force.",
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
