"""What notify's pages and mails ask of the capabilities above it, through signals (indico's habit).

A new subscriber is told which changes are open now (#25); change notices live in portal.changes,
which notify cannot import, so it answers this signal when it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

#: Sent with no arguments; a receiver returns a list of `OpenChange`, soonest first.
open_changes_requested = _signals.signal("notify-open-changes-requested")


@dataclass(frozen=True)
class OpenChange:
    """An announced change not yet in effect, as a subscriber reads it: its title, page and one paragraph."""

    title: str
    url: str
    summary: str


def open_changes() -> list[OpenChange]:
    """The changes announced and not yet in effect (none when no capability answers)."""
    found: list[OpenChange] = []
    for _, answer in open_changes_requested.send(None):
        found.extend(answer)
    return found
