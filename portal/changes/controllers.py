"""Every controller told, by name, with a direct link (#21 item 5).

Who hears of a change for a tenancy: its data leads, the trust admins of the tenancy and of its
trust, and the notice contact named in its signed agreements' Annex I. Mail to them is about
their contract, so it is sent whatever their subscriptions, carries `Auto-Submitted:
auto-generated` (RFC 3834), names the school or trust and links to its own changes page at the
change (`/t/<tenancy>/changes?change=<id>#change-<id>`: the query survives sign-in, where a bare
fragment would not, and the page sends the person on to the change itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.auth.models import User
from portal.changes.models import ChangeKind, ChangeNotice
from portal.extensions import db
from portal.tenancy.models import Membership, Role, Tenancy, TenancyKind
from portal.web.language import written_in

if TYPE_CHECKING:
    from portal.register.effective import EffectiveLine
    from portal.register.models import RegisterEntry

AUTO_SUBMITTED = {"Auto-Submitted": "auto-generated"}


def controller_addresses(tenancies: Sequence[Tenancy]) -> dict[int, list[str]]:
    """Each tenancy's notice recipients, lower-cased, sorted and unique (three queries for any number)."""
    from portal.documents.models import Agreement

    if not tenancies:
        return {}
    owners: dict[int, set[int]] = defaultdict(set)
    # Trusts whose every member acts for their academies: they have no data of their own (#21).
    trust_ids = {t.trust_id for t in tenancies if t.trust_id}
    for_academies = set(
        db.session.scalars(
            select(Tenancy.id).where(Tenancy.id.in_(trust_ids), Tenancy.central_staff_use_service.is_(False))
        )
        if trust_ids
        else ()
    )
    for tenancy in tenancies:
        owners[tenancy.id].add(tenancy.id)
        if tenancy.trust_id:
            owners[tenancy.trust_id].add(tenancy.id)
    found: dict[int, set[str]] = {tenancy.id: set() for tenancy in tenancies}
    address = func.lower(User.email)
    leads = (
        select(Membership.tenancy_id, Membership.role, address)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.tenancy_id.in_(list(owners)),
            Membership.role.in_([Role.DATA_LEAD, Role.TRUST_ADMIN]),
            User.email.is_not(None),
            User.is_disabled.is_(False),
        )
    )
    for owner_id, role, email in db.session.execute(leads):
        for tenancy_id in owners[owner_id]:
            # A trust's data leads are told of the trust's own changes; its admins of every academy's.
            if owner_id == tenancy_id or role is Role.TRUST_ADMIN or owner_id in for_academies:
                found[tenancy_id].add(email)
    contacts = select(Agreement.tenancy_id, func.lower(Agreement.notice_contact_email)).where(
        Agreement.tenancy_id.in_(list(found)),
        Agreement.notice_contact_email.is_not(None),
        Agreement.notice_contact_email != "",
    )
    for tenancy_id, email in db.session.execute(contacts):
        found[tenancy_id].add(email)
    return {tenancy_id: sorted(a for a in addresses if a) for tenancy_id, addresses in found.items()}


def told_tenancies() -> list[Tenancy]:
    """Every tenancy to tell of a change: those with a signed agreement or a data lead, and the academies
    of a trust that has an admin (the trust is their controller) (one query). A trust whose own staff do
    not use the service has no set of its own: its people are told of each academy's change instead."""
    from portal.documents.models import Agreement

    signed = select(Agreement.tenancy_id)
    led = select(Membership.tenancy_id).where(Membership.role.in_([Role.DATA_LEAD, Role.TRUST_ADMIN]))
    query = (
        select(Tenancy)
        .where(
            or_(Tenancy.id.in_(signed), Tenancy.id.in_(led), Tenancy.trust_id.in_(led)),
            or_(Tenancy.kind != TenancyKind.TRUST, Tenancy.central_staff_use_service.is_(True)),
        )
        .order_by(Tenancy.name)
    )
    return list(db.session.scalars(query))


def change_link(tenancy: Tenancy, change_id: int) -> str:
    """The absolute link to this tenancy's changes page, at the change."""
    from portal.notify.tokens import mail_url

    urls = current_app.url_map.bind("localhost")
    path = urls.build("changes.tenancy_objections", {"tenancy": tenancy.slug, "change": change_id})
    return mail_url(f"{path}#change-{change_id}")


