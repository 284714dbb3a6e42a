"""Access rows for change notices and objections: the school's page, the public notice, the vendor's queue."""

from portal.audit.service import Actor
from portal.changes import objections
from tests.access.matrix import Row
from tests.changes.builders import announced, drop_planned

MEMBERS_OWN = "302 200 200 200 404 404 404"
LODGERS_OWN = "302 403 {0} {0} 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"
STAFF = "302 403 403 403 403 {0} {0}"


def _change(world, tenancy):
    world.change = announced()
    return {"change_id": world.change.id}


def _change_notice(world, tenancy):
    return {"notice_id": _change(world, tenancy)["change_id"]}


def _unplanned_notice(world, tenancy):
    values = _change_notice(world, tenancy)
    drop_planned()  # a notice a planned entry relies on cannot be withdrawn (#21)
    return values


def _grounds(world, tenancy):
    return {f"change-{world.change.id}-grounds": "We have not assessed this supplier."}


def _objection(world, tenancy, *, acknowledged=False):
    change = announced()
    objection = objections.lodge_objection(change, tenancy or world.other, grounds="No", actor=Actor.system())
    if acknowledged:
        objections.acknowledge(objection, actor=Actor.system())
    return {"objection_id": objection.id}


ROWS = [
    Row("changes.tenancy_objections", own=MEMBERS_OWN, other=OUTSIDER),
    Row("changes.lodge", "POST", own=LODGERS_OWN.format(302), other=OUTSIDER, values=_change, data=_grounds),
    Row(
        "changes.withdraw",
        "POST",
        own=LODGERS_OWN.format(302),
        other=OUTSIDER,
        cross=LODGERS_OWN.format(404),
        values=_objection,
    ),
    Row(
        "changes.confirm_withdraw",
        own=LODGERS_OWN.format(200),
        other=OUTSIDER,
        cross=LODGERS_OWN.format(404),
        values=_objection,
    ),
    # No answer chosen: sent back to the page with a message, nothing recorded.
    Row(
        "changes.answer",
        "POST",
        own=LODGERS_OWN.format(302),
        other=OUTSIDER,
        cross=LODGERS_OWN.format(404),
        values=_objection,
    ),
    Row(
        "changes_public.notice",
        status="200 200 200 200 200 200 200",
        values=lambda w, t: {"notice_id": _change(w, t)["change_id"]},
    ),
    Row("changes_admin.notices", status=STAFF.format(200)),
    Row("changes_admin.announce", status=STAFF.format(200)),
    # An empty form: refused with form errors, nothing announced.
    Row("changes_admin.announce", "POST", status=STAFF.format(400)),
    Row("changes_admin.notice", status=STAFF.format(200), values=_change_notice),
    Row(
        "changes_admin.withdraw_notice",
        "POST",
        status=STAFF.format(302),
        values=_unplanned_notice,
        data=lambda w, t: {"reason": "We no longer plan this change."},
    ),
    Row("changes_admin.record_objection", status=STAFF.format(200), values=_change_notice),
    # An empty form: refused with form errors, nothing recorded.
    Row("changes_admin.record_objection", "POST", status=STAFF.format(400), values=_change_notice),
    Row("changes_admin.queue", status=STAFF.format(200)),
    Row("changes_admin.objection", status=STAFF.format(200), values=_objection),
    Row("changes_admin.acknowledge", "POST", status=STAFF.format(302), values=_objection),
    Row(
        "changes_admin.decide",
        "POST",
        status=STAFF.format(302),
        values=lambda w, t: _objection(w, t, acknowledged=True),
        data=lambda w, t: {"decision": "accommodated", "reason": "We will not use it for this school."},
    ),
]
