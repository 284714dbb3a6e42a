"""Requests for documents given on request: asking, approving or refusing (mailed either way), revoking.

A request is for one document, by one person, for one of their organisations. An approved request
opens downloads until it expires or is revoked; each download also needs the organisation's
acceptance of the current NDA text.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit import service as audit
from portal.auth.models import User
from portal.dates import govuk_date, govuk_datetime, now
from portal.extensions import db
from portal.notify import outbox
from portal.tenancy.models import Tenancy
from portal.trusthub.errors import TrustHubError
from portal.trusthub.models import AccessLevel, AccessRequest, DiligenceDocument, RequestStatus
from portal.web.urls import public_link

MIN_DAYS, MAX_DAYS = 1, 90


def request_access(
    document: DiligenceDocument, *, tenancy: Tenancy, user: User, purpose: str, actor: audit.Actor
) -> AccessRequest:
    """Ask for an on-request document for an organisation, saying what for (one open request at a time)."""
    if document.access_level is not AccessLevel.ON_REQUEST or document.withdrawn_at is not None:
        raise TrustHubError(_("This document is not given on request"))
    purpose = purpose.strip()
    if not purpose:
        raise TrustHubError(_("Enter what you need the document for"))
    if len(purpose) > 2000:
        raise TrustHubError(_("What you need the document for must be 2000 characters or fewer"))
    if pending_request(document.id, tenancy.id, user.id) is not None:
        raise TrustHubError(_("You have already asked for this document: we will email you when we decide"))
    access = AccessRequest(document_id=document.id, tenancy_id=tenancy.id, requester_id=user.id, purpose=purpose)
    try:
        with db.session.begin_nested():
            db.session.add(access)
            db.session.flush()
    except IntegrityError as error:  # a second form sent at the same moment
        raise TrustHubError(_("You have already asked for this document: we will email you when we decide")) from error
    audit.record(
        "trusthub.access_requested",
        actor=actor,
        tenancy_id=tenancy.id,
        object_type="AccessRequest",
        object_id=access.id,
        details={"document": document.id},
    )
    return access


def pending_request(document_id: int, tenancy_id: int, user_id: int) -> AccessRequest | None:
    return db.session.scalar(
        select(AccessRequest).where(
            AccessRequest.document_id == document_id,
            AccessRequest.tenancy_id == tenancy_id,
            AccessRequest.requester_id == user_id,
            AccessRequest.status == RequestStatus.PENDING,
        )
    )


def requests_of(user_id: int) -> list[AccessRequest]:
    """A person's own requests, newest first."""
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.requester_id == user_id)
            .order_by(AccessRequest.requested_at.desc(), AccessRequest.id.desc())
        )
    )


def own_request(request_id: int, user_id: int) -> AccessRequest | None:
    """One of the person's own requests; anyone else's is not found."""
    return db.session.scalar(
        select(AccessRequest).where(AccessRequest.id == request_id, AccessRequest.requester_id == user_id)
    )


def get_request(request_id: int) -> AccessRequest | None:
    return db.session.get(AccessRequest, request_id)


def all_requests(*, status: RequestStatus | None = None) -> list[AccessRequest]:
    query = select(AccessRequest).order_by(AccessRequest.requested_at.desc(), AccessRequest.id.desc())
    if status is not None:
        query = query.where(AccessRequest.status == status)
    return list(db.session.scalars(query))


def requests_for_tenancy(tenancy_id: int) -> list[AccessRequest]:
    return list(
        db.session.scalars(
            select(AccessRequest)
            .where(AccessRequest.tenancy_id == tenancy_id)
            .order_by(AccessRequest.requested_at.desc(), AccessRequest.id.desc())
        )
    )


def _decidable(access: AccessRequest) -> None:
    if access.status is not RequestStatus.PENDING:
        raise TrustHubError(_("This request has already been decided"))


