"""Tenancy onboarding: create from a GIAS row, bind directories, auto-join, invite the first data lead."""

from __future__ import annotations

import re
import uuid

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import service as audit
from portal.auth.models import User
from portal.extensions import db
from portal.gias.models import GiasEstablishment, GiasGroup
from portal.tenancy import invitations
from portal.tenancy.models import DirectoryProvider, Invitation, Role, Tenancy, TenancyDirectory, TenancyKind

# Microsoft's tenant for personal accounts: never a school's directory.
PERSONAL_MICROSOFT_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
CONSUMER_DOMAINS = {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com"}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class OnboardingError(ValueError):
    """A set-up step the portal refuses; the message is shown on the form."""


def slug_for(name: str, reference: str) -> str:
    """A readable, unique URL name: the name, and its URN or group UID if the name is taken."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "tenancy"
    for candidate in (base, f"{base}-{reference}"):
        if db.session.scalar(select(Tenancy.id).where(Tenancy.slug == candidate)) is None:
            return candidate
    return f"{base}-{reference}-{uuid.uuid4().hex[:6]}"


def create_tenancy(*, urn: str | None = None, group_uid: str | None = None, actor: audit.Actor) -> Tenancy:
    """A tenancy for an imported school (by URN) or trust (by group UID), linked to its trust or academies."""
    if urn:
        return _create_school(urn, actor)
    if group_uid:
        return _create_trust(group_uid, actor)
    raise OnboardingError(_("Choose a school or trust from the register"))


def _created(tenancy: Tenancy, actor: audit.Actor) -> Tenancy:
    db.session.add(tenancy)
    db.session.flush()
    audit.record(
        "tenancy.created",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy",
        object_id=tenancy.id,
        details={
            "kind": tenancy.kind.value,
            "urn": tenancy.urn,
            "group_uid": tenancy.group_uid,
            "trust_id": tenancy.trust_id,
        },
    )
    return tenancy


def _create_school(urn: str, actor: audit.Actor) -> Tenancy:
    school = db.session.scalar(select(GiasEstablishment).where(GiasEstablishment.urn == urn))
    if school is None:
        raise OnboardingError(_("URN %(urn)s is not in the imported register: import it from GIAS first", urn=urn))
    if school.is_closed:
        raise OnboardingError(_("%(name)s is closed in the register", name=school.name))
    if db.session.scalar(select(Tenancy.id).where(Tenancy.urn == urn)) is not None:
        raise OnboardingError(_("%(name)s already has a tenancy", name=school.name))
    trust = (
        db.session.scalar(select(Tenancy).where(Tenancy.group_uid == school.trust_uid)) if school.trust_uid else None
    )
    return _created(
        Tenancy(
            kind=TenancyKind.SCHOOL,
            name=school.name,
            slug=slug_for(school.name, urn),
            urn=urn,
            local_authority=school.local_authority,
            phase=school.phase,
            establishment_type=school.establishment_type,
            trust=trust,
        ),
        actor,
    )


def _create_trust(uid: str, actor: audit.Actor) -> Tenancy:
    group = db.session.scalar(select(GiasGroup).where(GiasGroup.uid == uid))
    if group is None:
        raise OnboardingError(
            _("Group UID %(uid)s is not in the imported register: import it from GIAS first", uid=uid)
        )
    if group.is_closed:
        raise OnboardingError(_("%(name)s is closed in the register", name=group.name))
    if db.session.scalar(select(Tenancy.id).where(Tenancy.group_uid == uid)) is not None:
        raise OnboardingError(_("%(name)s already has a tenancy", name=group.name))
    trust = _created(
        Tenancy(
            kind=TenancyKind.TRUST,
            name=group.name,
            slug=slug_for(group.name, uid),
            group_uid=uid,
            companies_house_number=group.companies_house_number,
        ),
        actor,
    )
    # Academies already onboarded join their trust, which is now their controller.
    academies = db.session.scalars(
        select(Tenancy)
        .join(GiasEstablishment, GiasEstablishment.urn == Tenancy.urn)
        .where(GiasEstablishment.trust_uid == uid, Tenancy.trust_id.is_(None))
    )
    for academy in academies:
        academy.trust_id = trust.id
    db.session.flush()
    return trust


def normalise_directory(provider: DirectoryProvider, value: str) -> str:
    """A Microsoft tenant id as a lower-case GUID, or a Google Workspace domain, or OnboardingError."""
    cleaned = (value or "").strip().lower()
    if provider is DirectoryProvider.MICROSOFT:
        cleaned = cleaned.strip("{}")
        if not _GUID.fullmatch(cleaned):
            raise OnboardingError(
                _("Enter the directory's tenant ID as a GUID, like 72f988bf-86f1-41af-91ab-2d7cd011db47")
            )
        if cleaned == PERSONAL_MICROSOFT_TENANT:
            raise OnboardingError(_("That is Microsoft's tenant for personal accounts, not a school's directory"))
        return cleaned
    cleaned = cleaned.rstrip(".")
    if not _DOMAIN.fullmatch(cleaned):
        raise OnboardingError(_("Enter the Google Workspace domain, like oakfield.sch.uk"))
    if cleaned in CONSUMER_DOMAINS:
        raise OnboardingError(_("Enter the school's own Google Workspace domain, not a personal email domain"))
    return cleaned


def bind_directory(
    tenancy: Tenancy, *, provider: DirectoryProvider, value: str, actor: audit.Actor
) -> TenancyDirectory:
    """Bind a Microsoft directory or Google domain to a tenancy; each belongs to one tenancy only."""
    cleaned = normalise_directory(provider, value)
    owner = db.session.scalar(
        select(Tenancy)
        .join(TenancyDirectory)
        .where(TenancyDirectory.provider == provider, TenancyDirectory.value == cleaned)
    )
    if owner is not None:
        raise OnboardingError(_("%(cleaned)s is already bound to %(name)s", cleaned=cleaned, name=owner.name))
    directory = TenancyDirectory(tenancy_id=tenancy.id, provider=provider, value=cleaned)
    db.session.add(directory)
    db.session.flush()
    audit.record(
        "tenancy.directory_bound",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy_directory",
        object_id=directory.id,
        details={"provider": provider.value, "value": cleaned},
    )
    return directory


def unbind_directory(tenancy: Tenancy, directory_id: int, *, actor: audit.Actor) -> None:
    """Remove a directory from a tenancy (fetched through the tenancy, so another's answers not found)."""
    directory = db.session.scalar(
        select(TenancyDirectory).where(TenancyDirectory.id == directory_id, TenancyDirectory.tenancy_id == tenancy.id)
    )
    if directory is None:
        raise OnboardingError(_("That directory is not bound to this tenancy"))
    db.session.delete(directory)
    audit.record(
        "tenancy.directory_unbound",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy_directory",
        object_id=directory_id,
        details={"provider": directory.provider.value, "value": directory.value},
    )
    db.session.flush()
    if tenancy.auto_join_enabled and not tenancy.directories:
        set_auto_join(tenancy, enabled=False, actor=actor)


def set_auto_join(tenancy: Tenancy, *, enabled: bool, actor: audit.Actor) -> None:
    """Let anyone from the tenancy's bound directories join as a viewer, or stop it."""
    if enabled and not tenancy.directories:
        raise OnboardingError(_("Bind a Microsoft directory or Google domain before you turn on auto-join"))
    if tenancy.auto_join_enabled == enabled:
        return
    tenancy.auto_join_enabled = enabled
    db.session.flush()
    audit.record(
        "tenancy.auto_join_changed",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="tenancy",
        object_id=tenancy.id,
        details={"auto_join_enabled": enabled},
    )


def invite_data_lead(tenancy: Tenancy, *, email: str, invited_by: User, actor: audit.Actor) -> Invitation:
    """Invite the tenancy's first data lead (a trust admin for a trust) through the invitations service."""
    if not tenancy.directories:
        raise OnboardingError(
            _(
                "Bind the school's Microsoft directory or Google domain first: the invitation is "
                "accepted with an account from it"
            )
        )
    role = Role.TRUST_ADMIN if tenancy.kind is TenancyKind.TRUST else Role.DATA_LEAD
    try:
        return invitations.invite(tenancy=tenancy, email=email, role=role, invited_by=invited_by, actor=actor)
    except invitations.InvitationError as error:
        raise OnboardingError(str(error)) from error
