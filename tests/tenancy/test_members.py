"""Tenancy pages: your organisations, overview, members (invite, change role, remove)."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Invitation, Membership, Role
from tests.factories import make_school, make_trust, make_user
from tests.pages import check_page, squeeze


def test_home_lists_memberships_and_a_trust_admins_academies(app, client_request):
    trust = make_trust("Home Trust")
    make_school("Home Academy One", trust=trust)
    make_school("Home Academy Two", trust=trust)
    admin = make_user("Trust Admin", tenancy=trust, role=Role.TRUST_ADMIN)
    # Two organisations: the list (with one, the person is sent to its home: tests/homes).
    db.session.add(Membership(user=admin, tenancy=make_school("Home Other School"), role=Role.VIEWER))
    db.session.commit()
    client_request.sign_in(admin)
    page = client_request.get("tenancy.home")
    text = page.get_text()
    assert "Home Trust" in text and "Home Academy One" in text and "Home Academy Two" in text


def test_trust_admin_opens_an_academy_overview(app, client_request):
    trust = make_trust("Overview Trust")
    academy = make_school("Overview Academy", trust=trust)
    admin = make_user("Trust Admin", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.commit()
    client_request.sign_in(admin)
    page = client_request.get("tenancy.overview", tenancy=academy.slug)
    assert "Overview Academy" in page.h1.get_text() and "Trust admin" in page.get_text()
    assert page.find("a", string="Members") is not None
    trust_page = client_request.get("tenancy.overview", tenancy=trust.slug)
    assert "Overview Academy" in trust_page.get_text()


def test_viewer_sees_no_member_or_audit_sections(app, client_request, school, viewer):
    db.session.commit()
    client_request.sign_in(viewer)
    page = client_request.get("tenancy.overview", tenancy=school.slug)
    assert page.find("a", string="Members") is None and page.find("a", string="Audit log") is None


def test_members_page_query_count_does_not_grow(app, client_request, school, data_lead, count_queries):
    db.session.commit()
    client_request.sign_in(data_lead)
    client_request.get("tenancy.members", tenancy=school.slug)
    db.session.commit()
    with count_queries() as few:
        client_request.get("tenancy.members", tenancy=school.slug)
    for n in range(15):
        make_user(f"Member {n}", tenancy=school, role=Role.VIEWER)
    db.session.commit()
    with count_queries() as many:
        page = client_request.get("tenancy.members", tenancy=school.slug)
    assert many.count == few.count
    assert "Member 14" in page.get_text()


def test_invite_from_the_members_page(app, client_request, school, data_lead):
    db.session.commit()
    client_request.sign_in(data_lead)
    client_request.post("tenancy.invite", {"email": "friend@school.example", "role": "viewer"}, tenancy=school.slug)
    assert db.session.scalar(select(Invitation).where(Invitation.email == "friend@school.example")).role is Role.VIEWER
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "friend@school.example"))


def test_invite_errors_are_form_errors_and_roles_cannot_be_forged(app, client_request, school, data_lead):
    db.session.commit()
    client_request.sign_in(data_lead)
    response = client_request.post(
        "tenancy.invite", {"email": "nope", "role": "viewer"}, _expected_status=400, tenancy=school.slug
    )
    page = check_page(response.get_data(as_text=True))
    assert page.title.get_text().startswith("Error:") and page.select_one(".govuk-error-summary")
    client_request.post(
        "tenancy.invite",
        {"email": "x@school.example", "role": "trust_admin"},
        _expected_status=400,
        tenancy=school.slug,
    )
    assert db.session.scalar(select(Invitation)) is None


def test_change_role_and_remove_are_audited(app, client_request, school, data_lead):
    member = make_user("Changing Member", tenancy=school, role=Role.VIEWER)
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == member.id))
    client_request.sign_in(data_lead)
    members_page = client_request.url("tenancy.members", tenancy=school.slug)
    client_request.post(
        "tenancy.change_role",
        {"role": "data_lead"},
        _redirect_to=members_page,
        tenancy=school.slug,
        membership_id=membership.id,
    )
    db.session.refresh(membership)
    assert membership.role is Role.DATA_LEAD
    # The row's role select, labelled with the member's name, now shows the new role.
    page = client_request.get("tenancy.members", tenancy=school.slug)
    chosen = page.select_one(f"#member-role-{membership.id} option[selected]")
    assert chosen["value"] == "data_lead" and len(page.select(f"#member-role-{membership.id} option[selected]")) == 1
    assert "Changing Member" in page.select_one(f"label[for=member-role-{membership.id}]").get_text()
    membership_id = membership.id
    # Removing asks first, saying what it does; asking changes nothing.
    link = client_request.get("tenancy.members", tenancy=school.slug).find("a", href=re.compile(r"/remove$"))
    assert link["href"] == client_request.url(
        "tenancy.confirm_remove", tenancy=school.slug, membership_id=membership_id
    )
    confirm = client_request.get("tenancy.confirm_remove", tenancy=school.slug, membership_id=membership_id)
    assert "Changing Member will no longer be able to use the portal" in confirm.get_text()
    assert "signed out of every device" in confirm.get_text()
    assert db.session.get(Membership, membership_id) is not None
    client_request.post("tenancy.remove", _redirect_to=members_page, tenancy=school.slug, membership_id=membership_id)
    assert db.session.get(Membership, membership_id) is None
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.tenancy_id == school.id)))
    assert {"membership.role_changed", "membership.removed"} <= actions


def test_nobody_changes_their_own_role(app, client_request, school, data_lead):
    db.session.commit()
    own = db.session.scalar(select(Membership).where(Membership.user_id == data_lead.id))
    client_request.sign_in(data_lead)
    client_request.post("tenancy.change_role", {"role": "viewer"}, tenancy=school.slug, membership_id=own.id)
    db.session.refresh(own)
    assert own.role is Role.DATA_LEAD


def test_another_tenancys_membership_is_a_404_and_audited(app, client_request, school, other_school, data_lead):
    stranger = make_user("Stranger", tenancy=other_school, role=Role.VIEWER)
    db.session.commit()
    theirs = db.session.scalar(select(Membership).where(Membership.user_id == stranger.id))
    client_request.sign_in(data_lead)
    client_request.post("tenancy.remove", _expected_status=404, tenancy=school.slug, membership_id=theirs.id)
    assert db.session.get(Membership, theirs.id) is not None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.object_type == "Membership")
    )


def invitations_token(invitation: Invitation) -> str:
    """The token an invitation's email carries (the database holds only its hash)."""
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.recipient == invitation.email))
    found = re.search(r"/invitations/(\S+)", body or "")
    assert found is not None, body
    return found.group(1)


