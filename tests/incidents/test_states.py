"""The incident and exit transition tables: every pair of states, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from portal.exits import states as exit_states
from portal.incidents import states as incident_states

INCIDENT_ALLOWED = {
    ("reported", "draft"),
    ("reported", "dismissed"),
    ("draft", "notified"),
    ("draft", "dismissed"),
    ("notified", "closed"),
}
EXIT_ALLOWED = {
    ("requested", "export_delivered"),
    ("requested", "service_ended"),
    ("requested", "withdrawn"),
    ("export_delivered", "service_ended"),
    ("export_delivered", "withdrawn"),
    ("service_ended", "deletion_confirmed"),
}


@pytest.mark.parametrize(
    ("current", "wanted"), itertools.product(incident_states.IncidentState, incident_states.IncidentState)
)
def test_incident_transitions(app, current, wanted):
    if (current.value, wanted.value) in INCIDENT_ALLOWED:
        incident_states.check_transition(current, wanted)
    else:
        with pytest.raises(incident_states.IllegalTransition):
            incident_states.check_transition(current, wanted)


@pytest.mark.parametrize(("current", "wanted"), itertools.product(exit_states.ExitState, exit_states.ExitState))
def test_exit_transitions(app, current, wanted):
    if (current.value, wanted.value) in EXIT_ALLOWED:
        exit_states.check_transition(current, wanted)
    else:
        with pytest.raises(exit_states.IllegalTransition):
            exit_states.check_transition(current, wanted)
