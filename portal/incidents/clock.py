"""The Art. 33 clock: 72 hours from awareness, shown in UK time with the time left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from portal.dates import govuk_datetime, now

NOTICE_HOURS = 72
URGENT_HOURS = 24


@dataclass(frozen=True)
class Clock:
    """Where one incident stands against its 72 hours."""

    aware_at: dt.datetime
    deadline: dt.datetime
    at: dt.datetime
    # When the first notice went (None: not yet).
    notified_at: dt.datetime | None

    @property
    def left(self) -> dt.timedelta:
        return self.deadline - self.at

    @property
    def met(self) -> bool:
        return self.notified_at is not None and self.notified_at <= self.deadline

    @property
    def running(self) -> bool:
        return self.notified_at is None

    @property
    def urgent(self) -> bool:
        """Still to notify with less than 24 hours left (or the deadline passed)."""
        return self.running and self.left < dt.timedelta(hours=URGENT_HOURS)

    @property
    def overdue(self) -> bool:
        return self.running and self.left <= dt.timedelta(0)

    def deadline_text(self) -> str:
        return govuk_datetime(self.deadline)

    def left_text(self) -> str:
        """'2 days 5 hours left', '40 minutes left', or how long ago it passed."""
        if not self.running:
            if self.met:
                return str(_("Notified on %(when)s, within 72 hours", when=govuk_datetime(self.notified_at)))
            return str(_("Notified on %(when)s, after the 72 hours", when=govuk_datetime(self.notified_at)))
        left = self.left
        if left <= dt.timedelta(0):
            return str(_("Deadline passed %(span)s ago", span=span(-left)))
        return str(_("%(span)s left", span=span(left)))


def span(delta: dt.timedelta) -> str:
    """A duration in days, hours and minutes, the largest two units that are not zero."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(num)d day", "%(num)d days", days))
    if hours:
        parts.append(ngettext("%(num)d hour", "%(num)d hours", hours))
    if mins and not days:
        parts.append(ngettext("%(num)d minute", "%(num)d minutes", mins))
    return " ".join(parts[:2]) or _("less than a minute")


def clock_for(aware_at: dt.datetime, notified_at: dt.datetime | None = None, *, at: dt.datetime | None = None) -> Clock:
    """The clock of an incident the vendor became aware of at `aware_at` (an instant, so DST cannot move it)."""
    deadline = aware_at.astimezone(dt.UTC) + dt.timedelta(hours=NOTICE_HOURS)
    return Clock(aware_at, deadline, at or now(), notified_at)
