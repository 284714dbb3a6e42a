"""Tenancy pages: your organisations, a tenancy's overview, and its members (invite, change role, remove)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portal import policy
from portal.audit import service as audit
from portal.dates import now
from portal.extensions import db
from portal.policy import Permission
from portal.tenancy import invitations, members
from portal.tenancy.forms import InviteForm, RoleForm, role_choices
from portal.tenancy.models import Invitation, Membership, Role, Tenancy
from portal.tenancy.scoping import current_role, current_tenancy, get_owned_or_404, install_scoping
from portal.tenancy.sections import SECTIONS
from portal.tenancy.signals import overview_values
from portal.web.messages import success

bp = Blueprint("tenancy", __name__, url_prefix="/t")
install_scoping(bp)
MANAGE = policy.tenancy(Permission.MANAGE_MEMBERS)


@bp.get("/")
@policy.allow(policy.SIGNED_IN)
def home() -> str | Response:
    if current_user.is_vendor:
        return redirect(url_for("vendor.home"))
    rows = db.session.scalars(
        select(Membership)
        .where(Membership.user_id == current_user.id)
        .options(joinedload(Membership.tenancy).selectinload(Tenancy.academies))
    ).all()
    if len(rows) == 1:  # one organisation: its home, not a list of one (#25)
        return redirect(url_for("tenancy.overview", tenancy=rows[0].tenancy.slug))
    rows = sorted(rows, key=lambda m: m.tenancy.name)
    return render_template("tenancy/home.html", memberships=rows)


@bp.get("/<slug:tenancy>/")
def overview() -> str:
    tenancy = current_tenancy()
    sections = [s for s in SECTIONS if policy.may(current_user, s.permission, tenancy)]
    return render_template(
        "tenancy/overview.html",
        tenancy=tenancy,
        role=current_role(),
        sections=sections,
        **overview_values(tenancy),
    )


@bp.get("/<slug:tenancy>/members", endpoint="members")
@policy.allow(MANAGE)
def members_page() -> str:
    return _members(InviteForm())


@bp.post("/<slug:tenancy>/members/invite")
@policy.allow(MANAGE)
def invite() -> str | Response | tuple[str, int]:
    tenancy = current_tenancy()
    form = InviteForm()
    form.role.choices = role_choices(members.assignable_roles(tenancy))
    if form.validate_on_submit():
        try:
            invitations.invite(
                tenancy=tenancy,
                email=form.email.data or "",
                role=Role(form.role.data),
                invited_by=current_user,
                actor=audit.Actor.of(current_user),
            )
        except invitations.InvitationError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            db.session.commit()
            success(_("Invitation sent to %(email)s.", email=form.email.data))
            warning = invitations.address_warning(tenancy, form.email.data or "")
            if warning:
                flash(warning)
            return redirect(url_for("tenancy.members"))
    return _members(form), 400


@bp.post("/<slug:tenancy>/members/<int:membership_id>/role")
@policy.allow(MANAGE)
def change_role(membership_id: int) -> str | Response | tuple[str, int]:
    membership = get_owned_or_404(Membership, membership_id)
    form = RoleForm()
    form.role.choices = role_choices(members.assignable_roles(membership.tenancy))
    if form.validate_on_submit():
        try:
            members.change_role(membership, role=Role(form.role.data), acting=current_user)
        except members.MembershipError as error:
            flash(str(error))
            return redirect(url_for("tenancy.members"))
        db.session.commit()
        success(_("%(name)s is now %(role)s.", name=membership.user.display_name, role=membership.role.label.lower()))
        return redirect(url_for("tenancy.members"))
    flash(_("Select a role"))
    return redirect(url_for("tenancy.members"))


@bp.get("/<slug:tenancy>/members/<int:membership_id>/remove")
@policy.allow(MANAGE)
def confirm_remove(membership_id: int) -> str:
    """Ask first (#25): removing a member signs them out and ends their access at once."""
    membership = get_owned_or_404(Membership, membership_id)
    name, here = membership.user.display_name, current_tenancy()
    return render_template(
        "web/confirm.html",
        title=_("Remove %(name)s from %(tenancy)s?", name=name, tenancy=here.name),
        caption=here.name,
        consequences=[
            _("%(name)s will no longer be able to use the portal for %(tenancy)s.", name=name, tenancy=here.name),
            _("They are signed out of every device now, and any task they started here stops."),
        ],
        warning=_("To give them access again you must send a new invitation."),
        action=url_for("tenancy.remove", membership_id=membership.id),
        button=_("Remove %(name)s", name=name),
        back_href=url_for("tenancy.members"),
        back_text=_("Keep %(name)s as a member", name=name),
    )


@bp.post("/<slug:tenancy>/members/<int:membership_id>/remove")
@policy.allow(MANAGE)
def remove(membership_id: int) -> Response:
    membership = get_owned_or_404(Membership, membership_id)
    name = membership.user.display_name
    try:
        members.remove(membership, acting=current_user)
    except members.MembershipError as error:
        flash(str(error))
        return redirect(url_for("tenancy.members"))
    db.session.commit()
    success(_("%(name)s has been removed and signed out.", name=name))
    return redirect(url_for("tenancy.members"))


@bp.post("/<slug:tenancy>/members/invitations/<int:invitation_id>/withdraw")
@policy.allow(MANAGE)
def withdraw_invitation(invitation_id: int) -> Response:
    invitation = get_owned_or_404(Invitation, invitation_id)
    try:
        invitations.withdraw(invitation, actor=audit.Actor.of(current_user))
    except invitations.InvitationError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("tenancy.members"))
    db.session.commit()
    success(_("The invitation to %(email)s has been withdrawn: its link no longer works.", email=invitation.email))
    return redirect(url_for("tenancy.members"))


def _members(form: InviteForm) -> str:
    tenancy = current_tenancy()
    form.role.choices = role_choices(members.assignable_roles(tenancy))
    rows = db.session.scalars(
        select(Membership).where(Membership.tenancy_id == tenancy.id).options(joinedload(Membership.user))
    ).all()
    pending = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.tenancy_id == tenancy.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
        .order_by(Invitation.created_at.desc())
    ).all()
    return render_template(
        "tenancy/members.html",
        tenancy=tenancy,
        members=sorted(rows, key=lambda m: m.user.display_name),
        pending=pending,
        form=form,
        roles=members.assignable_roles(tenancy),
    )
