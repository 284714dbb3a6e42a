"""Standstill on a material change of a supplier already in use (#21 item 3): only the change is kept out.

The objecting school keeps the supplier on its previous terms, and its line says so and why; a
school that did not object has the new terms; a new supplier objected to stays wholly out.
"""

from __future__ import annotations

import datetime as dt

from portal.audit.service import Actor
from portal.changes import exits, objections
from portal.changes import service as changes
from portal.changes.models import ChangeKind
from portal.dates import now, start_of_uk_day, uk_today
from portal.register.effective import effective_set
from tests.factories import make_school
from tests.register.builders import entry, publish_version

STAFF = Actor.system("test")
KEY = "hostwell"
UK_ONLY = {"categories": ["contact_details"], "countries": ["GB"], "transfer": "none"}
MOVED = {"categories": ["contact_details", "voice_recordings"], "countries": ["GB", "US"], "transfer": "idta"}


def _noon(days_ago: int) -> dt.datetime:
    return start_of_uk_day(uk_today() - dt.timedelta(days=days_ago)) + dt.timedelta(hours=12)


def _publish(facts: dict, location: str, at: dt.datetime) -> None:
    publish_version(
        [
            entry(
                KEY,
                supplier="Hostwell Cloud Ltd",
                location=location,
                listed_since=uk_today(at) - dt.timedelta(days=100),
                facts_data=facts,
            )
        ],
        published_at=at,
    )


def _material_change_objected(school, data_lead, *, publish_change: bool = True):
    """Hostwell in the UK since long ago; a material change (to the US, voice recordings) announced 45 days
    ago, effective 5 days ago; the school objected within the window; the change published today."""
    _publish(UK_ONLY, "United Kingdom", _noon(50))
    change = changes.announce_change(
        kind=ChangeKind.MATERIAL_CHANGE,
        entry_key=KEY,
        title="Hostwell moves to the US",
        reason="Capacity.",
        effective_on=uk_today() - dt.timedelta(days=5),
        actor=STAFF,
        at=_noon(45),
    )
    objection = objections.lodge_objection(change, school, grounds="No US", actor=Actor.of(data_lead), at=_noon(10))
    if publish_change:
        _publish(MOVED, "United States (Virginia)", now())
    return change, objection


def test_an_objection_to_a_material_change_keeps_the_supplier_on_its_previous_terms(app, school, data_lead):
    _material_change_objected(school, data_lead)
    other = make_school("Aurora Primary Academy")
    held = effective_set(school).line_for(KEY)
    assert held.included and held.standstill
    assert held.entry.location == "United Kingdom" and held.entry.facts.countries == ("GB",)
    assert held.reason.startswith("Used on its previous terms: the change of")
    assert "new data categories: voice recordings" in held.reason and "new processing countries" in held.reason
    assert "is awaiting a decision" in held.reason
    changed = effective_set(other).line_for(KEY)
    assert changed.included and not changed.standstill and changed.entry.location == "United States (Virginia)"


def test_before_the_change_is_published_the_line_says_the_change_does_not_apply(app, school, data_lead):
    _material_change_objected(school, data_lead, publish_change=False)
    held = effective_set(school).line_for(KEY)
    assert held.included and held.entry.location == "United Kingdom"
    assert "the change of" in held.reason and "does not apply to your school" in held.reason


def test_once_the_school_accepts_the_change_it_has_the_new_terms(app, school, data_lead):
    _change, objection = _material_change_objected(school, data_lead)
    objections.acknowledge(objection, actor=STAFF)
    objections.not_accommodate(objection, reason="Needed.", actor=STAFF)
    line = effective_set(school).line_for(KEY)
    assert line.included and line.entry.location == "United Kingdom" and "was not accommodated" in line.reason
    exits.accept_change(objection, Actor.of(data_lead))
    tomorrow = effective_set(school, today=uk_today() + dt.timedelta(days=1)).line_for(KEY)
    assert tomorrow.included and not tomorrow.standstill and tomorrow.entry.location == "United States (Virginia)"
