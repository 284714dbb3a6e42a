"""Where each tenancy stands, for the homes and the vendor's page of a tenancy: a fixed number of
queries however many tenancies (a trust's home reads all its academies at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.changes import service as changes
from portal.changes.models import ChangeKind, ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.changes.window import object_until, window_open
from portal.dates import uk_today
from portal.documents.versions import AgreementStatus, statuses
from portal.exits.models import ExitCase
from portal.exits.states import ExitState
from portal.extensions import db
from portal.incidents.models import Incident, IncidentTenancy
from portal.incidents.states import PUBLISHED_STATES
from portal.register.choices import OptionState, tenancy_choices
from portal.tenancy.models import Tenancy

# Decided objections stay on the home this long after the decision, then the objections page keeps them.
OUTCOME_DAYS = 60


@dataclass(frozen=True)
class OpenChange:
    """An announced change not yet in effect, and this tenancy's objection to it (if any)."""

    change: ChangeNotice
    objection: Objection | None
    objectable: bool
    days_left: int  # UK days left to object, counting today (0: the window has closed)


@dataclass
class TenancyStatus:
    """Everything a home shows for one tenancy."""

    tenancy: Tenancy
    agreement: AgreementStatus
    changes: list[OpenChange] = field(default_factory=list)
    outcomes: list[Objection] = field(default_factory=list)
    exit_case: ExitCase | None = None
    incidents: list[Incident] = field(default_factory=list)
    options: list[OptionState] = field(default_factory=list)

    @property
    def pending_options(self) -> list[OptionState]:
        """Options switched by the school that the vendor's platform has not confirmed applying yet."""
        return [s for s in self.options if s.setting is not None and s.setting.applied_at is None]

    @property
    def to_object(self) -> list[OpenChange]:
        """Changes the tenancy may still object to and has not."""
        return [c for c in self.changes if c.objectable and c.objection is None and c.days_left > 0]

    @property
    def open_objections(self) -> list[Objection]:
        return [c.objection for c in self.changes if c.objection is not None and c.objection.is_open]

    @property
    def exit_offers(self) -> list[Objection]:
        """Objections not accommodated whose exit offer is still unanswered."""
        return [o for o in self.outcomes if o.state is ObjectionState.NOT_ACCOMMODATED and o.exit_choice is None]

    @property
    def needs_action(self) -> bool:
        """Whether a data lead has something to do: sign, object, answer an offer, acknowledge."""
        return bool(self.agreement.needs_signature or self.to_object or self.exit_offers or self.incidents)


def tenancy_statuses(tenancies: Sequence[Tenancy], today: dt.date | None = None) -> list[TenancyStatus]:
    """Each tenancy's status, in the order given (seven queries, whatever the number of tenancies)."""
    today = today or uk_today()
    found = [TenancyStatus(s.tenancy, s) for s in statuses(list(tenancies))]
    if not found:
        return found
    by_id = {s.tenancy.id: s for s in found}
    ids = list(by_id)
    _add_changes(by_id, ids, today)
    _add_exits(by_id, ids)
    _add_incidents(by_id, ids)
    choices = tenancy_choices(ids)
    for tenancy_id, states in choices.states.items():
        if tenancy_id in by_id:
            by_id[tenancy_id].options = list(states.values())
    return found


def _add_changes(by_id: dict[int, TenancyStatus], ids: list[int], today: dt.date) -> None:
    announced = changes.announced_changes(today)
    since = today - dt.timedelta(days=OUTCOME_DAYS)
    objections = db.session.scalars(
        select(Objection)
        .where(Objection.tenancy_id.in_(ids))
        .options(selectinload(Objection.change))
        .order_by(Objection.lodged_at.desc(), Objection.id.desc())
    )
    mine: dict[tuple[int, int], Objection] = {}
    for objection in objections:
        mine[(objection.tenancy_id, objection.change_id)] = objection
        decided = objection.state in (ObjectionState.ACCOMMODATED, ObjectionState.NOT_ACCOMMODATED)
        recent = objection.decided_at is not None and objection.decided_at.date() >= since
        awaiting = objection.state is ObjectionState.NOT_ACCOMMODATED and objection.exit_choice is None
        if decided and (recent or awaiting):
            by_id[objection.tenancy_id].outcomes.append(objection)
    for status in by_id.values():
        for change in announced:
            left = (object_until(change.effective_on) - today).days + 1 if window_open(change.effective_on) else 0
            status.changes.append(
                OpenChange(
                    change,
                    mine.get((status.tenancy.id, change.id)),
                    change.kind is not ChangeKind.REMOVAL,
                    max(left, 0),
                )
            )


def _add_exits(by_id: dict[int, TenancyStatus], ids: list[int]) -> None:
    """The newest exit case of each tenancy that was not withdrawn (one query)."""
    newest = (
        select(func.max(ExitCase.id))
        .where(ExitCase.tenancy_id.in_(ids), ExitCase.state != ExitState.WITHDRAWN)
        .group_by(ExitCase.tenancy_id)
    )
    for case in db.session.scalars(select(ExitCase).where(ExitCase.id.in_(newest))):
        by_id[case.tenancy_id].exit_case = case


def _add_incidents(by_id: dict[int, TenancyStatus], ids: list[int]) -> None:
    """Incidents each tenancy was notified of and has not acknowledged (one query)."""
    rows = db.session.execute(
        select(IncidentTenancy.tenancy_id, Incident)
        .join(Incident, Incident.id == IncidentTenancy.incident_id)
        .where(
            IncidentTenancy.tenancy_id.in_(ids),
            IncidentTenancy.included.is_(True),
            IncidentTenancy.acknowledged_at.is_(None),
            Incident.state.in_(PUBLISHED_STATES),
        )
        .order_by(Incident.aware_at.desc())
    )
    for tenancy_id, incident in rows:
        by_id[tenancy_id].incidents.append(incident)