def approve(access: AccessRequest, *, days: int, actor: audit.Actor) -> None:
    """Approve for 1 to 90 days from now; the requester is mailed."""
    _decidable(access)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise TrustHubError(_("Access must last between %(low)s and %(high)s days", low=MIN_DAYS, high=MAX_DAYS))
    at = now()
    access.status = RequestStatus.APPROVED
    access.decided_at = at
    access.decided_by_id = actor.user_id
    access.expires_at = at + dt.timedelta(days=days)
    db.session.flush()
    audit.record(
        "trusthub.access_approved",
        actor=actor,
        tenancy_id=access.tenancy_id,
        object_type="AccessRequest",
        object_id=access.id,
        details={"days": days, "expires_at": access.expires_at.isoformat()},
    )
    _mail(
        access,
        subject=_("Your request for %(title)s is approved", title=access.document.title),
        body=_(
            "We have approved your request for %(title)s for %(organisation)s.\n\n"
            "You can download it until %(expires)s. Before the first download, someone at your organisation "
            "accepts our non-disclosure terms (once for each version of the terms). Each copy is marked with "
            "your name, your organisation and the date.\n\nOpen your request:\n%(link)s\n",
            title=access.document.title,
            organisation=access.tenancy.name,
            expires=govuk_datetime(access.expires_at),
            link=_link(access),
        ),
    )


def refuse(access: AccessRequest, *, reason: str, actor: audit.Actor) -> None:
    """Refuse with a reason the requester is told."""
    _decidable(access)
    reason = reason.strip()
    if not reason:
        raise TrustHubError(_("Enter the reason for refusing"))
    if len(reason) > 2000:
        raise TrustHubError(_("The reason must be 2000 characters or fewer"))
    access.status = RequestStatus.REFUSED
    access.decided_at = now()
    access.decided_by_id = actor.user_id
    access.refusal_reason = reason
    db.session.flush()
    audit.record(
        "trusthub.access_refused",
        actor=actor,
        tenancy_id=access.tenancy_id,
        object_type="AccessRequest",
        object_id=access.id,
    )
    _mail(
        access,
        subject=_("Your request for %(title)s was not approved", title=access.document.title),
        body=_(
            "We have not approved your request for %(title)s for %(organisation)s, made on %(date)s.\n\n"
            "Our reason:\n%(reason)s\n\nIf you have questions, reply to %(contact)s.\n\n"
            "Open your request:\n%(link)s\n",
            title=access.document.title,
            organisation=access.tenancy.name,
            date=govuk_date(access.requested_at),
            reason=reason,
            contact=current_app.config["VENDOR_SECURITY_EMAIL"],
            link=_link(access),
        ),
    )


def revoke(access: AccessRequest, *, actor: audit.Actor) -> None:
    """End an approved request's access now: the next download is refused."""
    if access.status is not RequestStatus.APPROVED:
        raise TrustHubError(_("Only approved access can be revoked"))
    access.status = RequestStatus.REVOKED
    access.revoked_at = now()
    access.revoked_by_id = actor.user_id
    db.session.flush()
    audit.record(
        "trusthub.access_revoked",
        actor=actor,
        tenancy_id=access.tenancy_id,
        object_type="AccessRequest",
        object_id=access.id,
    )


def _link(access: AccessRequest) -> str:
    return public_link(f"/security/documents/requests/{access.id}")


def _mail(access: AccessRequest, *, subject: str, body: str) -> None:
    address = access.requester.email
    if not address:
        return  # nobody to write to; the request page shows the decision
    outbox.enqueue(
        to=address,
        subject=subject.replace("\r", " ").replace("\n", " "),
        text=body,
        category="trusthub",
        reference=f"access-request:{access.id}",
    )


class NdaNeeded(TrustHubError):
    """The organisation has not accepted the current NDA text yet."""


def requested_copy(access: AccessRequest, *, user: User, actor: audit.Actor) -> bytes:
    """A stamped copy for an open request whose organisation accepted the current NDA; else refused."""
    from portal.trusthub import library, nda

    if not access.is_open(now()) or access.document.withdrawn_at is not None:
        raise TrustHubError(_("This access has ended"))
    if nda.acceptance_for(access.tenancy_id, nda.latest_nda()) is None:
        raise NdaNeeded(_("Accept the non-disclosure terms first"))
    document = library.get_document(access.document_id, with_pdf=True)
    assert document is not None
    return library.stamped_copy(
        document,
        user_id=user.id,
        user_name=user.display_name,
        tenancy=access.tenancy,
        organisation=access.tenancy.name,
        actor=actor,
        request_id=access.id,
    )
