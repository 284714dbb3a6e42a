"""Demo exit in progress: Polaris High Academy's trust asked to end the service; the export is delivered.

Idempotent: nothing is added when the academy already has an exit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select

from portal.audit.service import Actor
from portal.auth.models import User, VendorRole
from portal.dates import govuk_date, uk_today
from portal.exits import service
from portal.exits.models import ExitCase
from portal.extensions import db
from portal.tenancy.models import Membership, Role, Tenancy

EXITING_SCHOOL = "polaris-high-academy"


def load() -> Iterator[str]:
    school = db.session.scalar(select(Tenancy).where(Tenancy.slug == EXITING_SCHOOL))
    if school is None or db.session.scalar(select(ExitCase.id).where(ExitCase.tenancy_id == school.id)):
        return
    admin = db.session.scalar(
        select(User)
        .join(Membership)
        .where(Membership.tenancy_id == school.trust_id, Membership.role == Role.TRUST_ADMIN)
        .order_by(User.id)
    )
    staff = db.session.scalar(select(User).where(User.vendor_role == VendorRole.STAFF).order_by(User.id))
    case = service.open_exit(
        school,
        Actor.of(admin) if admin else Actor.system("demo"),
        reason="Polaris High is moving to the trust's own learning platform at the end of the spring term.",
        requested_end_on=uk_today() + dt.timedelta(days=45),
        export_formats=["csv", "json"],
    )
    service.record_export(
        case,
        method="Secure download link sent to the trust's data lead",
        delivered_on=uk_today(),
        sha256="9f2c1a7e5b3d4c6f8a0e1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6",
        actor=Actor.of(staff) if staff else Actor.system("demo"),
    )
    yield f"exits: {school.name} is leaving; export delivered, service to end on {govuk_date(case.requested_end_on)}"
