"""What the register's pages ask of the capability above it, through signals (indico's habit).

Change notices (portal.changes) build on the register; the register's pages show them. So the
register does not import changes: a page sends a signal and the changes capability, which
connects its receivers when it is imported, answers. Without a receiver the pages show the
register alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from blinker import Namespace

from portal.register.models import RegisterVersion
from portal.register.service import current_published

if TYPE_CHECKING:
    from portal.changes.models import ChangeNotice

_signals = Namespace()

#: Sent with `today` (a UK date); a receiver returns the `RegisterToday` for that date.
register_today_requested = _signals.signal("register-today-requested")
#: Sent with `today`; a receiver returns Atom entries (id, title, updated, url, summary) for the feed.
feed_entries_requested = _signals.signal("register-feed-entries-requested")


@dataclass(frozen=True)
class RegisterToday:
    """What a register page shows today: the current published version and the announced notices."""

    today: dt.date
    version: RegisterVersion | None
    notices: list[ChangeNotice]


def register_today(today: dt.date) -> RegisterToday:
    """The current published version and the notices announced on this date, as the receiver finds them."""
    for _, answer in register_today_requested.send(None, today=today):
        return answer  # type: ignore[no-any-return]
    return RegisterToday(today, current_published(), [])


def feed_entries(today: dt.date) -> Sequence[Any]:
    """The feed's entries that are not versions (announced change notices), from every receiver."""
    return [entry for _, answer in feed_entries_requested.send(None, today=today) for entry in answer]
