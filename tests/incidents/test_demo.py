"""The demo: one closed incident at the AI fallback that spared Meadowbank, one exit in progress; idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo import exits as demo_exits
from portal.demo import identity as demo_identity
from portal.demo import incidents as demo_incidents
from portal.demo import register as demo_register
from portal.exits.models import ExitCase
from portal.exits.states import ExitState
from portal.extensions import db
from portal.incidents.models import Incident, IncidentTenancy
from portal.incidents.states import IncidentState
from portal.tenancy.models import Tenancy


def test_demo_incident_and_exit(app):
    list(demo_identity.load())
    list(demo_register.load())
    assert any("not Meadowbank" in line for line in demo_incidents.load())
    assert any("leaving" in line for line in demo_exits.load())
    incident = db.session.scalar(select(Incident))
    assert (
        incident.state is IncidentState.CLOSED
        and incident.notified_at - incident.aware_at < incident.closed_at - incident.aware_at
    )
    told = set(db.session.scalars(select(Tenancy.slug).join(IncidentTenancy).where(IncidentTenancy.included.is_(True))))
    assert "meadowbank-primary-school" not in told and {"aurora-primary-academy", "bramble-hill-infant-school"} <= told
    case = db.session.scalar(select(ExitCase))
    assert case.is_open and case.state is ExitState.EXPORT_DELIVERED and case.tenancy.slug == "polaris-high-academy"
    assert list(demo_incidents.load()) == [] and list(demo_exits.load()) == []
    assert db.session.scalar(select(func.count(Incident.id))) == 1
    assert db.session.scalar(select(func.count(ExitCase.id))) == 1
