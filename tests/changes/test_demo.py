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


def test_demo_acceptance_meadowbank_held_aurora_in_bramble_hill_contact_told(app):
    """#21's acceptance on the demo data: standstill for the objecting school, the notice contact told."""
    import datetime as dt

    from portal.notify.models import OutboxMessage
    from portal.register.effective import effective_set
    from portal.tenancy.models import Tenancy
    from tests.changes.test_controllers import sign

    list(demo_identity.load())
    list(demo_register.load())
    bramble = db.session.scalar(select(Tenancy).where(Tenancy.slug == "bramble-hill-infant-school"))
    sign(bramble)  # signed without a contact: the demo names one
    list(demo_changes.load())
    notice = db.session.scalar(select(ChangeNotice))
    day_after = notice.effective_on + dt.timedelta(days=1)
    meadowbank = db.session.scalar(select(Tenancy).where(Tenancy.slug == "meadowbank-primary-school"))
    held = effective_set(meadowbank, today=day_after).line_for("kestrel-moderation")
    assert not held.included and "awaiting a decision" in held.reason
    others = db.session.scalars(select(Tenancy).where(Tenancy.kind == "school", Tenancy.id != meadowbank.id))
    assert any(effective_set(t, today=day_after).line_for("kestrel-moderation").included for t in others)
    [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "office@bramblehill.example"))
    assert "Bramble Hill Infant School" in mail.subject and f"#change-{notice.id}" in mail.body_text
