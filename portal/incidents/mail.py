"""Incident mail through the outbox, in the caller's transaction: one message per school and address."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.auth.models import User
from portal.documents.models import Agreement
from portal.extensions import db
from portal.incidents.models import Incident, IncidentEntry, IncidentTenancy
from portal.tenancy.models import Membership, Role, Tenancy
from portal.web.language import written_in

MAIL_CATEGORY = "incident"

# Other capabilities may add addresses for a tenancy: each takes tenancy ids and returns
# {tenancy id: [addresses]}. (The Annex I notice contact is read below, from the agreements.)
EXTRA_RECIPIENTS: list[Callable[[list[int]], dict[int, list[str]]]] = []


def notice_contacts(ids: list[int]) -> dict[int, str]:
    """The contact for notices named in Annex I of each tenancy's latest signed agreement (one query)."""
    latest = (
        select(Agreement.tenancy_id, func.max(Agreement.id).label("id"))
        .where(Agreement.tenancy_id.in_(ids))
        .group_by(Agreement.tenancy_id)
        .subquery()
    )
    query = select(Agreement.tenancy_id, func.lower(Agreement.notice_contact_email)).join(
        latest, latest.c.id == Agreement.id
    )
    return {tenancy_id: address for tenancy_id, address in db.session.execute(query) if address}


def recipients(tenancy_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each tenancy's data leads and trust admins, and its trust's, by tenancy id (one query)."""
    ids = list(tenancy_ids)
    found: dict[int, set[str]] = {tenancy_id: set() for tenancy_id in ids}
    if not ids:
        return {}
    query = (
        select(Tenancy.id, func.lower(User.email))
        .join(Membership, or_(Membership.tenancy_id == Tenancy.id, Membership.tenancy_id == Tenancy.trust_id))
        .join(User, User.id == Membership.user_id)
        .where(
            Tenancy.id.in_(ids),
            Membership.role.in_([Role.DATA_LEAD, Role.TRUST_ADMIN]),
            User.email.is_not(None),
            User.is_disabled.is_(False),
        )
    )
    for tenancy_id, address in db.session.execute(query):
        if address:
            found[tenancy_id].add(address)
    for tenancy_id, address in notice_contacts(ids).items():
        found.setdefault(tenancy_id, set()).add(address)
    for extra in EXTRA_RECIPIENTS:
        for tenancy_id, addresses in extra(ids).items():
            found.setdefault(tenancy_id, set()).update(a.lower() for a in addresses if a)
    return {tenancy_id: sorted(addresses) for tenancy_id, addresses in found.items()}


def page_url(tenancy: Tenancy, incident: Incident) -> str:
    from portal.notify.tokens import mail_url

    path = current_app.url_map.bind("localhost").build(
        "incidents.incident", {"tenancy": tenancy.slug, "incident_id": incident.id}
    )
    return mail_url(path)


def mail_entry(incident: Incident, entry: IncidentEntry, rows: list[IncidentTenancy], *, reminder: bool = False) -> int:
    """Mail one timeline entry to every listed tenancy's people, naming the school; how many messages."""
    from portal.notify.outbox import enqueue

    tenancies = {
        t.id: t for t in db.session.scalars(select(Tenancy).where(Tenancy.id.in_([r.tenancy_id for r in rows])))
    }
    addresses = recipients(tenancies)
    sent = 0
    for row in rows:
        tenancy = tenancies[row.tenancy_id]
        with written_in(tenancy.language):  # its mail in its language (#29)
            subject = _subject(incident, entry, tenancy, reminder)
            text = render_template(
                "incidents/notice_mail.txt",
                incident=incident,
                entry=entry,
                tenancy=tenancy,
                row=row,
                reminder=reminder,
                link=page_url(tenancy, incident),
            )
        for address in addresses.get(tenancy.id, []):
            enqueue(
                to=address,
                subject=subject,
                text=text,
                category=MAIL_CATEGORY,
                reference=f"incident:{incident.id}:{entry.id}:{tenancy.id}" + (":reminder" if reminder else ""),
            )
            sent += 1
    return sent


def _subject(incident: Incident, entry: IncidentEntry, tenancy: Tenancy, reminder: bool) -> str:
    if reminder:
        return str(_("Please acknowledge: personal data breach notice for %(school)s", school=tenancy.name))
    if entry.kind.value == "notified":
        return str(
            _("Personal data breach notice for %(school)s: %(title)s", school=tenancy.name, title=incident.title)
        )
    if entry.kind.value == "closed":
        return str(
            _("Personal data breach closed for %(school)s: %(title)s", school=tenancy.name, title=incident.title)
        )
    return str(
        _("Update on a personal data breach for %(school)s: %(title)s", school=tenancy.name, title=incident.title)
    )


def mail_vendor_report(incident: Incident, tenancy: Tenancy) -> None:
    """Tell the vendor's security contact that a school reported a suspected incident."""
    from portal.notify.outbox import enqueue
    from portal.notify.tokens import mail_url

    path = current_app.url_map.bind("localhost").build("incidents_admin.incident", {"incident_id": incident.id})
    text = render_template("incidents/report_mail.txt", incident=incident, tenancy=tenancy, link=mail_url(path))
    enqueue(
        to=current_app.config["VENDOR_SECURITY_EMAIL"],
        subject=_("Suspected incident reported by %(school)s", school=tenancy.name),
        text=text,
        category=MAIL_CATEGORY,
        reference=f"incident-report:{incident.id}",
    )
