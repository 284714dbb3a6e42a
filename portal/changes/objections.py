"""Objections: lodging and withdrawing (schools and trusts), and vendor staff's steps to a decision.

Every step goes through `_step`, which asks the state machine (`portal.changes.states`) first,
then writes the state, a dated and attributed ObjectionStep, the audit row and the mail to the
tenancy's data leads, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from portal.audit.models import Outcome
from portal.audit.service import Actor, record
from portal.changes import window
from portal.changes.errors import AlreadyObjected, DecisionInvalid, WindowClosed
from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection, ObjectionStep
from portal.changes.objection_mail import mail_step
from portal.changes.states import (
    OPEN_STATES,
    IllegalTransition,
    ObjectionChannel,
    ObjectionState,
    StepKind,
    check_transition,
)
from portal.dates import govuk_date, now, uk_today
from portal.extensions import db
from portal.register.models import TenancyExclusion
from portal.tenancy.models import Tenancy


def _refuse(error: type[Exception], message: str, *, change: ChangeNotice, tenancy: Tenancy, actor: Actor) -> None:
    """Audit a refused objection (the only row written) and raise."""
    record(
        "objection.refused",
        actor=actor,
        outcome=Outcome.FAILURE,
        tenancy_id=tenancy.id,
        object_type="change_notice",
        object_id=change.id,
        reason=message,
    )
    raise error(message)


def lodge_objection(
    change: ChangeNotice,
    tenancy: Tenancy,
    *,
    grounds: str,
    actor: Actor,
    at: dt.datetime | None = None,
    written: WrittenObjection | None = None,
) -> Objection:
    """Lodge one tenancy's objection; refused after the window closes or if the tenancy already objected.

    `written`: an objection that reached us by email or letter, recorded by staff; the window is
    judged on the UK date it was received.
    """
    at = at or window.now()
    if not grounds.strip():
        raise DecisionInvalid(_("Enter your grounds for objecting"), field="grounds")
    if change.kind is ChangeKind.REMOVAL:
        raise DecisionInvalid(_("A removal is information only: there is nothing to object to."), field="grounds")
    if change.state is not NoticeState.ANNOUNCED:
        _refuse(
            WindowClosed,
            _("This change has been withdrawn: there is nothing to object to."),
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    if written is not None:
        _check_received(change, written)
    elif not window.window_open(change.effective_on, at):
        until = govuk_date(window.object_until(change.effective_on))
        _refuse(
            WindowClosed,
            _(
                "The notice window for this change closed at the end of %(until)s: objections can no longer be lodged.",
                until=until,
            ),
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    if _existing(change, tenancy) is not None:
        _refuse(
            AlreadyObjected,
            _("%(name)s has already objected to this change.", name=tenancy.name),
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    objection = Objection(
        change_id=change.id,
        tenancy_id=tenancy.id,
        grounds=grounds.strip(),
        state=ObjectionState.LODGED,
        lodged_at=at,
        lodged_by_id=actor.user_id,
    )
    if written is not None:
        objection.channel, objection.received_on = written.channel, written.received_on
        objection.sender = written.sender.strip()
    try:
        # A savepoint: a concurrent twin that wins the unique constraint leaves this transaction usable.
        with db.session.begin_nested():
            db.session.add(objection)
            db.session.flush()
    except IntegrityError:
        _refuse(
            AlreadyObjected,
            _("%(name)s has already objected to this change.", name=tenancy.name),
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    objection.change, objection.tenancy = change, tenancy
    note = objection.grounds
    if written is not None:
        note = _(
            "%(how)s, received on %(on)s from %(sender)s: %(grounds)s",
            how=written.channel.label,
            on=govuk_date(written.received_on),
            sender=objection.sender,
            grounds=objection.grounds,
        )
    _write_step(objection, StepKind.LODGED, actor=actor, note=note, at=at)
    return objection


@dataclass(frozen=True)
class WrittenObjection:
    """An objection received by email or letter: how, the UK date received, and who sent it."""

    channel: ObjectionChannel
    received_on: dt.date
    sender: str


def _check_received(change: ChangeNotice, written: WrittenObjection) -> None:
    """A written objection counts if it was received within the window (announcement to the last day)."""
    if written.channel is ObjectionChannel.PORTAL:
        raise DecisionInvalid(_("Select how the objection was received"), field="channel")
    if not written.sender.strip():
        raise DecisionInvalid(_("Enter who sent the objection"), field="sender")
    published, last = uk_today(change.published_at), window.object_until(change.effective_on)
    if written.received_on > uk_today():
        raise DecisionInvalid(_("The date received must be today or in the past"), field="received_on")
    if not published <= written.received_on <= last:
        raise WindowClosed(
            _(
                "The date received must be within the notice window, %(start)s to %(end)s",
                start=govuk_date(published),
                end=govuk_date(last),
            )
        )


@dataclass(frozen=True)
class TrustResult:
    """What one trust-wide objection did: the objections lodged and the academies that had one already."""

    lodged: list[Objection]
    already: list[Tenancy]


def lodge_for_academies(
    change: ChangeNotice,
    trust: Tenancy,
    *,
    grounds: str,
    actor: Actor,
    at: dt.datetime | None = None,
    academies: Sequence[Tenancy] | None = None,
) -> TrustResult:
    """A trust admin, for the controller of its academies, objects for the chosen academies (all of them
    without a choice) in one step, skipping those that already have an objection."""
    if not trust.academies:
        raise DecisionInvalid(_("This trust has no academies in the portal yet"), field="target")
    own = {academy.id for academy in trust.academies}
    chosen = list(academies) if academies is not None else list(trust.academies)
    if not chosen:
        raise DecisionInvalid(_("Select the academies you are objecting for"), field="academies")
    if any(academy.id not in own for academy in chosen):
        raise DecisionInvalid(_("Select only academies of %(trust)s", trust=trust.name), field="academies")
    taken = set(
        db.session.scalars(
            select(Objection.tenancy_id).where(
                Objection.change_id == change.id, Objection.tenancy_id.in_([a.id for a in chosen])
            )
        )
    )
    lodged, already = [], []
    for academy in chosen:
        if academy.id in taken:
            already.append(academy)
            continue
        try:
            lodged.append(lodge_objection(change, academy, grounds=grounds, actor=actor, at=at))
        except AlreadyObjected:
            already.append(academy)
    return TrustResult(lodged, already)


def _existing(change: ChangeNotice, tenancy: Tenancy) -> Objection | None:
    return db.session.scalar(
        select(Objection).where(Objection.change_id == change.id, Objection.tenancy_id == tenancy.id)
    )


def withdraw_objection(objection: Objection, *, actor: Actor, note: str = "") -> None:
    """The school withdraws its objection; after an accommodation this gives the exclusion back."""
    was_accommodated = objection.state is ObjectionState.ACCOMMODATED
    _step(objection, ObjectionState.WITHDRAWN, actor=actor, note=note or _("Withdrawn by the school."))
    if was_accommodated:
        db.session.execute(delete(TenancyExclusion).where(TenancyExclusion.objection_id == objection.id))


def close_for_withdrawn_change(change: ChangeNotice, *, actor: Actor) -> int:
    """Close every open objection to a withdrawn change (each step recorded and mailed); how many."""
    query = select(Objection).where(Objection.change_id == change.id, Objection.state.in_(OPEN_STATES))
    found = list(db.session.scalars(query))
    for objection in found:
        _step(objection, ObjectionState.WITHDRAWN, actor=actor, note=_("Closed: we withdrew the change."))
    return len(found)


def acknowledge(objection: Objection, *, actor: Actor, note: str = "") -> None:
    """Vendor staff acknowledge receipt of an objection."""
    _step(objection, ObjectionState.ACKNOWLEDGED, actor=actor, note=note or _("We have received your objection."))


def _decide(objection: Objection, state: ObjectionState, *, reason: str, actor: Actor) -> dt.datetime:
    """Check a decision may be made, and record who made it, when and why; the time of the decision."""
    if not reason.strip():
        raise DecisionInvalid(_("Enter the reason for your decision"), field="reason")
    check_transition(objection.state, state)
    at = now()
    objection.decided_at, objection.decided_by_id = at, actor.user_id
    objection.decision_reason = reason.strip()
    return at


def accommodate(objection: Objection, *, reason: str, actor: Actor) -> None:
    """Decide the objection is accommodated: the entry is kept out of the tenancy's effective set."""
    at = _decide(objection, ObjectionState.ACCOMMODATED, reason=reason, actor=actor)
    change = objection.change
    if change.kind is not ChangeKind.REMOVAL:
        # The exclusion keeps the entry out of this tenancy's effective set from now on: for an
        # addition or replacement the new supplier never starts for it; for a material change the
        # supplier stops for it. A removal has nothing to keep out; the decision itself is the record.
        _exclude(objection, change, actor=actor, at=at)
    _step(objection, ObjectionState.ACCOMMODATED, actor=actor, note=reason.strip(), at=at)


