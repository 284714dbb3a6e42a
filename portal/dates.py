"""Dates: stored in UTC, computed and shown in Europe/London, written the GOV.UK way."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask_babel import get_locale

UK = ZoneInfo("Europe/London")
# GOV.UK's Welsh style (#29): "1 Ionawr 2027", "2:05yp", "canol dydd".
WELSH_MONTHS = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip


def _welsh() -> bool:
    """Whether the page, mail or document being written is in Welsh (flask_babel's locale)."""
    locale = get_locale()
    return locale is not None and locale.language == "cy"


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
    if _welsh():
        return f"{value.day} {WELSH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {value:%B %Y}"


def govuk_time(value: dt.datetime) -> str:
    """2:05pm, midday or midnight, in UK local time."""
    local = value.astimezone(UK)
    welsh = _welsh()
    if local.hour == 12 and local.minute == 0:
        return "canol dydd" if welsh else "midday"
    if local.hour == 0 and local.minute == 0:
        return "canol nos" if welsh else "midnight"
    hour = local.hour % 12 or 12
    morning, afternoon = ("yb", "yp") if welsh else ("am", "pm")
    suffix = morning if local.hour < 12 else afternoon
    return f"{hour}:{local.minute:02d}{suffix}"


def govuk_datetime(value: dt.datetime | None) -> str:
    """1 January 2027 at 2:05pm, in UK local time."""
    if value is None:
        return ""
    joiner = "am" if _welsh() else "at"
    return f"{govuk_date(value)} {joiner} {govuk_time(value)}"
