"""Standstill, exit answers, trusts as controllers, written objections and removals (#21 items 3, 4, 6, 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import exits, objections
from portal.changes.errors import DecisionInvalid, WindowClosed
from portal.changes.models import ChangeKind
from portal.changes.states import ExitChoice, ObjectionChannel, ObjectionState, StepKind
from portal.dates import now, uk_today
from portal.exits.models import ExitCase
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register.effective import effective_set
from portal.tenancy.models import Role
from tests.changes.builders import PLANNED_KEY, announced
from tests.factories import make_school, make_trust, make_user

STAFF = Actor.system("test")


def _line(tenancy, on):
    return effective_set(tenancy, today=on).line_for(PLANNED_KEY)


def test_an_open_objection_keeps_the_change_out_past_its_date_with_the_reason(app, school, data_lead):
    change = announced(days_ahead=40, published_days_ago=45)  # took effect five days ago
    other = make_school("Aurora Primary Academy")
    at = now() - dt.timedelta(days=10)  # within the window
    objections.lodge_objection(change, school, grounds="Not assessed", actor=Actor.of(data_lead), at=at)
    held = _line(school, uk_today())
    assert not held.included and held.standstill
    assert (
        held.reason.startswith("Not used for your school: your objection of") and "awaiting a decision" in held.reason
    )
    assert _line(other, uk_today()).included


def test_accommodated_keeps_it_out_for_good(app, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.acknowledge(objection, actor=STAFF)
    objections.accommodate(objection, reason="We will not use it for you.", actor=STAFF)
    later = change.effective_on + dt.timedelta(days=400)
    assert not _line(school, later).included and _line(school, later).excluded_by_objection


def _not_accommodated(school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.acknowledge(objection, actor=STAFF)
    objections.not_accommodate(objection, reason="The service needs it.", actor=STAFF)
    return change, objection


def test_not_accommodated_keeps_it_out_until_the_answer_deadline_then_silence_accepts(app, school, data_lead):
    app.config["EXIT_RESPONSE_DAYS"] = 60  # the answer is due after the change's date
    change, objection = _not_accommodated(school, data_lead)
    deadline = objection.exit_answer_by
    assert deadline > change.effective_on
    assert not _line(school, change.effective_on).included
    assert "choose between the change and leaving the service" in _line(school, deadline).reason
    assert _line(school, deadline + dt.timedelta(days=1)).included
    # Recording the lapse later changes nothing the set says, and dates it.
    assert exits.record_lapsed_offers(STAFF, today=deadline + dt.timedelta(days=1)) == 1
    assert objection.exit_choice is ExitChoice.DEADLINE_PASSED
    assert objection.steps[-1].step is StepKind.DEADLINE_PASSED


def test_accepting_applies_the_change_from_the_next_day(app, school, data_lead):
    change, objection = _not_accommodated(school, data_lead)
    offer = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("%exit offered")).order_by(OutboxMessage.id)
    ).first()
    assert "If you do not answer by" in offer.body_text and "you accept the change" in offer.body_text
    exits.accept_change(objection, Actor.of(data_lead))
    assert objection.exit_choice is ExitChoice.ACCEPTED and objection.state is ObjectionState.NOT_ACCOMMODATED
    assert _line(school, change.effective_on).included
    with pytest.raises(DecisionInvalid, match="already answered"):
        exits.take_exit_offer(objection, Actor.of(data_lead))


def test_taking_the_exit_keeps_the_change_out_and_records_the_choice(app, school, data_lead):
    change, objection = _not_accommodated(school, data_lead)
    exits.take_exit_offer(objection, Actor.of(data_lead))
    assert objection.exit_choice is ExitChoice.EXIT_TAKEN and objection.exit_chosen_at is not None
    assert objection.steps[-1].step is StepKind.EXIT_TAKEN
    line = _line(school, change.effective_on + dt.timedelta(days=300))
    assert not line.included and "chose to leave the service" in line.reason
    # The exit case starts at once, ending the service when the refused change would have applied.
    case = db.session.scalars(select(ExitCase).where(ExitCase.tenancy_id == school.id)).one()
    assert case.objection_id == objection.id
    assert case.requested_end_on == max(uk_today(), change.effective_on)


def test_a_trust_objects_for_chosen_academies_and_accommodation_excludes_each(app):
    trust = make_trust()
    first, second, third = (make_school(trust=trust) for _ in range(3))
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    change = announced()
    db.session.expire(trust)
    result = objections.lodge_for_academies(
        change, trust, grounds="Ours", actor=Actor.of(admin), academies=[first, third]
    )
    assert sorted(o.tenancy_id for o in result.lodged) == sorted([first.id, third.id])
    for objection in result.lodged:
        objections.acknowledge(objection, actor=STAFF)
        objections.accommodate(objection, reason="Not for your academies.", actor=STAFF)
    on = change.effective_on
    assert not _line(first, on).included and not _line(third, on).included
    assert _line(second, on).included
    with pytest.raises(DecisionInvalid, match="Select only academies"):
        objections.lodge_for_academies(change, trust, grounds="x", actor=Actor.of(admin), academies=[make_school()])


def test_staff_record_a_letter_within_the_window_and_the_school_gets_a_receipt(app, school, data_lead):
    change = announced(published_days_ago=3)
    letter = objections.WrittenObjection(ObjectionChannel.LETTER, uk_today() - dt.timedelta(days=1), "Head, by post")
    objection = objections.lodge_objection(change, school, grounds="We object.", actor=STAFF, written=letter)
    assert objection.channel is ObjectionChannel.LETTER and objection.sender == "Head, by post"
    assert "By letter, received on" in objection.steps[0].note
    receipt = db.session.scalar(select(OutboxMessage).where(OutboxMessage.category == "objection"))
    assert receipt.recipient == data_lead.email and receipt.headers == {"Auto-Submitted": "auto-generated"}
    # The receipt leads to the objection itself (#25).
    assert f"/t/{school.slug}/changes?objection={objection.id}#objection-{objection.id}" in receipt.body_text
    # Standstill applies to it as to any objection.
    assert not _line(school, change.effective_on).included


def test_a_letter_received_outside_the_window_is_refused(app, school):
    change = announced(published_days_ago=3)
    early = objections.WrittenObjection(ObjectionChannel.EMAIL, uk_today() - dt.timedelta(days=5), "Head")
    with pytest.raises(WindowClosed, match="within the notice window"):
        objections.lodge_objection(change, school, grounds="x", actor=STAFF, written=early)
    future = objections.WrittenObjection(ObjectionChannel.EMAIL, uk_today() + dt.timedelta(days=1), "Head")
    with pytest.raises(DecisionInvalid, match="today or in the past"):
        objections.lodge_objection(change, school, grounds="x", actor=STAFF, written=future)


def test_a_removal_cannot_be_objected_to(app, school, data_lead):
    change = announced(kind=ChangeKind.REMOVAL)
    with pytest.raises(DecisionInvalid, match="information only"):
        objections.lodge_objection(change, school, grounds="Keep it", actor=Actor.of(data_lead))


def test_the_upcoming_panel_and_dpia_note_show_the_objection_before_the_date(app, school, data_lead):
    change = announced()
    before = effective_set(school).upcoming
    assert [c.note for c in before if c.entry.key == PLANNED_KEY] == ["Will be used from this date."]
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    [upcoming] = [c for c in effective_set(school).upcoming if c.entry.key == PLANNED_KEY]
    assert not upcoming.applies and "awaiting a decision" in upcoming.note
