"""The school's answer to an exit offer after a not-accommodated objection (#21 item 3).

The school chooses, within its deadline, between accepting the change (it then applies from
the next UK day) and taking the exit the contract offers; silence until the deadline counts as
accepting (the change applies from the day after the deadline). The effective set reads the
answer and its date (`portal.register.choices.Standstill`), so no job has to run at midnight;
`record_lapsed_offers` only writes down, dated and attributed, that a deadline passed.

`take_exit_offer` records the choice; the exit case itself belongs to the after-signing work
(`portal/exits/`), wired to this function at merge.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes.errors import DecisionInvalid
from portal.changes.models import Objection
from portal.changes.objections import _write_step
from portal.changes.states import ExitChoice, ObjectionState, StepKind
from portal.dates import govuk_date, now, uk_today
from portal.extensions import db


def answerable(objection: Objection, today: dt.date | None = None) -> bool:
    """Whether the school may still answer this objection's exit offer."""
    return (
        objection.state is ObjectionState.NOT_ACCOMMODATED
        and objection.exit_choice is None
        and (objection.exit_answer_by is None or (today or uk_today()) <= objection.exit_answer_by)
    )


def _check_open_offer(objection: Objection, at: dt.datetime) -> None:
    if objection.state is not ObjectionState.NOT_ACCOMMODATED:
        raise DecisionInvalid(_("There is no exit offer to answer for this objection."), field="choice")
    if objection.exit_choice is not None:
        raise DecisionInvalid(
            _("This exit offer was already answered: %(choice)s.", choice=objection.exit_choice.label.lower()),
            field="choice",
        )
    if objection.exit_answer_by is not None and uk_today(at) > objection.exit_answer_by:
        raise DecisionInvalid(
            _(
                "The deadline to answer was %(date)s: the change now applies.",
                date=govuk_date(objection.exit_answer_by),
            ),
            field="choice",
        )


def _answer(objection: Objection, choice: ExitChoice, step: StepKind, note: str, actor: Actor, at: dt.datetime) -> None:
    objection.exit_choice, objection.exit_chosen_at, objection.exit_chosen_by_id = choice, at, actor.user_id
    db.session.flush()
    _write_step(objection, step, actor=actor, note=note, at=at)


def accept_change(objection: Objection, actor: Actor, *, at: dt.datetime | None = None) -> None:
    """The school accepts the change after all: it applies to the school from the next UK day."""
    at = at or now()
    _check_open_offer(objection, at)
    starts = uk_today(at) + dt.timedelta(days=1)
    note = _("The school accepted the change: it applies from %(date)s.", date=govuk_date(starts))
    _answer(objection, ExitChoice.ACCEPTED, StepKind.CHANGE_ACCEPTED, note, actor, at)


def take_exit_offer(objection: Objection, actor: Actor, *, at: dt.datetime | None = None) -> None:
    """The school takes the exit the contract offers: the change never applies to it; the exit case starts."""
    at = at or now()
    _check_open_offer(objection, at)
    note = _("The school chose to leave the service under the exit terms of its contract.")
    _answer(objection, ExitChoice.EXIT_TAKEN, StepKind.EXIT_TAKEN, note, actor, at)


def record_lapsed_offers(actor: Actor, *, today: dt.date | None = None) -> int:
    """Write down every exit offer whose deadline passed unanswered (the change already applies); how many."""
    today = today or uk_today()
    query = select(Objection).where(
        Objection.state == ObjectionState.NOT_ACCOMMODATED,
        Objection.exit_choice.is_(None),
        Objection.exit_answer_by < today,
    )
    lapsed = list(db.session.scalars(query))
    for objection in lapsed:
        assert objection.exit_answer_by is not None
        starts = objection.exit_answer_by + dt.timedelta(days=1)
        note = _(
            "No answer by %(deadline)s: the change applies from %(date)s.",
            deadline=govuk_date(objection.exit_answer_by),
            date=govuk_date(starts),
        )
        _answer(objection, ExitChoice.DEADLINE_PASSED, StepKind.DEADLINE_PASSED, note, actor, now())
    return len(lapsed)
