"""Announcing a change: the notice period, the match with the register, and the mail to everyone."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.changes import service
from portal.changes.errors import NoticeInvalid
from portal.changes.models import ChangeKind, ChangeNotice
from portal.dates import uk_today
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Role
from tests.changes.builders import ACTIVE_KEY, PLANNED_KEY, announced, drop_planned, publish_register
from tests.factories import make_user


def _announce(effective_on: dt.date, **overrides):
    values = {
        "kind": ChangeKind.ADDITION,
        "entry_key": PLANNED_KEY,
        "title": "Add Quillmark",
        "reason": "Reading analytics.",
        "effective_on": effective_on,
        "actor": Actor.system("test"),
    }
    values.update(overrides)
    return service.announce_change(**values)


def test_announcing_queues_mail_for_every_data_lead_in_the_same_transaction(
    app, school, other_school, data_lead, viewer, vendor_staff
):
    other_lead = make_user("Olu Lead", tenancy=other_school, role=Role.DATA_LEAD)
    notice = announced(actor=Actor.of(vendor_staff))
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.reference.like(f"change-notice:{notice.id}:%")))
    recipients = sorted(row.recipient for row in rows)
    assert recipients == sorted([data_lead.email, other_lead.email])  # not the viewer
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == data_lead.email))
    until = service.window.object_until(notice.effective_on)
    # Each controller's mail names its school and links to its own page at the change (#21).
    assert f"You can object for {school.name} until the end of {until.day} {until:%B %Y}" in message.body_text
    assert f"/t/{school.slug}/changes?change={notice.id}#change-{notice.id}" in message.body_text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "change.announced"))
    assert event.actor_id == vendor_staff.id and event.details["queued"] == 2


def test_a_shorter_notice_than_the_period_is_refused_with_the_earliest_date(app):
    # Thirty clear days: published on day P, effective no earlier than P + 31.
    short = uk_today() + dt.timedelta(days=30)
    publish_register(planned_on=short)
    with pytest.raises(NoticeInvalid, match=r"after 30 clear days' notice: enter .* or later") as caught:
        _announce(short)
    assert caught.value.field == "effective_on"
    assert db.session.scalar(select(ChangeNotice)) is None


def test_exactly_the_notice_period_is_accepted(app):
    day = uk_today() + dt.timedelta(days=31)
    publish_register(planned_on=day)
    assert _announce(day).effective_on == day


def test_the_register_must_plan_the_supplier_on_that_date(app):
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day + dt.timedelta(days=1))
    with pytest.raises(NoticeInvalid, match="not planned to start on"):
        _announce(day)
    with pytest.raises(NoticeInvalid, match="Select a supplier"):
        _announce(day, entry_key="nobody")


def test_a_removal_must_match_the_entrys_removal_date(app):
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day, retires_on=day)
    with pytest.raises(NoticeInvalid, match="not due to be removed"):
        _announce(day + dt.timedelta(days=1), kind=ChangeKind.REMOVAL, entry_key=ACTIVE_KEY)
    assert _announce(day, kind=ChangeKind.REMOVAL, entry_key=ACTIVE_KEY).kind is ChangeKind.REMOVAL


def test_a_replacement_names_the_supplier_it_replaces_and_its_removal_date(app):
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day)
    with pytest.raises(NoticeInvalid, match="not due to be removed"):
        _announce(day, kind=ChangeKind.REPLACEMENT, replaces_key=ACTIVE_KEY)
    with pytest.raises(NoticeInvalid, match="Select the supplier being replaced"):
        _announce(day, kind=ChangeKind.REPLACEMENT, replaces_key=None)


def test_announced_changes_lists_those_not_yet_in_effect(app):
    current = announced(days_ahead=40)
    announced(days_ahead=31, published_days_ago=41)  # took effect ten days ago
    assert service.announced_changes() == [current]


def test_withdrawing_a_notice_closes_open_objections_and_tells_everyone(app, school, data_lead, vendor_staff):
    from portal.changes import objections
    from portal.changes.models import NoticeState
    from portal.changes.states import ObjectionState

    notice = announced()
    objection = objections.lodge_objection(notice, school, grounds="No", actor=Actor.of(data_lead))
    with pytest.raises(NoticeInvalid, match="Enter the reason"):
        service.withdraw_notice(notice, reason=" ", actor=Actor.of(vendor_staff))
    # The planned entry relies on this notice: out of the register first (#21).
    with pytest.raises(NoticeInvalid, match="publish the register without it first"):
        service.withdraw_notice(notice, reason="We found another way.", actor=Actor.of(vendor_staff))
    drop_planned()
    assert service.withdraw_notice(notice, reason="We found another way.", actor=Actor.of(vendor_staff)) == 1
    assert notice.state is NoticeState.WITHDRAWN and objection.state is ObjectionState.WITHDRAWN
    assert objection.steps[-1].note == "Closed: we withdrew the change."
    assert service.announced_changes() == []
    withdrawn = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.reference == f"change-notice:{notice.id}:withdrawn")
    ).all()
    assert withdrawn == [data_lead.email]
    with pytest.raises(NoticeInvalid, match="already been withdrawn"):
        service.withdraw_notice(notice, reason="Again", actor=Actor.of(vendor_staff))


def test_a_title_with_a_line_break_is_refused_before_it_reaches_a_mail_subject(app):
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day)
    with pytest.raises(NoticeInvalid, match="on one line"):
        _announce(day, title="Add\r\nBcc: everyone@example.org")


def test_the_register_feed_carries_the_notice_with_its_objection_deadline(app, client):
    from xml.etree import ElementTree as ET

    from portal.changes import window
    from portal.dates import govuk_date

    change = announced(days_ahead=40)
    db.session.commit()
    response = client.get("/sub-processors.atom")
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(response.data).findall(f"{atom}entry")  # noqa: S314 - our own feed
    notice = [e for e in entries if e.findtext(f"{atom}title") == change.title]
    assert len(notice) == 1
    until = govuk_date(window.object_until(change.effective_on))
    assert f"Schools can object until {until}" in notice[0].findtext(f"{atom}summary")
    assert notice[0].find(f"{atom}link").get("href").endswith(f"/changes/{change.id}")
