"""Helpers the incident and exit journeys share: switch the browser's user, fill a GOV.UK date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.extensions import db
from tests.browser import sign_in_browser


def as_user(page: Any, live_server: Any, user: Any) -> None:
    """Start the browser afresh as another user (and end the read that made the cookie)."""
    page.context.clear_cookies()
    sign_in_browser(page, live_server, user)
    db.session.rollback()


def fill_date(page: Any, field: str, day: dt.date) -> None:
    page.locator(f"#{field}-day").fill(str(day.day))
    page.locator(f"#{field}-month").fill(str(day.month))
    page.locator(f"#{field}-year").fill(str(day.year))
