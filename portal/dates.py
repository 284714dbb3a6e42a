"""Dates: stored in UTC, computed and shown in Europe/London, written the GOV.UK way."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import get_month_names
from flask_babel import get_locale, gettext

UK = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def uk_today(at: dt.datetime | None = None) -> dt.date:
    """The calendar date in the UK at a given instant (now by default)."""
    return (at or now()).astimezone(UK).date()


def start_of_uk_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which a UK calendar day begins (midnight in London)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=UK).astimezone(dt.UTC)


def end_of_uk_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which a UK calendar day ends: the start of the next one."""
    return start_of_uk_day(day + dt.timedelta(days=1))


def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """1 January 2027: no leading zero, full month name, UK local date for instants."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(UK).date()
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{value.day} {value:%B %Y}"
    # In another language (Welsh, #29): its own month names, in the same order ("1 Ionawr 2027").
    return f"{value.day} {get_month_names('wide', locale=locale)[value.month]} {value.year}"


def govuk_time(value: dt.datetime) -> str:
    """2:05pm, midday or midnight, in UK local time."""
    local = value.astimezone(UK)
    if local.hour == 12 and local.minute == 0:
        return str(gettext("midday"))
    if local.hour == 0 and local.minute == 0:
        return str(gettext("midnight"))
    hour, minute = str(local.hour % 12 or 12), f"{local.minute:02d}"
    if local.hour < 12:
        return str(gettext("%(hour)s:%(minute)sam", hour=hour, minute=minute))
    return str(gettext("%(hour)s:%(minute)spm", hour=hour, minute=minute))


def govuk_datetime(value: dt.datetime | None) -> str:
    """1 January 2027 at 2:05pm, in UK local time."""
    if value is None:
        return ""
    return str(gettext("%(date)s at %(time)s", date=govuk_date(value), time=govuk_time(value)))
