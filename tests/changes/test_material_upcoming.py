"""An announced material change is an upcoming change of the tenancy (#21 items 8, 9): the set's panel, its
JSON on a date, the DPIA's note and the home list it with its date and this tenancy's objection state.

The register publishes a material change only once it takes effect, so until then its notice alone
announces it: the upcoming changes read the notices beside the register.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import objections
from portal.changes import service as changes
from portal.changes.models import ChangeKind
from portal.dates import govuk_date, now, start_of_uk_day, uk_today
from portal.dpia.builder import build_pack
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register.effective import effective_set
from portal.register.models import TenancyOption, TenancyOptionEntry, TenancyOptionSetting
from tests.factories import make_school
from tests.homes.test_homes import tasks
from tests.register.builders import entry, publish_version

KEY = "hostwell"
TITLE = "Hostwell moves to the US"


def _announce(days_ahead: int = 40):
    publish_version(
        [entry(KEY, supplier="Hostwell Cloud Ltd", listed_since=uk_today() - dt.timedelta(days=100))],
        published_at=start_of_uk_day(uk_today() - dt.timedelta(days=3)) + dt.timedelta(hours=9),
    )
    return changes.announce_change(
        kind=ChangeKind.MATERIAL_CHANGE,
        entry_key=KEY,
        title=TITLE,
        reason="Capacity.",
        effective_on=uk_today() + dt.timedelta(days=days_ahead),
        actor=Actor.system("test"),
        at=now(),
    )


def _material(tenancy, on=None):
    return [c for c in effective_set(tenancy, today=on).upcoming if c.kind == "material_change"]


def test_the_upcoming_changes_list_a_material_change_with_the_schools_position(app, school, data_lead):
    change = _announce()
    other = make_school("Aurora Primary Academy")
    [upcoming] = _material(other)
    assert (upcoming.entry.key, upcoming.on, upcoming.title) == (KEY, change.effective_on, TITLE)
    assert upcoming.applies and upcoming.note == "Applies to your organisation from this date."
    objections.lodge_objection(change, school, grounds="No US", actor=Actor.of(data_lead))
    [held] = _material(school)
    assert not held.applies and "keeps the current terms" in held.note and "is awaiting a decision" in held.note
    assert _material(other)[0].applies
    assert _material(school, change.effective_on) == []  # in effect by then: no longer upcoming


def test_a_supplier_the_school_does_not_use_says_the_change_does_not_reach_it(app, school):
    _announce()
    option = TenancyOption(key="hosting", name="Hostwell hosting", description="", default_enabled=True, position=1)
    option.governed = [TenancyOptionEntry(entry_key=KEY)]
    db.session.add(option)
    db.session.flush()
    db.session.add(TenancyOptionSetting(tenancy_id=school.id, option_id=option.id, enabled=False, updated_at=now()))
    db.session.flush()
    [upcoming] = _material(school)
    assert not upcoming.applies and "Hostwell hosting" in upcoming.note


def test_the_set_page_json_dpia_and_home_show_it(client_request, school, data_lead):
    change = _announce()
    objections.lodge_objection(change, school, grounds="No US", actor=Actor.of(data_lead))
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    caption = next(c for c in page.find_all("caption") if c.get_text(strip=True) == "Upcoming changes")
    panel = caption.find_parent("table").get_text(" ", strip=True)
    assert f"{govuk_date(change.effective_on)} Hostwell Cloud Ltd Material change: {TITLE}" in panel
    assert "is awaiting a decision" in panel
    on = (change.effective_on - dt.timedelta(days=1)).isoformat()
    url = client_request.url("tenancy_register.effective_set_json", tenancy=school.slug, on=on)
    found = client_request.client.get(url).get_json()
    [listed] = [c for c in found["upcoming_changes"] if c["change"] == "material_change"]
    assert listed["key"] == KEY and listed["date"] == change.effective_on.isoformat() and listed["title"] == TITLE
    assert listed["applies"] is False and "awaiting a decision" in listed["note"]
    with client_request.app.test_request_context():
        dpia = repr(build_pack(school))  # the pack's sections, as the DOCX and PDF are made from them
    assert f"Hostwell Cloud Ltd (material change: {TITLE}). Will not apply to your school" in dpia
    home = tasks(client_request.get("tenancy.overview", tenancy=school.slug))
    assert home[TITLE] == "Objection: awaiting acknowledgement"


def test_the_change_mail_says_the_supplier_in_use_changes(app, school, data_lead):
    change = _announce()
    [mail] = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == data_lead.email, OutboxMessage.reference.like(f"change-notice:{change.id}:%")
        )
    )
    assert "Hostwell Cloud Ltd, which processes Oakfield Primary School's data, changes on" in mail.body_text
    assert TITLE in mail.body_text and "will process Oakfield" not in mail.body_text
