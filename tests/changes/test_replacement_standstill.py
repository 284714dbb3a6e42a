"""Standstill on a replacement (#21 item 3): the change is kept out as a whole for the objecting school.

While its objection keeps the replacement out (open, not accommodated and awaiting the school's answer,
or accommodated), the school keeps the supplier being replaced: its retirement is part of the change.
A school that did not object has the new supplier and not the old one, from the change's date.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import exits, objections
from portal.changes import service as changes
from portal.changes.models import ChangeKind
from portal.dates import now, start_of_uk_day, uk_today
from portal.extensions import db
from portal.incidents import affected
from portal.notify.models import OutboxMessage
from portal.register.effective import effective_set
from portal.register.models import EntryStatus
from tests.changes.builders import ACTIVE_KEY, PLANNED_KEY, announced
from tests.factories import make_school
from tests.register.builders import entry, publish_version

STAFF = Actor.system("test")


def _objected(school, data_lead, *, days_ago: int = 5):
    """A replacement of Hostwell by Quillmark announced 40 days before it took effect, `days_ago` days ago; the
    school objected within the window, five days before the date."""
    change = announced(kind=ChangeKind.REPLACEMENT, days_ahead=40, published_days_ago=40 + days_ago)
    at = start_of_uk_day(change.effective_on - dt.timedelta(days=5)) + dt.timedelta(hours=12)
    objection = objections.lodge_objection(change, school, grounds="Not assessed", actor=Actor.of(data_lead), at=at)
    return change, objection


def _lines(tenancy, on=None):
    found = effective_set(tenancy, today=on)
    return found.line_for(ACTIVE_KEY), found.line_for(PLANNED_KEY)


def test_an_open_objection_keeps_the_replaced_supplier_with_the_reason(app, school, data_lead):
    _objected(school, data_lead)
    other = make_school("Aurora Primary Academy")
    old, new = _lines(school)
    assert old.included and old.standstill
    assert old.reason.startswith("Still used for your school: your objection of")
    assert "to its replacement is awaiting a decision" in old.reason
    assert not new.included and "awaiting a decision" in new.reason
    old, new = _lines(other)
    assert not old.included and old.reason.startswith("Removed from the service on")
    assert new.included


def test_before_the_date_the_upcoming_removal_says_it_will_not_happen_for_the_school(app, school, data_lead):
    change = announced(kind=ChangeKind.REPLACEMENT)
    other = make_school("Aurora Primary Academy")
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    upcoming = {c.entry.key: c for c in effective_set(school).upcoming}
    assert not upcoming[ACTIVE_KEY].applies and upcoming[ACTIVE_KEY].note.startswith("Still used for your school")
    assert not upcoming[PLANNED_KEY].applies and "awaiting a decision" in upcoming[PLANNED_KEY].note
    theirs = {c.entry.key: c for c in effective_set(other).upcoming}
    assert theirs[ACTIVE_KEY].applies and theirs[PLANNED_KEY].applies
    # And on the date, as the portal will decide it then with what is known today.
    old, new = _lines(school, change.effective_on)
    assert old.included and not new.included


def test_not_accommodated_keeps_the_old_supplier_until_the_answer_then_the_replacement_applies(app, school, data_lead):
    _change, objection = _objected(school, data_lead)
    objections.acknowledge(objection, actor=STAFF)
    objections.not_accommodate(objection, reason="Needed.", actor=STAFF)
    deadline = objection.exit_answer_by
    old, new = _lines(school, deadline)
    assert old.included and "was not accommodated" in old.reason and "until" in old.reason
    assert not new.included
    old, new = _lines(school, deadline + dt.timedelta(days=1))
    assert not old.included and new.included  # silence accepts: the replacement applies, old one retired
    exits.accept_change(objection, Actor.of(data_lead))
    old, _new = _lines(school)
    assert old.included and old.reason.startswith("Still used for your school until the end of")
    old, new = _lines(school, uk_today() + dt.timedelta(days=1))
    assert not old.included and new.included


def test_accommodated_keeps_the_old_supplier_for_good_and_a_withdrawal_gives_the_replacement(app, school, data_lead):
    _change, objection = _objected(school, data_lead)
    objections.acknowledge(objection, actor=STAFF)
    objections.accommodate(objection, reason="We keep Hostwell for you.", actor=STAFF)
    later = uk_today() + dt.timedelta(days=400)
    old, new = _lines(school, later)
    assert old.included and "to its replacement was accommodated" in old.reason
    assert not new.included and new.excluded_by_objection
    [removal] = [c for c in effective_set(school).upcoming if c.entry.key == ACTIVE_KEY] or [None]
    assert removal is None  # its date has passed: nothing upcoming
    objections.withdraw_objection(objection, actor=Actor.of(data_lead))
    old, new = _lines(school)
    assert not old.included and new.included


def test_a_later_register_without_the_replaced_supplier_still_keeps_it_for_the_school(app, school, data_lead):
    """The vendor publishes the register after the date without Hostwell: the objecting school keeps it,
    on its entry as the register stood before the change."""
    day = uk_today() - dt.timedelta(days=5)
    noon = start_of_uk_day(uk_today() - dt.timedelta(days=50)) + dt.timedelta(hours=12)
    hostwell = entry(ACTIVE_KEY, supplier="Hostwell Cloud Ltd", retires_on=day)
    quill = {"key": PLANNED_KEY, "supplier": "Quillmark Analytics Ltd"}
    publish_version(
        [hostwell, entry(**quill, status=EntryStatus.PLANNED, effective_on=day, listed_since=None)], published_at=noon
    )
    change = changes.announce_change(
        kind=ChangeKind.REPLACEMENT,
        entry_key=PLANNED_KEY,
        replaces_key=ACTIVE_KEY,
        title="Quillmark replaces Hostwell",
        reason="Cost.",
        effective_on=day,
        actor=STAFF,
        at=noon + dt.timedelta(days=5),
    )
    at = start_of_uk_day(uk_today() - dt.timedelta(days=10)) + dt.timedelta(hours=12)
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead), at=at)
    publish_version([entry(**quill, listed_since=day)], published_at=now())
    other = make_school("Aurora Primary Academy")
    old, new = _lines(school)
    assert old is not None and old.included and old.entry.supplier == "Hostwell Cloud Ltd"
    assert "to its replacement is awaiting a decision" in old.reason
    assert not new.included
    assert _lines(other)[0] is None


def test_the_pages_show_the_kept_supplier_and_withdrawing_says_it_will_stop(client_request, school, data_lead):
    _change, objection = _objected(school, data_lead)
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    in_use = page.find(id="in-use").get_text(" ", strip=True)
    assert "Hostwell Cloud Ltd" in in_use and "to its replacement is awaiting a decision" in in_use
    tomorrow = (uk_today() + dt.timedelta(days=1)).isoformat()
    url = client_request.url("tenancy_register.effective_set_json", tenancy=school.slug, on=tomorrow)
    found = client_request.client.get(url).get_json()
    [old] = [line for line in found["lines"] if line["key"] == ACTIVE_KEY]
    assert old["included"] and old["reason"].startswith("Still used for your school")
    objections.acknowledge(objection, actor=STAFF)
    objections.accommodate(objection, reason="We keep Hostwell for you.", actor=STAFF)
    confirm = client_request.get("changes.confirm_withdraw", tenancy=school.slug, objection_id=objection.id)
    text = confirm.get_text(" ", strip=True)
    assert "Quillmark Analytics Ltd will process" in text
    assert "Hostwell Cloud Ltd, which it replaces, will stop processing Oakfield Primary School's data" in text


def test_an_incident_at_the_kept_supplier_after_its_date_concerns_the_school_that_kept_it(app, school, data_lead):
    _objected(school, data_lead, days_ago=20)
    make_school("Aurora Primary Academy")  # did not object: Hostwell stopped for it 20 days ago
    week = (uk_today() - dt.timedelta(days=7), uk_today() - dt.timedelta(days=1))
    found = affected.affected_tenancies([ACTIVE_KEY], *week)
    assert set(found.tenancies) == {school.id}
    [finding] = found.findings
    assert finding.in_use and "objection to its replacement" in finding.explanation


def test_the_change_mail_of_a_replacement_names_the_supplier_that_stops(app, school, data_lead):
    change = announced(kind=ChangeKind.REPLACEMENT)
    [mail] = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == data_lead.email, OutboxMessage.reference.like(f"change-notice:{change.id}:%")
        )
    )
    assert "Quillmark Analytics Ltd will process Oakfield Primary School's data from" in mail.body_text
    assert "It replaces Hostwell Cloud Ltd, which will then stop processing Oakfield Primary School's data." in (
        mail.body_text
    )
