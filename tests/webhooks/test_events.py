"""Each change the issue names becomes one event per endpoint that takes it, with the data the platform
needs, queued in the change's own transaction; an endpoint for one school hears only that school (#27)."""

from __future__ import annotations

import datetime as dt
import json

from portal.audit.service import Actor
from portal.changes import objections
from portal.dates import uk_today
from portal.incidents import service as incidents
from portal.register import service as register
from portal.register.options import set_option
from portal.webhooks.endpoints import register_endpoint, set_disabled
from tests.changes.builders import PLANNED_KEY, announced
from tests.factories import make_school
from tests.incidents.builders import open_incident
from tests.incidents.builders import register as incident_register
from tests.webhooks.conftest import SYSTEM, messages


def _events() -> list[tuple[str, dict]]:
    return [(m.event_type, json.loads(m.body)["data"]) for m in messages()]


def test_an_announced_change_and_an_upheld_objection_become_events(app, endpoint):
    school = make_school("Meadowbank Primary School")
    change = announced()
    assert _events() == [("change.announced", _events()[0][1])]
    assert _events()[0][1]["entry"] == PLANNED_KEY and _events()[0][1]["kind"] == "addition"

    objection = objections.lodge_objection(change, school, grounds="Not assessed", actor=SYSTEM)
    objections.acknowledge(objection, actor=SYSTEM)
    assert len(messages()) == 1  # lodging and acknowledging are not events
    objections.accommodate(objection, reason="We will keep Quillmark out for you.", actor=SYSTEM)
    decided, excluded = _events()[1:]
    assert decided[0] == "objection.decided" and decided[1]["decision"] == "accommodated"
    assert decided[1]["tenancy"]["slug"] == school.slug and decided[1]["entry"] == PLANNED_KEY
    assert excluded == ("tenancy.exclusion_added", {**excluded[1], "entry": PLANNED_KEY})
    assert excluded[1]["tenancy"]["slug"] == school.slug


def test_an_objection_not_accommodated_is_decided_without_an_exclusion(app, endpoint):
    school = make_school("Oakfield Primary")
    objection = objections.lodge_objection(announced(), school, grounds="No", actor=SYSTEM)
    objections.acknowledge(objection, actor=SYSTEM)
    objections.not_accommodate(objection, reason="We need it.", actor=SYSTEM)
    assert [t for t, _ in _events()] == ["change.announced", "objection.decided"]
    assert _events()[1][1]["decision"] == "not_accommodated"


def test_a_published_register_version_is_an_event(app, endpoint, azure_fallback, vendor_staff):
    actor = Actor.of(vendor_staff)
    register.publish_register(
        register.start_draft(actor=actor),
        number="1.5",
        owner_name="Helen Marsh, Chief Executive",
        contact_email="privacy@larkspur.example",
        reviewed_on=uk_today(),
        next_review_on=uk_today() + dt.timedelta(days=300),
        summary="Kestrel's start date is confirmed.",
        actor=actor,
    )
    [(kind, data)] = _events()
    assert kind == "register.published" and data["version"] == "1.5" and data["published_at"]


def test_an_incident_notice_is_an_event_naming_the_schools_told(app, endpoint):
    incident_register()
    oakfield = make_school("Oakfield Primary")
    incident = open_incident()
    assert messages() == []  # a draft is not published
    incidents.publish_notice(incident, actor=SYSTEM)
    [(kind, data)] = _events()
    assert kind == "incident.published" and data["incident"] == incident.id
    assert oakfield.slug in {t["slug"] for t in data["tenancies"]}


def test_an_endpoint_for_one_school_hears_that_schools_changes_and_the_registers(
    app, platform, endpoint, azure_fallback
):
    mine, other = make_school("Meadowbank Primary School", urn="107701"), make_school("Oakfield Primary")
    only, _ = register_endpoint(
        platform.url, "Meadowbank only", ["tenancy.option_changed"], tenancy_ref="107701", actor=SYSTEM
    )
    set_option(mine, azure_fallback, False, expected_version=0, actor=SYSTEM)
    set_option(other, azure_fallback, False, expected_version=0, actor=SYSTEM)
    by_endpoint = [(m.endpoint_id, json.loads(m.body)["data"]["tenancy"]["slug"]) for m in messages()]
    assert by_endpoint == [(endpoint.id, mine.slug), (only.id, mine.slug), (endpoint.id, other.slug)]


def test_a_disabled_endpoint_gets_no_new_events_and_an_endpoint_gets_only_the_events_it_chose(
    app, platform, endpoint, azure_fallback
):
    school = make_school("Meadowbank Primary School")
    register_endpoint(platform.url, "Notices only", ["change.announced"], actor=SYSTEM)
    set_disabled(endpoint, True, actor=SYSTEM)
    set_option(school, azure_fallback, False, expected_version=0, actor=SYSTEM)
    assert messages() == []