def _exclude(objection: Objection, change: ChangeNotice, *, actor: Actor, at: dt.datetime) -> None:
    key = (objection.tenancy_id, change.entry_key)
    found = db.session.scalar(
        select(TenancyExclusion).where(TenancyExclusion.tenancy_id == key[0], TenancyExclusion.entry_key == key[1])
    )
    if found is not None:
        return  # already kept out (by an earlier accommodated objection): one reason is enough
    db.session.add(
        TenancyExclusion(
            tenancy_id=objection.tenancy_id,
            entry_key=change.entry_key,
            reason=_(
                "Decision of %(date)s on “%(title)s”: %(reason)s",
                date=govuk_date(at),
                title=change.title,
                reason=objection.decision_reason,
            ),
            objection_id=objection.id,
            since=at,
            created_by_id=actor.user_id,
        )
    )
    db.session.flush()


def not_accommodate(objection: Objection, *, reason: str, actor: Actor) -> None:
    """Decide the objection cannot be accommodated, and offer exit under the contract's terms."""
    at = _decide(objection, ObjectionState.NOT_ACCOMMODATED, reason=reason, actor=actor)
    objection.exit_answer_by = window.exit_answer_by(at)
    _step(objection, ObjectionState.NOT_ACCOMMODATED, actor=actor, note=reason.strip(), at=at)
    _write_step(
        objection,
        StepKind.EXIT_OFFERED,
        actor=actor,
        at=at,
        note=_(
            "We offer to end the service under the exit and data-export terms of your contract. Until you "
            "answer, the change does not apply to %(name)s. Choose in the portal by %(date)s: accept the change "
            "(it then applies from the next day) or take the exit. If you do not answer by %(date)s, you accept "
            "the change and it applies from the day after.",
            name=objection.tenancy.name,
            date=govuk_date(objection.exit_answer_by),
        ),
    )


