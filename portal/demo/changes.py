"""Demo change notice and objection: Kestrel Moderation's addition is open for objection, and one school has objected.

Idempotent: the notice is found by its entry key, the objection by its change and school.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from sqlalchemy import select

from portal.audit.service import Actor
from portal.auth.models import User, VendorRole
from portal.changes import objections, service, window
from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection
from portal.dates import govuk_date
from portal.extensions import db
from portal.register.models import EntryStatus
from portal.tenancy.models import Membership, Tenancy

ENTRY_KEY = "kestrel-moderation"
OBJECTING_SCHOOL = "meadowbank-primary-school"
# Bramble Hill signed its agreement but has no data lead: its Annex I notice contact is told (#21).
NOTICE_CONTACT = ("bramble-hill-infant-school", "School business manager", "office@bramblehill.example")


def load() -> Iterator[str]:
    """Announce the demo register's planned supplier (as of the register's publication) and lodge one objection."""
    notice = db.session.scalar(
        select(ChangeNotice).where(ChangeNotice.entry_key == ENTRY_KEY, ChangeNotice.state == NoticeState.ANNOUNCED)
    )
    if notice is None:
        _name_notice_contact()
        notice = yield from _announce()
    if notice is None:
        return
    school = db.session.scalar(select(Tenancy).where(Tenancy.slug == OBJECTING_SCHOOL))
    if (
        school is None
        or db.session.scalar(
            select(Objection.id).where(Objection.change_id == notice.id, Objection.tenancy_id == school.id)
        )
        is not None
    ):
        return
    if not window.window_open(notice.effective_on):
        yield "changes: the demo notice window has closed; no demo objection"
        return
    lead = db.session.scalar(select(User).join(Membership).where(Membership.tenancy_id == school.id))
    objections.lodge_objection(
        notice,
        school,
        actor=Actor.of(lead) if lead else Actor.system("demo"),
        grounds="Our DPIA does not yet cover automated moderation of pupils' chat. We ask that it is not "
        "switched on for our school until our governors have reviewed it.",
    )
    db.session.flush()
    yield f"changes: {school.name} objected to “{notice.title}” (awaiting acknowledgement)"


def _name_notice_contact() -> None:
    """Give the demo's signed agreement a notice contact, unless the signer named one."""
    from portal.documents.models import Agreement

    slug, name, email = NOTICE_CONTACT
    agreement = db.session.scalar(
        select(Agreement).join(Tenancy, Tenancy.id == Agreement.tenancy_id).where(Tenancy.slug == slug)
    )
    if agreement is not None and not agreement.notice_contact_email:
        agreement.notice_contact_name, agreement.notice_contact_email = name, email
        db.session.flush()


def _announce() -> Generator[str, None, ChangeNotice | None]:
    from portal.register.service import current_version

    version = current_version()
    entry = next((e for e in version.entries if e.key == ENTRY_KEY), None) if version is not None else None
    if version is None or entry is None or entry.status is not EntryStatus.PLANNED or entry.effective_on is None:
        yield "changes: skipped (the demo register has no planned Kestrel Moderation entry)"
        return None
    staff = db.session.scalar(select(User).where(User.vendor_role == VendorRole.STAFF).order_by(User.id))
    # Announced when the register version that planned it was published: the notice ran from then.
    notice = service.announce_change(
        kind=ChangeKind.ADDITION,
        entry_key=ENTRY_KEY,
        title="We plan to add Kestrel Moderation for safeguarding checks",
        reason="Kestrel Moderation will check pupils' chat messages and AI responses for safeguarding concerns, "
        "in the UK, so that staff are alerted sooner. It sees message text and a pseudonymous pupil identifier "
        "only.",
        effective_on=entry.effective_on,
        actor=Actor.of(staff) if staff else Actor.system("demo"),
        at=version.published_at,
    )
    until = govuk_date(window.object_until(notice.effective_on))
    yield f"changes: announced “{notice.title}”, objections until {until}"
    return notice
