"""After the provider vouched for an identity: find the account by its stable key, join, or refuse."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import service as audit
from portal.audit.models import Outcome
from portal.auth.models import Identity, User
from portal.auth.oidc import SignInError, VerifiedIdentity
from portal.dates import now
from portal.extensions import db
from portal.tenancy import invitations
from portal.tenancy.models import DirectoryProvider, Membership, Role, Tenancy, TenancyDirectory

NO_ACCESS = _l("You do not have access yet. Ask your school's data lead to invite you.")
INVITED_ELSEWHERE = _l(
    "This invitation was sent to a different email address from the account you signed in with. "
    "Sign in with the work account of the address the invitation was sent to, or ask for a new invitation."
)


class NoAccessError(SignInError):
    """A genuine identity from a known directory, but nobody has let them in yet."""


@dataclass(frozen=True)
class SignInResult:
    user: User
    joined: Tenancy | None = None


def directory_tenancies(identity: VerifiedIdentity) -> list[Tenancy]:
    """The tenancies whose bound Microsoft directory or Google domain the identity comes from."""
    provider = DirectoryProvider(identity.provider)
    return list(
        db.session.scalars(
            select(Tenancy)
            .join(TenancyDirectory)
            .where(TenancyDirectory.provider == provider, TenancyDirectory.value == identity.directory)
        )
    )


def is_vendor_directory(identity: VerifiedIdentity) -> bool:
    vendor_tid = str(current_app.config.get("VENDOR_ENTRA_TENANT_ID") or "").lower()
    return identity.provider == "microsoft" and bool(vendor_tid) and identity.directory == vendor_tid


def sign_in(identity: VerifiedIdentity, *, invitation_token: str | None = None) -> SignInResult:
    """The account for an identity (keyed on tid+oid or iss+sub, never email); joins by invitation or auto-join."""
    tenancies = directory_tenancies(identity)
    if not tenancies and not is_vendor_directory(identity):
        raise SignInError(
            f"{identity.provider} directory {identity.directory} is not bound to any tenancy",
            str(
                _l(
                    "Your school or trust has not been set up to use this portal with this account. "
                    "Ask your school's data lead, or contact us."
                )
            ),
        )
    found = db.session.scalar(
        select(Identity).where(
            Identity.provider == identity.provider,
            Identity.issuer_key == identity.issuer_key,
            Identity.subject == identity.subject,
        )
    )
    user = found.user if found is not None else None
    if user is not None and user.is_disabled:
        raise SignInError(
            "account disabled", str(_l("Your account has been disabled. Contact the vendor's support team.")), user.id
        )
    if user is not None and user.is_vendor and not is_vendor_directory(identity):
        # Vendor staff reach the console only with the vendor's own directory.
        raise SignInError("vendor account outside the vendor's directory", user_id=user.id)
    invitation = invitations.find_open(invitation_token) if invitation_token else None
    if invitation_token and invitation is None:
        raise SignInError(
            "invitation expired, used, withdrawn or unknown",
            str(_l("This invitation has expired, been used or been withdrawn.")),
        )
    if invitation is not None and not invited_address(identity, invitation.email):
        # In a school the domain holds pupils' accounts too: the invitation is for the person it names.
        raise SignInError(INVITED_REASON, str(INVITED_ELSEWHERE), user.id if user is not None else None)
    auto_join = next((t for t in tenancies if t.auto_join_enabled), None)
    if user is None and invitation is None and auto_join is None:
        raise NoAccessError("no account and no invitation", str(NO_ACCESS))
    if user is None:
        user = User(display_name=identity.name, email=identity.email)
        db.session.add(user)
        db.session.flush()
    if found is None:
        found = Identity(
            user_id=user.id,
            provider=identity.provider,
            issuer_key=identity.issuer_key,
            subject=identity.subject,
            directory=identity.directory,
        )
        db.session.add(found)
    found.last_used_at = now()
    user.last_sign_in_at = now()
    db.session.flush()
    joined = None
    if invitation is not None:
        try:
            joined = invitations.accept(invitation, user=user, directory_tenancy_ids={t.id for t in tenancies}).tenancy
        except invitations.InvitationError as error:
            raise SignInError("invitation from another directory", str(error), user.id) from error
    elif auto_join is not None and not _is_member(user, auto_join):
        db.session.add(Membership(user_id=user.id, tenancy_id=auto_join.id, role=Role.VIEWER))
        db.session.flush()
        audit.record(
            "membership.auto_joined",
            actor=audit.Actor.of(user),
            tenancy_id=auto_join.id,
            object_type="user",
            object_id=user.id,
            details={"role": Role.VIEWER.value, "domain": identity.directory},
        )
        joined = auto_join
    if not user.is_vendor and not _has_any_membership(user):
        raise NoAccessError("signed in but belongs to no tenancy", str(NO_ACCESS), user.id)
    return SignInResult(user, joined)


INVITED_REASON = "invitation for another address"


def invited_address(identity: VerifiedIdentity, address: str) -> bool:
    """Whether the directory vouches for the invited address (case-insensitive) for this identity."""
    verified = identity.verified_email
    return verified is not None and verified.casefold() == address.casefold()


def _is_member(user: User, tenancy: Tenancy) -> bool:
    return (
        db.session.scalar(
            select(Membership.id).where(Membership.user_id == user.id, Membership.tenancy_id == tenancy.id)
        )
        is not None
    )


def _has_any_membership(user: User) -> bool:
    return db.session.scalar(select(Membership.id).where(Membership.user_id == user.id).limit(1)) is not None


def record_failure(provider: str, error: SignInError) -> None:
    """One audit row for a refused sign-in, with the reason (never a token)."""
    known = db.session.get(User, error.user_id) if error.user_id else None
    audit.record(
        "auth.sign_in",
        actor=audit.Actor.of(known) if known is not None else audit.Actor.system("anonymous"),
        outcome=Outcome.DENIED if isinstance(error, NoAccessError) else Outcome.FAILURE,
        object_type="provider",
        object_id=provider,
        reason=error.reason,
    )
