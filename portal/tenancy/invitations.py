"""Invitations: a data lead (or vendor staff) invites a person by email; the token is bound at first sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.auth.models import User
from portal.dates import now
from portal.extensions import db
from portal.notify import outbox
from portal.tenancy.models import (
    DirectoryProvider,
    Invitation,
    Membership,
    Role,
    Tenancy,
    TenancyDirectory,
    TenancyKind,
)
from portal.web.language import written_in
from portal.web.urls import public_link

INVITATION_DAYS = 7


class InvitationError(ValueError):
    """An invitation the portal refuses to create or accept; the message is shown to the user."""


def token_hash(token: str) -> str:
    """The SHA-256 of an invitation token: the only form the database holds."""
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, tenancy: Tenancy, email: str, role: Role, invited_by: User | None, actor: audit.Actor) -> Invitation:
    """Create an invitation, queue its mail with the accept link, and audit it (the caller commits)."""
    try:
        address = outbox.normalise_address((email or "").strip())
    except outbox.MailError as error:
        raise InvitationError(_("Enter an email address in the correct format, like name@school.org.uk")) from error
    if role is Role.TRUST_ADMIN and tenancy.kind is not TenancyKind.TRUST:
        raise InvitationError(_("Only a trust can have a trust admin"))
    if role is not Role.TRUST_ADMIN and tenancy.kind is TenancyKind.TRUST and role is not Role.VIEWER:
        # A trust's members act for its academies: a lead of the trust itself is its trust admin.
        role = Role.TRUST_ADMIN
    token = secrets.token_urlsafe(32)  # 256 bits
    invitation = Invitation(
        tenancy_id=tenancy.id,
        email=address,
        role=role,
        token_hash=token_hash(token),
        expires_at=now() + dt.timedelta(days=INVITATION_DAYS),
        invited_by_id=invited_by.id if invited_by is not None else None,
    )
    db.session.add(invitation)
    db.session.flush()
    link = public_link(f"/invitations/{token}")
    inviter = invited_by.display_name if invited_by is not None else current_app.config["VENDOR_NAME"]
    with written_in(tenancy.language):  # in the school's language: the invitee has not chosen one (#29)
        outbox.enqueue(
            to=address,
            subject=_(
                "You are invited to %(name)s on the %(vendor)s data protection portal",
                name=tenancy.name,
                vendor=current_app.config["VENDOR_NAME"],
            ),
            text=_(
                "%(inviter)s has invited you to join %(name)s as %(role)s.\n\n"
                "Open this link and sign in with your school or trust work account:\n%(link)s\n\n"
                "The link works once and expires in %(days)s days.\n",
                inviter=inviter,
                name=tenancy.name,
                role=role.label.lower(),
                link=link,
                days=INVITATION_DAYS,
            ),
            category="invitation",
            reference=f"invitation:{invitation.id}",
        )
    audit.record(
        "invitation.created",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="invitation",
        object_id=invitation.id,
        details={"role": role.value, "email_hash": audit.keyed_hash(address)},
    )
    return invitation


# Mailboxes anyone can open: an invitation to one can never be used (sign-in takes a school's
# or trust's own work account), so inviting one is almost always a mistake.
PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "live.co.uk",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
    }
)


def address_warning(tenancy: Tenancy, address: str) -> str | None:
    """A warning for an invitation that cannot be accepted as addressed, or None.

    A personal mailbox never can; an address outside the tenancy's (or its trust's) bound Google
    domains cannot either. A Microsoft directory is bound by its id, not a domain, so an address
    is not checked against it."""
    domain = address.rpartition("@")[2].casefold()
    if domain in PERSONAL_DOMAINS:
        message: str = _(
            "%(domain)s is a personal email provider. The invitation can only be accepted by signing in "
            "with a school or trust work account, so check the address.",
            domain=domain,
        )
        return message
    owners = [tenancy.id] + ([tenancy.trust_id] if tenancy.trust_id else [])
    rows = db.session.execute(
        select(TenancyDirectory.provider, TenancyDirectory.value).where(TenancyDirectory.tenancy_id.in_(owners))
    ).all()
    if not rows or any(provider is DirectoryProvider.MICROSOFT for provider, _value in rows):
        return None
    domains = sorted({value.casefold() for _provider, value in rows})
    if domain not in domains:
        outside: str = _(
            "%(domain)s is not a domain bound to %(tenancy)s (%(domains)s). Only someone signing in with "
            "that address from a bound domain can accept the invitation, so check the address.",
            domain=domain,
            tenancy=tenancy.name,
            domains=", ".join(domains),
        )
        return outside
    return None


def find_open(token: str) -> Invitation | None:
    """The unexpired, unaccepted, unrevoked invitation for a token, or None."""
    invitation: Invitation | None = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        return None
    if invitation.expires_at <= now():
        return None
    return invitation


def withdraw(invitation: Invitation, *, actor: audit.Actor) -> None:
    """Withdraw an invitation nobody has accepted: its link stops working at once; audited.

    One conditional UPDATE, so an acceptance at the same moment either wins (and this refuses)
    or finds the invitation withdrawn; never both."""
    withdrawn = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now())
        .execution_options(synchronize_session="fetch")
    )
    if not withdrawn.rowcount:  # type: ignore[attr-defined]
        raise InvitationError(
            _("The invitation to %(email)s has already been accepted or withdrawn", email=invitation.email)
        )
    audit.record(
        "invitation.withdrawn",
        actor=actor,
        tenancy_id=invitation.tenancy_id,
        object_type="invitation",
        object_id=invitation.id,
        details={"role": invitation.role.value, "email_hash": audit.keyed_hash(invitation.email)},
    )


def accept(invitation: Invitation, *, user: User, directory_tenancy_ids: set[int]) -> Membership:
    """Bind an invitation to a user whose identity comes from the tenancy's (or its trust's) directory."""
    tenancy = invitation.tenancy
    allowed = {tenancy.id} | ({tenancy.trust_id} if tenancy.trust_id else set())
    if not allowed & directory_tenancy_ids:
        audit.record(
            "invitation.refused",
            actor=audit.Actor.of(user),
            outcome=Outcome.DENIED,
            tenancy_id=tenancy.id,
            object_type="invitation",
            object_id=invitation.id,
            reason="identity is not from this tenancy's directory or domain",
        )
        raise InvitationError(
            _("This invitation is for an account from the school's own Microsoft or Google directory")
        )
    invitation.accepted_at = now()
    invitation.accepted_by_id = user.id
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.tenancy_id == tenancy.id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, tenancy_id=tenancy.id, role=invitation.role)
        db.session.add(membership)
    db.session.flush()
    audit.record(
        "invitation.accepted",
        actor=audit.Actor.of(user),
        tenancy_id=tenancy.id,
        object_type="invitation",
        object_id=invitation.id,
        details={"role": membership.role.value},
    )
    return membership
