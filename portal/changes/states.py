"""The objection state machine: the one place that says which step may follow which."""

from __future__ import annotations

import enum


class ObjectionState(enum.StrEnum):
    LODGED = "lodged"
    ACKNOWLEDGED = "acknowledged"
    ACCOMMODATED = "accommodated"
    NOT_ACCOMMODATED = "not_accommodated"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "lodged": "Awaiting acknowledgement",
            "acknowledged": "Acknowledged, awaiting decision",
            "accommodated": "Accommodated",
            "not_accommodated": "Not accommodated: exit offered",
            "withdrawn": "Withdrawn",
        }[self.value]


class StepKind(enum.StrEnum):
    """A dated step in an objection's history (a state change, or the exit offer that goes with one)."""

    LODGED = "lodged"
    ACKNOWLEDGED = "acknowledged"
    ACCOMMODATED = "accommodated"
    NOT_ACCOMMODATED = "not_accommodated"
    EXIT_OFFERED = "exit_offered"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "lodged": "Objection lodged",
            "acknowledged": "Acknowledged",
            "accommodated": "Accommodated",
            "not_accommodated": "Not accommodated",
            "exit_offered": "Exit offered",
            "withdrawn": "Withdrawn",
        }[self.value]


# Withdrawing after a decision is allowed: after "accommodated" it gives the exclusion back (the
# school accepts the supplier after all); after "not accommodated" it declines the exit offer.
TRANSITIONS: dict[ObjectionState, frozenset[ObjectionState]] = {
    ObjectionState.LODGED: frozenset({ObjectionState.ACKNOWLEDGED, ObjectionState.WITHDRAWN}),
    ObjectionState.ACKNOWLEDGED: frozenset(
        {ObjectionState.ACCOMMODATED, ObjectionState.NOT_ACCOMMODATED, ObjectionState.WITHDRAWN}
    ),
    ObjectionState.ACCOMMODATED: frozenset({ObjectionState.WITHDRAWN}),
    ObjectionState.NOT_ACCOMMODATED: frozenset({ObjectionState.WITHDRAWN}),
    ObjectionState.WITHDRAWN: frozenset(),
}

OPEN_STATES = frozenset({ObjectionState.LODGED, ObjectionState.ACKNOWLEDGED})


class IllegalTransition(ValueError):
    """A step the state machine does not allow from the objection's current state."""

    def __init__(self, current: ObjectionState, wanted: ObjectionState) -> None:
        super().__init__(f"An objection that is “{current.label.lower()}” cannot become “{wanted.label.lower()}”.")
        self.current = current
        self.wanted = wanted


def check_transition(current: ObjectionState, wanted: ObjectionState) -> None:
    """Raise IllegalTransition unless TRANSITIONS allows the move."""
    if wanted not in TRANSITIONS[current]:
        raise IllegalTransition(current, wanted)
