"""The notice window, in UK calendar dates (Europe/London).

A notice published on UK day P may take effect no earlier than P + period + 1: the whole period
lies in clear days between publication and the effective date. The period is the contract's:
the longest promised by any agreement text still in force (`notice_period_days`), which
configuration may lengthen and never shorten. The
window to object runs from publication to the END of the UK day BEFORE the effective date,
inclusive of that last day: a school may object on any UK day up to and including
`object_until = effective_on - 1 day`, and from midnight (London) starting the effective
date the change applies and objections are refused. Closing the day before means the vendor
never has an objection arrive on the day the supplier starts processing. Because the bound is
midnight London time, the UTC instant moves with the clocks (23:00 UTC the evening before in
British Summer Time, 00:00 UTC in winter); `start_of_uk_day` does that arithmetic.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, or_, select

from portal.dates import now, start_of_uk_day, uk_today
from portal.extensions import db

__all__ = [
    "decision_due",
    "earliest_effective_date",
    "exit_answer_by",
    "notice_period_days",
    "now",
    "object_until",
    "window_closes_at",
    "window_open",
]


def notice_period_days() -> int:
    """The notice period in clear days: the longest any text in force promises, or the configured one if longer.

    A text is in force while an agreement signed on it exists, and the newest text is the one
    schools sign next; so lowering the configuration can never shorten what a school signed.
    """
    from portal.documents.models import Agreement, DpaTextVersion

    signed = select(Agreement.text_version_id)
    newest = select(func.max(DpaTextVersion.number)).scalar_subquery()
    promised = db.session.scalar(
        select(func.max(DpaTextVersion.notice_period_days)).where(
            or_(DpaTextVersion.id.in_(signed), DpaTextVersion.number == newest)
        )
    )
    return max(int(current_app.config["NOTICE_PERIOD_DAYS"]), int(promised or 0))


def earliest_effective_date(published_at: dt.datetime | None = None, *, period: int | None = None) -> dt.date:
    """The first UK date a change published at this instant may take effect: P + period + 1 (clear days)."""
    days = notice_period_days() if period is None else period
    return uk_today(published_at) + dt.timedelta(days=days + 1)


def object_until(effective_on: dt.date) -> dt.date:
    """The last UK day on which a school may object (inclusive)."""
    return effective_on - dt.timedelta(days=1)


def window_closes_at(effective_on: dt.date) -> dt.datetime:
    """The UTC instant the window closes: midnight in London at the start of the effective date."""
    return start_of_uk_day(effective_on)


def window_open(effective_on: dt.date, at: dt.datetime | None = None) -> bool:
    """Whether an objection made at this instant is within the window."""
    return (at or now()) < window_closes_at(effective_on)


def exit_answer_by(decided_at: dt.datetime) -> dt.date:
    """The UK date by which a school must answer an exit offer made at this instant."""
    return uk_today(decided_at) + dt.timedelta(days=int(current_app.config["EXIT_RESPONSE_DAYS"]))


def decision_due(lodged_on: dt.date) -> dt.date:
    """The UK date by which the vendor should decide an objection: so many working days (Monday to
    Friday) after it was lodged or received (OBJECTION_DECISION_WORKING_DAYS)."""
    return add_working_days(lodged_on, int(current_app.config.get("OBJECTION_DECISION_WORKING_DAYS", 10)))


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`th working day (Monday to Friday) after `day`; `day` itself when `count` is 0.

    Worked out in whole weeks rather than day by day: the objection queue asks it for every row."""
    if count <= 0:
        return day
    if day.weekday() > 4:  # from a weekend, the working days after it are those after its Friday
        day -= dt.timedelta(days=day.weekday() - 4)
    weeks, extra = divmod(count, 5)
    day += dt.timedelta(weeks=weeks)
    if day.weekday() + extra > 4:  # the extra days run over a weekend
        extra += 2
    return day + dt.timedelta(days=extra)
