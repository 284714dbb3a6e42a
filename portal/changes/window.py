"""The notice window, in UK calendar dates (Europe/London).

A notice published on UK day P may take effect no earlier than P + NOTICE_PERIOD_DAYS. The
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

from portal.dates import now, start_of_uk_day, uk_today

__all__ = [
    "earliest_effective_date",
    "exit_answer_by",
    "notice_period_days",
    "now",
    "object_until",
    "window_closes_at",
    "window_open",
]


def notice_period_days() -> int:
    """The configured minimum notice, in days."""
    return int(current_app.config["NOTICE_PERIOD_DAYS"])


def earliest_effective_date(published_at: dt.datetime | None = None) -> dt.date:
    """The first UK date a change published at this instant may take effect."""
    return uk_today(published_at) + dt.timedelta(days=notice_period_days())


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
