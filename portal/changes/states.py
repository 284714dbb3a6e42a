"""The objection state machine: the one place that says which step may follow which."""

from __future__ import annotations

import enum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.web.language import label


class ObjectionState(enum.StrEnum):
    LODGED = "lodged"
    ACKNOWLEDGED = "acknowledged"
    ACCOMMODATED = "accommodated"
    NOT_ACCOMMODATED = "not_accommodated"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return label(_OBJECTION_STATE_LABELS[self.value])


class StepKind(enum.StrEnum):
    """A dated step in an objection's history (a state change, or the exit offer that goes with one)."""

    LODGED = "lodged"
    ACKNOWLEDGED = "acknowledged"
    ACCOMMODATED = "accommodated"
    NOT_ACCOMMODATED = "not_accommodated"
    EXIT_OFFERED = "exit_offered"
    WITHDRAWN = "withdrawn"
    CHANGE_ACCEPTED = "change_accepted"
    EXIT_TAKEN = "exit_taken"
    DEADLINE_PASSED = "deadline_passed"

    @property
    def label(self) -> str:
        return label(_STEP_KIND_LABELS[self.value])


class ExitChoice(enum.StrEnum):
    """The school's answer to an exit offer after a not-accommodated objection."""

    ACCEPTED = "accepted"
    EXIT_TAKEN = "exit_taken"
    DEADLINE_PASSED = "deadline_passed"

    @property
    def label(self) -> str:
        return label(_EXIT_CHOICE_LABELS[self.value])


class ObjectionChannel(enum.StrEnum):
    """How the objection reached the vendor: the portal, or in writing by other means (staff record it)."""

    PORTAL = "portal"
    EMAIL = "email"
    LETTER = "letter"

    @property
    def label(self) -> str:
        return label(_OBJECTION_CHANNEL_LABELS[self.value])


# Each value's label, as module-level lazy strings: translated once a language (web.language.label).
_OBJECTION_STATE_LABELS = {
    "lodged": _l("Awaiting acknowledgement"),
    "acknowledged": _l("Acknowledged, awaiting decision"),
    "accommodated": _l("Accommodated"),
    "not_accommodated": _l("Not accommodated: exit offered"),
    "withdrawn": _l("Withdrawn"),
}
_STEP_KIND_LABELS = {
    "lodged": _l("Objection lodged"),
    "acknowledged": _l("Acknowledged"),
    "accommodated": _l("Accommodated"),
    "not_accommodated": _l("Not accommodated"),
    "exit_offered": _l("Exit offered"),
    "withdrawn": _l("Withdrawn"),
    "change_accepted": _l("Change accepted"),
    "exit_taken": _l("Exit taken"),
    "deadline_passed": _l("Answer deadline passed: change accepted"),
}
_EXIT_CHOICE_LABELS = {
    "accepted": _l("Accepted the change"),
    "exit_taken": _l("Took the exit"),
    "deadline_passed": _l("No answer by the deadline: the change applies"),
}
_OBJECTION_CHANNEL_LABELS = {"portal": _l("In the portal"), "email": _l("By email"), "letter": _l("By letter")}


# Withdrawing after "accommodated" gives the exclusion back (the school accepts the supplier after
# all). After "not accommodated" the school answers the exit offer instead (portal.changes.exits):
# the answer is recorded on the objection, which keeps its state.
TRANSITIONS: dict[ObjectionState, frozenset[ObjectionState]] = {
    ObjectionState.LODGED: frozenset({ObjectionState.ACKNOWLEDGED, ObjectionState.WITHDRAWN}),
    ObjectionState.ACKNOWLEDGED: frozenset(
        {ObjectionState.ACCOMMODATED, ObjectionState.NOT_ACCOMMODATED, ObjectionState.WITHDRAWN}
    ),
    ObjectionState.ACCOMMODATED: frozenset({ObjectionState.WITHDRAWN}),
    ObjectionState.NOT_ACCOMMODATED: frozenset(),
    ObjectionState.WITHDRAWN: frozenset(),
}

OPEN_STATES = frozenset({ObjectionState.LODGED, ObjectionState.ACKNOWLEDGED})


class IllegalTransition(ValueError):
    """A step the state machine does not allow from the objection's current state."""

    def __init__(self, current: ObjectionState, wanted: ObjectionState) -> None:
        super().__init__(
            _(
                "An objection that is “%(current)s” cannot become “%(wanted)s”.",
                current=current.label.lower(),
                wanted=wanted.label.lower(),
            )
        )
        self.current = current
        self.wanted = wanted


def check_transition(current: ObjectionState, wanted: ObjectionState) -> None:
    """Raise IllegalTransition unless TRANSITIONS allows the move."""
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
