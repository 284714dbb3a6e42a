"""The incident state machine: the one place that says which step may follow which."""

from __future__ import annotations

import enum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l


class IncidentState(enum.StrEnum):
    # A school's report of a suspected incident, not yet triaged by vendor staff.
    REPORTED = "reported"
    # Vendor staff are assessing; nothing has been sent to schools.
    DRAFT = "draft"
    # The first notice has gone to the affected schools; updates may follow.
    NOTIFIED = "notified"
    CLOSED = "closed"
    # Not a personal data breach after all (a report or a draft), with the reason recorded.
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return str(
            {
                "reported": _l("Reported by a school"),
                "draft": _l("Being assessed"),
                "notified": _l("Schools notified"),
                "closed": _l("Closed"),
                "dismissed": _l("Not a breach"),
            }[self.value]
        )


class EntryKind(enum.StrEnum):
    """A dated entry in an incident's timeline."""

    REPORTED = "reported"
    OPENED = "opened"
    NOTIFIED = "notified"
    UPDATE = "update"
    CLOSED = "closed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return str(
            {
                "reported": _l("Reported by a school"),
                "opened": _l("Incident opened"),
                "notified": _l("First notice sent"),
                "update": _l("Update"),
                "closed": _l("Closed"),
                "dismissed": _l("Not a breach"),
            }[self.value]
        )


TRANSITIONS: dict[IncidentState, frozenset[IncidentState]] = {
    IncidentState.REPORTED: frozenset({IncidentState.DRAFT, IncidentState.DISMISSED}),
    IncidentState.DRAFT: frozenset({IncidentState.NOTIFIED, IncidentState.DISMISSED}),
    IncidentState.NOTIFIED: frozenset({IncidentState.CLOSED}),
    IncidentState.CLOSED: frozenset(),
    IncidentState.DISMISSED: frozenset(),
}

# States in which schools see the incident (a draft or a report is the vendor's own work in progress).
PUBLISHED_STATES = frozenset({IncidentState.NOTIFIED, IncidentState.CLOSED})
# States in which the affected list may still be changed and updates posted.
OPEN_STATES = frozenset({IncidentState.REPORTED, IncidentState.DRAFT, IncidentState.NOTIFIED})


class IllegalTransition(ValueError):
    """A step the state machine does not allow from the incident's current state."""

    def __init__(self, current: IncidentState, wanted: IncidentState) -> None:
        super().__init__(
            gettext(
                "An incident that is “%(current)s” cannot become “%(wanted)s”.",
                current=current.label.lower(),
                wanted=wanted.label.lower(),
            )
        )
        self.current = current
        self.wanted = wanted


def check_transition(current: IncidentState, wanted: IncidentState) -> None:
    """Raise IllegalTransition unless TRANSITIONS allows the move."""
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
