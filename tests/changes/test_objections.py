"""Objections: the window, one per tenancy per change, the state machine, decisions and their effects."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent, Outcome
from portal.audit.service import Actor
from portal.changes import objections
from portal.changes.errors import AlreadyObjected, DecisionInvalid, WindowClosed
from portal.changes.models import Objection, ObjectionStep
from portal.changes.states import TRANSITIONS, IllegalTransition, ObjectionState, StepKind, check_transition
from portal.dates import now, uk_today
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register.effective import effective_set
from portal.register.models import TenancyExclusion
from portal.tenancy.models import Role
from tests.changes.builders import PLANNED_KEY, announced
from tests.factories import make_school, make_trust, make_user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_lodging_records_a_dated_attributed_step_audit_and_mail(app, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(
        change, school, grounds="We have not assessed it.", actor=Actor.of(data_lead)
    )
    assert objection.state is ObjectionState.LODGED and objection.lodged_by_id == data_lead.id
    [step] = objection.steps
    assert (step.step, step.actor_id, step.actor_label) == (StepKind.LODGED, data_lead.id, "Dana Lead")
    assert step.at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.lodged"))
    assert event.tenancy_id == school.id and event.object_id == str(objection.id)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.category == "objection"))
    assert mail.recipient == data_lead.email and f"/t/{school.slug}/changes" in mail.body_text


def test_after_the_window_closes_only_the_audit_row_is_written(app, school, data_lead):
    change = announced(days_ahead=31, published_days_ago=32)  # took effect yesterday
    before = _count(OutboxMessage)
    with pytest.raises(WindowClosed, match="closed at the end of"):
        objections.lodge_objection(change, school, grounds="Too late", actor=Actor.of(data_lead))
    assert _count(Objection) == 0 and _count(ObjectionStep) == 0 and _count(OutboxMessage) == before
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.refused"))
    assert event.outcome is Outcome.FAILURE and "closed" in event.reason


def test_the_last_day_is_inclusive_and_midnight_closes_it(app, school, data_lead):
    change = announced()
    last_minute = dt.datetime.combine(change.effective_on, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(hours=2)
    assert objections.lodge_objection(change, school, grounds="Just in time", actor=Actor.of(data_lead), at=last_minute)
    late = make_school()
    from portal.dates import start_of_uk_day

    with pytest.raises(WindowClosed):
        objections.lodge_objection(
            change, late, grounds="Midnight", actor=Actor.of(data_lead), at=start_of_uk_day(change.effective_on)
        )


def test_a_second_objection_by_the_same_tenancy_is_refused_clearly(app, school, data_lead):
    change = announced()
    objections.lodge_objection(change, school, grounds="First", actor=Actor.of(data_lead))
    with pytest.raises(AlreadyObjected, match="has already objected"):
        objections.lodge_objection(change, school, grounds="Second", actor=Actor.of(data_lead))
    assert _count(Objection) == 1


def test_the_database_holds_one_objection_per_tenancy_per_change(app, school):
    change = announced()
    from sqlalchemy.exc import IntegrityError

    db.session.add(Objection(change_id=change.id, tenancy_id=school.id, grounds="a"))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Objection(change_id=change.id, tenancy_id=school.id, grounds="b"))
        db.session.flush()


def test_accommodating_excludes_the_entry_from_the_tenancys_effective_set(app, school, data_lead, vendor_staff):
    change = announced(days_ahead=31, published_days_ago=0)
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    staff = Actor.of(vendor_staff)
    with pytest.raises(IllegalTransition):
        objections.accommodate(objection, reason="Too early", actor=staff)
    objections.acknowledge(objection, actor=staff)
    with pytest.raises(DecisionInvalid, match="Enter the reason"):
        objections.accommodate(objection, reason="  ", actor=staff)
    objections.accommodate(objection, reason="We will not switch Quillmark on for you.", actor=staff)
    assert objection.state is ObjectionState.ACCOMMODATED
    exclusion = db.session.scalar(select(TenancyExclusion))
    assert (exclusion.tenancy_id, exclusion.entry_key, exclusion.objection_id) == (school.id, PLANNED_KEY, objection.id)
    # On and after the effective date the supplier is out for this school, and the set says why.
    line = effective_set(school, today=change.effective_on).line_for(PLANNED_KEY)
    assert not line.included and line.excluded_by_objection
    assert "your objection was accommodated" in line.reason
    other = make_school()
    assert effective_set(other, today=change.effective_on).line_for(PLANNED_KEY).included
    assert [s.step for s in objection.steps] == [StepKind.LODGED, StepKind.ACKNOWLEDGED, StepKind.ACCOMMODATED]
    # Withdrawing after an accommodation gives the exclusion back, consistently.
    objections.withdraw_objection(objection, actor=Actor.of(data_lead))
    assert _count(TenancyExclusion) == 0
    assert effective_set(school, today=change.effective_on).line_for(PLANNED_KEY).included


def test_not_accommodated_offers_exit_with_an_answer_date(app, school, data_lead, vendor_staff):
    app.config["EXIT_RESPONSE_DAYS"] = 30
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.acknowledge(objection, actor=Actor.of(vendor_staff))
    objections.not_accommodate(objection, reason="The service needs it.", actor=Actor.of(vendor_staff))
    assert objection.exit_answer_by == uk_today() + dt.timedelta(days=30)
    assert [s.step for s in objection.steps][-2:] == [StepKind.NOT_ACCOMMODATED, StepKind.EXIT_OFFERED]
    assert _count(TenancyExclusion) == 0
    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.category == "objection").order_by(OutboxMessage.id)
    ).all()
    assert len(subjects) == 4 and subjects[-1].endswith("exit offered")
    # In the order written (by id): without ORDER BY, PostgreSQL may return rows in any order.
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "objection").order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "objection.lodged",
        "objection.acknowledged",
        "objection.not_accommodated",
        "objection.exit_offered",
    ]


def test_withdrawing_twice_is_refused_not_ignored(app, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.withdraw_objection(objection, actor=Actor.of(data_lead))
    with pytest.raises(IllegalTransition):
        objections.withdraw_objection(objection, actor=Actor.of(data_lead))
    with pytest.raises(IllegalTransition):
        objections.acknowledge(objection, actor=Actor.of(data_lead))


@pytest.mark.parametrize("current", list(ObjectionState))
def test_every_transition_not_in_the_table_raises(current):
    for wanted in ObjectionState:
        if wanted in TRANSITIONS[current]:
            check_transition(current, wanted)
        else:
            with pytest.raises(IllegalTransition):
                check_transition(current, wanted)


def test_a_trust_admin_objects_for_all_academies_in_one_step(app):
    trust = make_trust()
    first, second, third = (make_school(trust=trust) for _ in range(3))
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    change = announced()
    objections.lodge_objection(change, second, grounds="Already", actor=Actor.of(admin))
    db.session.expire(trust)
    result = objections.lodge_for_academies(change, trust, grounds="All of us", actor=Actor.of(admin))
    assert sorted(o.tenancy_id for o in result.lodged) == sorted([first.id, third.id])
    assert [a.id for a in result.already] == [second.id]
    assert _count(Objection) == 3


def test_the_time_of_lodging_is_kept(app, school, data_lead):
    change = announced()
    at = now() - dt.timedelta(hours=1)
    objection = objections.lodge_objection(change, school, grounds="x", actor=Actor.of(data_lead), at=at)
    assert objection.lodged_at == at