def objection_link(tenancy: Tenancy, objection_id: int) -> str:
    """The absolute link to this tenancy's changes page, at the objection (the query survives signing in)."""
    from portal.notify.tokens import mail_url

    urls = current_app.url_map.bind("localhost")
    path = urls.build("changes.tenancy_objections", {"tenancy": tenancy.slug, "objection": objection_id})
    return mail_url(f"{path}#objection-{objection_id}")


def what_changes(
    change: ChangeNotice,
    tenancy: Tenancy,
    line: EffectiveLine | None,
    entry: RegisterEntry | None,
    replaced: EffectiveLine | None = None,
) -> str:
    """What this change does for this tenancy, from its own effective set on the date: one sentence, and for
    a replacement a second naming the supplier that then stops (`replaced`, its line that day)."""

    first = _what_for(change, tenancy, line, entry)
    if change.kind is not ChangeKind.REPLACEMENT or replaced is None or (line is not None and not line.included):
        return first
    then = _(
        "It replaces %(replaced)s, which will then stop processing %(name)s's data.",
        replaced=replaced.entry.supplier,
        name=tenancy.name,
    )
    return f"{first} {then}"


def _what_for(change: ChangeNotice, tenancy: Tenancy, line: EffectiveLine | None, entry: RegisterEntry | None) -> str:
    from portal.dates import govuk_date

    when, name = govuk_date(change.effective_on), tenancy.name
    if change.kind is ChangeKind.REMOVAL:
        return str(
            _(
                "No action needed: %(supplier)s will stop processing %(name)s's data on %(when)s.",
                supplier=change.supplier,
                name=name,
                when=when,
            )
        )
    if line is not None and not line.included:
        return str(
            _(
                "%(supplier)s will not process %(name)s's data on %(when)s: %(reason)s",
                supplier=change.supplier,
                name=name,
                when=when,
                reason=line.reason,
            )
        )
    if change.kind is ChangeKind.MATERIAL_CHANGE:
        return str(
            _(
                "%(supplier)s, which processes %(name)s's data, changes on %(when)s: %(title)s.",
                supplier=change.supplier,
                name=name,
                when=when,
                title=change.title,
            )
        )
    categories = (entry.data_categories if entry is not None else "").strip()
    if categories:
        return str(
            _(
                "%(supplier)s will process %(name)s's %(categories)s from %(when)s.",
                supplier=change.supplier,
                name=name,
                categories=categories[:1].lower() + categories[1:],
                when=when,
            )
        )
    return str(
        _("%(supplier)s will process %(name)s's data from %(when)s.", supplier=change.supplier, name=name, when=when)
    )


def tell_controllers(change: ChangeNotice, *, entry: RegisterEntry | None) -> tuple[int, list[str]]:
    """Queue one mail per tenancy and recipient, naming it and saying what changes for it; the number
    queued and every address told (subscribers among them get no second, general mail)."""
    from portal.changes import window
    from portal.dates import govuk_date
    from portal.notify.outbox import enqueue
    from portal.register.effective import effective_sets

    tenancies = told_tenancies()
    addresses = controller_addresses(tenancies)
    # Only the lines are read; no notices, so none is cached while this transaction may still roll back.
    sets = effective_sets(tenancies, today=change.effective_on, notices=())
    vendor = current_app.config["VENDOR_NAME"]
    queued, told = 0, set()
    for tenancy in tenancies:
        recipients = addresses.get(tenancy.id, [])
        if not recipients:
            continue
        with written_in(tenancy.language):  # its mail in its language (#29)
            found = sets[tenancy.id]
            line, replaced = found.line_for(change.entry_key), found.line_for(change.replaces_key or "")
            body = render_template(
                "changes/controller_mail.txt",
                change=change,
                tenancy=tenancy,
                what=what_changes(change, tenancy, line, entry, replaced),
                until=govuk_date(window.object_until(change.effective_on)),
                link=change_link(tenancy, change.id),
                may_object=change.kind is not ChangeKind.REMOVAL,
            )
            subject = _(
                "%(vendor)s: %(supplier)s, change for %(name)s on %(when)s",
                vendor=vendor,
                supplier=change.supplier,
                name=tenancy.name,
                when=govuk_date(change.effective_on),
            )
        for address in recipients:
            enqueue(
                to=address,
                subject=subject,
                text=body,
                category="notice",
                reference=f"change-notice:{change.id}:{tenancy.id}",
                headers=AUTO_SUBMITTED,
            )
            queued += 1
            told.add(address)
    return queued, sorted(told)
