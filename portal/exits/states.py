"""The exit state machine: the one place that says which step may follow which."""

from __future__ import annotations

import enum

from flask_babel import gettext
from flask_babel import lazy_gettext as _l


class ExitState(enum.StrEnum):
    REQUESTED = "requested"
    EXPORT_DELIVERED = "export_delivered"
    SERVICE_ENDED = "service_ended"
    DELETION_CONFIRMED = "deletion_confirmed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(
            {
                "requested": _l("Requested"),
                "export_delivered": _l("Export delivered"),
                "service_ended": _l("Service ended, deletion due"),
                "deletion_confirmed": _l("Deletion confirmed"),
                "withdrawn": _l("Withdrawn"),
            }[self.value]
        )


class ExitStepKind(enum.StrEnum):
    """A dated step in an exit's history."""

    REQUESTED = "requested"
    EXPORT_DELIVERED = "export_delivered"
    SERVICE_ENDED = "service_ended"
    DELETED_AT = "deleted_at"
    DELETION_CONFIRMED = "deletion_confirmed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return str(
            {
                "requested": _l("Exit requested"),
                "export_delivered": _l("Export delivered"),
                "service_ended": _l("Service ended"),
                "deleted_at": _l("Deletion confirmed at a sub-processor"),
                "deletion_confirmed": _l("Deletion confirmed; certificate issued"),
                "withdrawn": _l("Exit withdrawn"),
            }[self.value]
        )


# The export comes before the end of the service when one was asked for (service.end_service
# checks that); without one the service may end straight away. Deletion follows the end.
TRANSITIONS: dict[ExitState, frozenset[ExitState]] = {
    ExitState.REQUESTED: frozenset({ExitState.EXPORT_DELIVERED, ExitState.SERVICE_ENDED, ExitState.WITHDRAWN}),
    ExitState.EXPORT_DELIVERED: frozenset({ExitState.SERVICE_ENDED, ExitState.WITHDRAWN}),
    ExitState.SERVICE_ENDED: frozenset({ExitState.DELETION_CONFIRMED}),
    ExitState.DELETION_CONFIRMED: frozenset(),
    ExitState.WITHDRAWN: frozenset(),
}

OPEN_STATES = frozenset({ExitState.REQUESTED, ExitState.EXPORT_DELIVERED, ExitState.SERVICE_ENDED})


class IllegalTransition(ValueError):
    """A step the state machine does not allow from the exit's current state."""

    def __init__(self, current: ExitState, wanted: ExitState) -> None:
        super().__init__(
            gettext(
                "An exit that is “%(current)s” cannot become “%(wanted)s”.",
                current=current.label.lower(),
                wanted=wanted.label.lower(),
            )
        )
        self.current = current
        self.wanted = wanted


def check_transition(current: ExitState, wanted: ExitState) -> None:
    """Raise IllegalTransition unless TRANSITIONS allows the move."""
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
