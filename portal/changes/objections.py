"""Objections: lodging and withdrawing (schools and trusts), and vendor staff's steps to a decision.

Every step goes through `_step`, which asks the state machine (`portal.changes.states`) first,
then writes the state, a dated and attributed ObjectionStep, the audit row and the mail to the
tenancy's data leads, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, render_template
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from portal.audit.models import Outcome
from portal.audit.service import Actor, record
from portal.auth.models import User
from portal.changes import window
from portal.changes.errors import AlreadyObjected, DecisionInvalid, WindowClosed
from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection, ObjectionStep
from portal.changes.states import OPEN_STATES, ObjectionState, StepKind, check_transition
from portal.dates import govuk_date, now
from portal.extensions import db
from portal.notify.outbox import enqueue
from portal.notify.tokens import mail_url
from portal.register.models import TenancyExclusion
from portal.tenancy.models import Membership, Role, Tenancy

MAIL_CATEGORY = "objection"


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
    change: ChangeNotice, tenancy: Tenancy, *, grounds: str, actor: Actor, at: dt.datetime | None = None
) -> Objection:
    """Lodge one tenancy's objection; refused after the window closes or if the tenancy already objected."""
    at = at or window.now()
    if not grounds.strip():
        raise DecisionInvalid("Enter your grounds for objecting", field="grounds")
    if change.state is not NoticeState.ANNOUNCED:
        _refuse(
            WindowClosed,
            "This change has been withdrawn: there is nothing to object to.",
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    if not window.window_open(change.effective_on, at):
        until = govuk_date(window.object_until(change.effective_on))
        _refuse(
            WindowClosed,
            f"The notice window for this change closed at the end of {until}: objections can no longer be lodged.",
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    if _existing(change, tenancy) is not None:
        _refuse(
            AlreadyObjected,
            f"{tenancy.name} has already objected to this change.",
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
    try:
        # A savepoint: a concurrent twin that wins the unique constraint leaves this transaction usable.
        with db.session.begin_nested():
            db.session.add(objection)
            db.session.flush()
    except IntegrityError:
        _refuse(
            AlreadyObjected,
            f"{tenancy.name} has already objected to this change.",
            change=change,
            tenancy=tenancy,
            actor=actor,
        )
    objection.change, objection.tenancy = change, tenancy
    _write_step(objection, StepKind.LODGED, actor=actor, note=objection.grounds, at=at)
    return objection


@dataclass(frozen=True)
class TrustResult:
    """What one trust-wide objection did: the objections lodged and the academies that had one already."""

    lodged: list[Objection]
    already: list[Tenancy]


def lodge_for_academies(
    change: ChangeNotice, trust: Tenancy, *, grounds: str, actor: Actor, at: dt.datetime | None = None
) -> TrustResult:
    """A trust admin objects for every academy of the trust in one step (skipping those that already have)."""
    if not trust.academies:
        raise DecisionInvalid("This trust has no academies in the portal yet", field="target")
    taken = set(
        db.session.scalars(
            select(Objection.tenancy_id).where(
                Objection.change_id == change.id, Objection.tenancy_id.in_([a.id for a in trust.academies])
            )
        )
    )
    lodged, already = [], []
    for academy in trust.academies:
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
    _step(objection, ObjectionState.WITHDRAWN, actor=actor, note=note or "Withdrawn by the school.")
    if was_accommodated:
        db.session.execute(delete(TenancyExclusion).where(TenancyExclusion.objection_id == objection.id))


def close_for_withdrawn_change(change: ChangeNotice, *, actor: Actor) -> int:
    """Close every open objection to a withdrawn change (each step recorded and mailed); how many."""
    query = select(Objection).where(Objection.change_id == change.id, Objection.state.in_(OPEN_STATES))
    found = list(db.session.scalars(query))
    for objection in found:
        _step(objection, ObjectionState.WITHDRAWN, actor=actor, note="Closed: we withdrew the change.")
    return len(found)


def acknowledge(objection: Objection, *, actor: Actor, note: str = "") -> None:
    """Vendor staff acknowledge receipt of an objection."""
    _step(objection, ObjectionState.ACKNOWLEDGED, actor=actor, note=note or "We have received your objection.")


def _decide(objection: Objection, state: ObjectionState, *, reason: str, actor: Actor) -> dt.datetime:
    """Check a decision may be made, and record who made it, when and why; the time of the decision."""
    if not reason.strip():
        raise DecisionInvalid("Enter the reason for your decision", field="reason")
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
            reason=f"Decision of {govuk_date(at)} on “{change.title}”: {objection.decision_reason}",
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
        note=(
            "We offer to end the service under the exit and data-export terms of your contract. "
            f"Please tell us by {govuk_date(objection.exit_answer_by)} whether you accept."
        ),
    )


def _step(
    objection: Objection, state: ObjectionState, *, actor: Actor, note: str, at: dt.datetime | None = None
) -> None:
    """Move to a new state if the state machine allows it (else IllegalTransition), and record the step."""
    check_transition(objection.state, state)
    before = objection.state
    objection.state = state
    db.session.flush()
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
    _mail(objection, step)
    return step


def lead_addresses(tenancy: Tenancy) -> list[str]:
    """The addresses of a tenancy's data leads and trust admins, and its trust's (one query)."""
    owners = [tenancy.id] + ([tenancy.trust_id] if tenancy.trust_id else [])
    query = (
        select(func.lower(User.email))
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.tenancy_id.in_(owners),
            Membership.role.in_([Role.DATA_LEAD, Role.TRUST_ADMIN]),
            User.email.is_not(None),
            User.is_disabled.is_(False),
        )
        .group_by(func.lower(User.email))
        .order_by(func.lower(User.email))
    )
    return [address for address in db.session.scalars(query) if address]


def _mail(objection: Objection, step: ObjectionStep) -> None:
    tenancy, change = objection.tenancy, objection.change
    path = current_app.url_map.bind("localhost").build("changes.tenancy_objections", {"tenancy": tenancy.slug})
    text = render_template(
        "changes/step_mail.txt", objection=objection, step=step, change=change, tenancy=tenancy, link=mail_url(path)
    )
    subject = f"Your objection to “{change.title}”: {step.step.label.lower()}"
    for address in lead_addresses(tenancy):
        enqueue(
            to=address,
            subject=subject,
            text=text,
            category=MAIL_CATEGORY,
            reference=f"objection:{objection.id}:{step.id}",
        )
