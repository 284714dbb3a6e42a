"""Invitations: mailed through the outbox, bound once at first sign-in to the tenancy's own directory, expiring."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import select

from portal.audit import service as audit
from portal.audit.models import AuditEvent, Outcome
from portal.dates import now
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.notify.worker import deliver_due
from portal.tenancy import invitations
from portal.tenancy.models import DirectoryProvider, Invitation, Membership, Role
from tests.auth.provider import google_claims, microsoft_claims
from tests.factories import bind_directory, make_school, make_trust, make_user


def token_from(message: OutboxMessage) -> str:
    link = next(line for line in message.body_text.splitlines() if "/invitations/" in line)
    return link.rsplit("/", 1)[1]


@pytest.fixture
def invited(app):
    trust = make_trust("Invite Trust")
    tid = str(uuid.uuid4())
    bind_directory(trust, DirectoryProvider.MICROSOFT, tid)
    academy = make_school("Invite Academy", trust=trust)
    lead = make_user("Inviting Lead", tenancy=academy, role=Role.DATA_LEAD)
    invitation = invitations.invite(
        tenancy=academy,
        email="new.colleague@invite.example",
        role=Role.VIEWER,
        invited_by=lead,
        actor=audit.Actor.of(lead),
    )
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "new.colleague@invite.example"))
    return academy, tid, invitation, token_from(message)


def test_invite_stores_only_the_hash_expires_in_seven_days_and_mails_the_link(app, invited, mail_sink):
    academy, _, invitation, token = invited
    assert len(token) >= 43  # 256 bits, URL-safe
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(invitation.__dict__)
    assert dt.timedelta(days=6, hours=23) < invitation.expires_at - now() <= dt.timedelta(days=7)
    deliver_due()
    [received] = mail_sink.messages
    assert f"http://portal.test/invitations/{token}" in received.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.created"))
    assert event.tenancy_id == academy.id and "new.colleague" not in str(event.details)


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b.example\r\nBcc: x@y.example"])
def test_invite_refuses_bad_addresses(app, email):
    school = make_school()
    with pytest.raises(invitations.InvitationError):
        invitations.invite(tenancy=school, email=email, role=Role.VIEWER, invited_by=None, actor=audit.Actor.system())


def test_invited_colleague_signs_in_from_the_trusts_directory_and_lands_as_viewer(invited, sign_in, provider, client):
    academy, tid, invitation, token = invited
    assert client.get(f"/invitations/{token}").status_code == 200
    # The invited address, as the directory spells it: compared case-insensitively.
    provider.set_user(
        "colleague", microsoft_claims(tid, str(uuid.uuid4()), "New Colleague", "New.Colleague@Invite.EXAMPLE")
    )
    response = sign_in("microsoft", "colleague", invitation=token)
    assert response.status_code == 302 and response.headers["Location"] == f"/t/{academy.slug}/"
    membership = db.session.scalar(
        select(Membership).where(Membership.tenancy_id == academy.id, Membership.role == Role.VIEWER)
    )
    assert membership is not None
    db.session.refresh(invitation)
    assert invitation.accepted_by_id == membership.user_id
    # Used once: the link is gone and a second person cannot use it.
    assert client.get(f"/invitations/{token}").status_code == 404
    provider.set_user("second", microsoft_claims(tid, str(uuid.uuid4()), "Second", "new.colleague@invite.example"))
    assert sign_in("microsoft", "second", invitation=token).status_code == 403


def test_invitation_cannot_bind_an_identity_from_another_directory(invited, sign_in, provider):
    academy, _, _invitation, token = invited
    elsewhere = make_school("Elsewhere")
    bind_directory(elsewhere, DirectoryProvider.GOOGLE, "elsewhere.example")
    db.session.commit()
    # Even with the invited address, an identity from another directory is refused.
    provider.set_user("outsider", google_claims("elsewhere.example", "Outsider", "new.colleague@invite.example"))
    response = sign_in("google", "outsider", invitation=token)
    assert response.status_code == 403
    assert (
        db.session.scalar(select(Membership).where(Membership.tenancy_id == academy.id, Membership.role == Role.VIEWER))
        is None
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in").order_by(AuditEvent.id.desc())
    ).first()
    assert event.outcome is Outcome.FAILURE and "another directory" in event.reason


def test_expired_invitation_is_refused(invited, sign_in, provider, client):
    _, tid, invitation, token = invited
    invitation.expires_at = now() - dt.timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/invitations/{token}").status_code == 404
    provider.set_user("late", microsoft_claims(tid, str(uuid.uuid4()), "Late", "new.colleague@invite.example"))
    response = sign_in("microsoft", "late", invitation=token)
    assert response.status_code == 403
    assert db.session.scalar(select(Invitation).where(Invitation.accepted_at.is_not(None))) is None


@pytest.mark.parametrize(
    ("email", "extra"),
    [
        ("someone.else@invite.example", {}),  # a colleague (or a pupil) of the same domain
        ("new.colleague@invite.example", {"xms_edov": False}),  # an address the directory did not verify
        ("new.colleague@invite.example", {"xms_edov": None}),
    ],
    ids=["another-address", "domain-not-verified", "no-xms_edov"],
)
def test_an_invitation_is_only_for_the_address_it_was_sent_to(invited, sign_in, provider, email, extra):
    academy, tid, invitation, token = invited
    claims = microsoft_claims(tid, str(uuid.uuid4()), "Someone Else", email, **extra)
    if extra.get("xms_edov") is None and "xms_edov" in extra:
        del claims["xms_edov"]
    provider.set_user("someone", claims)
    response = sign_in("microsoft", "someone", invitation=token)
    assert response.status_code == 403
    assert "sent to a different email address" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(Membership).where(Membership.tenancy_id == academy.id, Membership.role == Role.VIEWER))
        is None
    )
    db.session.refresh(invitation)
    assert invitation.accepted_at is None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in").order_by(AuditEvent.id.desc())
    ).first()
    assert event.outcome is Outcome.FAILURE and event.reason == "invitation for another address"


def test_a_google_invitation_binds_the_verified_address(app, sign_in, provider):
    school = make_school("Google School")
    bind_directory(school, DirectoryProvider.GOOGLE, "gschool.example")
    invitations.invite(
        tenancy=school, email="lee@gschool.example", role=Role.VIEWER, invited_by=None, actor=audit.Actor.system()
    )
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "lee@gschool.example"))
    token = token_from(message)
    provider.set_user("lee-other", google_claims("gschool.example", "Other", "other@gschool.example"))
    assert sign_in("google", "lee-other", invitation=token).status_code == 403
    provider.set_user("lee", google_claims("gschool.example", "Lee", "LEE@gschool.example"))
    assert sign_in("google", "lee", invitation=token).status_code == 302


@pytest.mark.parametrize(
    ("address", "warned"),
    [
        ("pat@gmail.com", "personal email provider"),
        ("pat@elsewhere.example", "is not a domain bound to"),
        ("pat@gschool.example", None),
    ],
)
def test_inviting_warns_when_the_address_cannot_accept(client_request, address, warned):
    school = make_school("Warned School")
    bind_directory(school, DirectoryProvider.GOOGLE, "gschool.example")
    lead = make_user("Warning Lead", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    client_request.sign_in(lead)
    page = client_request.post(
        "tenancy.invite",
        {"email": address, "role": "viewer"},
        _follow_redirects=True,
        _expected_status=200,
        tenancy=school.slug,
    )
    text = page.get_text(" ")
    assert f"Invitation sent to {address}" in text
    if warned:
        assert warned in text
    else:
        assert "check the address" not in text
