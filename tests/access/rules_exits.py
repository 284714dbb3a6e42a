"""Access rows for exits: the school's exit page, request, withdrawal and certificate; the vendor's steps."""

import datetime as dt
import hashlib

from portal.audit.service import Actor
from portal.dates import now, uk_today
from portal.exits import service
from portal.exits.models import DeletionCertificate
from portal.exits.states import ExitState
from portal.extensions import db
from tests.access.matrix import Row

MEMBERS_OWN = "302 200 200 200 404 404 404"
ACTORS_OWN = "302 403 {0} {0} 404 404 404"
OUTSIDER = "302 404 404 404 404 404 404"
STAFF = "302 403 403 403 403 {0} {0}"
SYSTEM = Actor.system("matrix")


def _day(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _open(world, tenancy=None, formats=("csv",)):
    return service.open_exit(
        tenancy or world.own,
        SYSTEM,
        reason="Moving to another provider.",
        requested_end_on=uk_today() + dt.timedelta(days=30),
        export_formats=list(formats),
    )


def _ended(world, tenancy=None):
    case = _open(world, tenancy, formats=())
    service.end_service(case, ended_on=uk_today(), actor=SYSTEM)
    return case


def _all_deleted(world, tenancy=None):
    case = _ended(world, tenancy)
    for place in case.deletions:
        service.confirm_deletion_at(case, place, confirmed_on=uk_today(), note="", actor=SYSTEM)
    return case


def _certificate(world, tenancy):
    """A closed exit with a certificate row (placeholder bytes: access is what is tested here)."""
    case = _all_deleted(world, tenancy)
    case.state, case.deletion_confirmed_at = ExitState.DELETION_CONFIRMED, now()
    pdf = f"%PDF-1.7 matrix certificate {case.id}".encode()
    db.session.add(
        DeletionCertificate(
            exit_id=case.id,
            tenancy_id=case.tenancy_id,
            filename="certificate.pdf",
            sha256=hashlib.sha256(pdf).hexdigest(),
            size_bytes=len(pdf),
            pdf=pdf,
        )
    )
    db.session.flush()
    return {"exit_id": case.id}


def _place(world, tenancy):
    case = _ended(world)
    world.place_id = case.deletions[0].id
    return {"exit_id": case.id, "deletion_id": world.place_id}


def _id(make):
    return lambda world, tenancy: {"exit_id": make(world, tenancy).id}


ROWS = [
    Row("exits.exit_case", own=MEMBERS_OWN, other=OUTSIDER),
    Row(
        "exits.request_exit",
        "POST",
        own=ACTORS_OWN.format(302),
        other=OUTSIDER,
        data=lambda w, t: {
            "requested_end_on": _day(uk_today() + dt.timedelta(days=60)),
            "export_formats": ["csv"],
            "reason": "Moving to another provider.",
        },
    ),
    Row(
        "exits.withdraw",
        "POST",
        own=ACTORS_OWN.format(302),
        other=OUTSIDER,
        values=lambda w, t: (_open(w, t), {})[1],
        data=lambda w, t: {"withdraw_reason": "We are staying after all."},
    ),
    Row(
        "exits.certificate",
        own=MEMBERS_OWN,
        other=OUTSIDER,
        cross="302 404 404 404 404 404 404",
        values=_certificate,
    ),
    Row("exits_admin.index", status=STAFF.format(200)),
    Row("exits_admin.exit_case", status=STAFF.format(200), values=_id(_open)),
    Row(
        "exits_admin.record_export",
        "POST",
        status=STAFF.format(302),
        values=_id(_open),
        data=lambda w, t: {"export-method": "Secure download link", "export-delivered_on": _day(uk_today())},
    ),
    Row(
        "exits_admin.end_service",
        "POST",
        status=STAFF.format(302),
        values=lambda w, t: {"exit_id": _open(w, formats=()).id},
        data=lambda w, t: {"end-ended_on": _day(uk_today())},
    ),
    Row(
        "exits_admin.confirm_at",
        "POST",
        status=STAFF.format(302),
        values=_place,
        data=lambda w, t: {f"place-{w.place_id}-confirmed_on": _day(uk_today())},
    ),
    # One place not yet confirmed: refused with the reason, nothing sealed (tests/exits seal for real).
    Row("exits_admin.confirm", "POST", status=STAFF.format(400), values=_id(_ended)),
]
