"""The demo: a change open for objection, and one objection awaiting acknowledgement; a second load adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.changes import window
from portal.changes.models import ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.demo import changes as demo_changes
from portal.demo import identity as demo_identity
from portal.demo import register as demo_register
from portal.extensions import db


def test_demo_change_is_open_for_objection_with_one_objection_awaiting_acknowledgement(app):
    list(demo_identity.load())
    list(demo_register.load())
    lines = list(demo_changes.load())
    assert any("announced" in line for line in lines) and any("objected" in line for line in lines)
    notice = db.session.scalar(select(ChangeNotice))
    assert window.window_open(notice.effective_on)
    assert (notice.effective_on - notice.published_at.date()).days >= 30
    objection = db.session.scalar(select(Objection))
    assert objection.state is ObjectionState.LODGED and objection.tenancy.slug == "meadowbank-primary-school"
    assert list(demo_changes.load()) == []
    assert db.session.scalar(select(func.count(Objection.id))) == 1