def test_a_data_lead_withdraws_an_invitation_and_its_link_stops_working(app, client_request, school, data_lead):
    from portal.audit.service import Actor
    from portal.tenancy import invitations

    invitation = invitations.invite(
        tenancy=school, email="typo@school.example", role=Role.VIEWER, invited_by=data_lead, actor=Actor.system()
    )
    db.session.commit()
    token = invitations_token(invitation)
    assert invitations.find_open(token) is not None
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy.members", tenancy=school.slug)
    [button] = page.select("form[action$='/withdraw'] button")
    assert squeeze(button.get_text()) == "Withdraw the invitation to typo@school.example"

    client_request.post("tenancy.withdraw_invitation", tenancy=school.slug, invitation_id=invitation.id)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is not None
    assert invitations.find_open(token) is None
    assert "Invitations not yet accepted" not in client_request.get("tenancy.members", tenancy=school.slug).get_text()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.withdrawn"))
    assert event is not None and event.tenancy_id == school.id and event.actor_id == data_lead.id

    # Twice: a clear message, nothing changes, nothing more is audited.
    revoked_at = db.session.get(Invitation, invitation.id).revoked_at
    response = client_request.post(
        "tenancy.withdraw_invitation",
        tenancy=school.slug,
        invitation_id=invitation.id,
        _follow_redirects=True,
        _expected_status=200,
    )
    assert "already been accepted or withdrawn" in response.get_text()
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at == revoked_at
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation.withdrawn")).all()) == 1


def test_an_accepted_invitation_cannot_be_withdrawn(app, client_request, school, data_lead):
    from portal.audit.service import Actor
    from portal.dates import now
    from portal.tenancy import invitations

    invitation = invitations.invite(
        tenancy=school, email="joined@school.example", role=Role.VIEWER, invited_by=data_lead, actor=Actor.system()
    )
    invitation.accepted_at = now()
    db.session.commit()
    client_request.sign_in(data_lead)
    client_request.post("tenancy.withdraw_invitation", tenancy=school.slug, invitation_id=invitation.id)
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).revoked_at is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invitation.withdrawn")) is None


def test_another_tenancys_invitation_is_a_404(app, client_request, school, other_school, data_lead):
    from portal.audit.service import Actor
    from portal.tenancy import invitations

    theirs = invitations.invite(
        tenancy=other_school, email="them@other.example", role=Role.VIEWER, invited_by=None, actor=Actor.system()
    )
    db.session.commit()
    client_request.sign_in(data_lead)
    client_request.post(
        "tenancy.withdraw_invitation", _expected_status=404, tenancy=school.slug, invitation_id=theirs.id
    )
    db.session.expire_all()
    assert db.session.get(Invitation, theirs.id).revoked_at is None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.object_type == "Invitation")
    )
