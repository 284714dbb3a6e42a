"""Tenancy pages: your organisations, overview, members (invite, change role, remove)."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Invitation, Membership, Role
from tests.conftest import check_page
from tests.factories import make_school, make_trust, make_user


def test_home_lists_memberships_and_a_trust_admins_academies(app, client_request):
    trust = make_trust("Home Trust")
    make_school("Home Academy One", trust=trust)
    make_school("Home Academy Two", trust=trust)
    admin = make_user("Trust Admin", tenancy=trust, role=Role.TRUST_ADMIN)
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
    client_request.post("tenancy.change_role", {"role": "data_lead"}, tenancy=school.slug, membership_id=membership.id)
    db.session.refresh(membership)
    assert membership.role is Role.DATA_LEAD
    client_request.post("tenancy.remove", tenancy=school.slug, membership_id=membership.id)
    assert db.session.get(Membership, membership.id) is None
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