def _step(
    objection: Objection, state: ObjectionState, *, actor: Actor, note: str, at: dt.datetime | None = None
) -> None:
    """Move to a new state if the state machine allows it (else IllegalTransition), and record the step."""
    check_transition(objection.state, state)
    before = objection.state
    db.session.flush()
    # Compare and set: of two requests moving the same objection at once (PostgreSQL reads what
    # was committed before either wrote), only the first moves it; the other is told it moved (#17).
    moved = db.session.execute(
        update(Objection)
        .where(Objection.id == objection.id, Objection.state == before)
        .values(state=state)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        db.session.refresh(objection)
        raise IllegalTransition(objection.state, state)
    set_committed_value(objection, "state", state)
    _write_step(objection, StepKind(state.value), actor=actor, note=note, at=at, before=before)


def _write_step(
    objection: Objection,
    kind: StepKind,
    *,
    actor: Actor,
    note: str,
    at: dt.datetime | None = None,
    before: ObjectionState | None = None,
) -> ObjectionStep:
    step = ObjectionStep(
        objection_id=objection.id, step=kind, at=at or now(), actor_id=actor.user_id, actor_label=actor.label, note=note
    )
    db.session.add(step)
    db.session.flush()
    record(
        f"objection.{kind.value}",
        actor=actor,
        tenancy_id=objection.tenancy_id,
        object_type="objection",
        object_id=objection.id,
        details={
            "change_id": objection.change_id,
            "from": before.value if before else None,
            "to": objection.state.value,
            "note": note[:500],
        },
    )
    mail_step(objection, step)
    return step
