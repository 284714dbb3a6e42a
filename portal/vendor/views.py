"""The vendor console: today's attention list, tenancies, and onboarding a school or trust."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import policy
from portal.audit import service as audit
from portal.extensions import db
from portal.pagination import requested_page
from portal.tenancy import invitations
from portal.tenancy.models import DirectoryProvider, Invitation, Membership, Tenancy
from portal.vendor import queries, service, tiles
from portal.vendor.forms import AutoJoinForm, CreateTenancyForm, DirectoryForm, InviteForm, RemoveDirectoryForm

bp = policy.declare(
    Blueprint("vendor", __name__, url_prefix="/vendor"), policy.vendor(policy.Permission.VENDOR_CONSOLE)
)
ONBOARD = policy.vendor(policy.Permission.ONBOARD_TENANCIES)


def _tenancy(slug: str) -> Tenancy:
    tenancy: Tenancy | None = db.session.scalar(select(Tenancy).where(Tenancy.slug == slug))
    if tenancy is None:
        abort(404)
    return tenancy


@bp.get("/")
def home() -> str:
    return render_template("vendor/home.html", tiles=tiles.attention())


@bp.get("/tenancies")
def tenancies() -> str:
    search, state = request.args.get("q", "")[:200], request.args.get("state", "")
    state = state if queries.has_state_filter(state) else ""
    page = queries.tenancies(search, state, requested_page())
    return render_template(
        "vendor/tenancies.html",
        page=page,
        search=search,
        state=state,
        states=list(queries.TenancyState),
        columns=queries.STATE_COLUMNS,
        state_of=queries.state_of,
    )


@bp.get("/tenancies/new")
@policy.allow(ONBOARD)
def new_tenancy() -> str:
    search = request.args.get("q", "")[:200]
    results = queries.register_search(search, requested_page()) if search.strip() else None
    return render_template("vendor/new_tenancy.html", search=search, results=results, form=CreateTenancyForm())


@bp.post("/tenancies/new")
@policy.allow(ONBOARD)
def create_tenancy() -> Response:
    form = CreateTenancyForm()
    if not form.validate_on_submit() or form.kind.data not in ("school", "trust"):
        abort(400)
    try:
        tenancy = service.create_tenancy(
            urn=form.key.data if form.kind.data == "school" else None,
            group_uid=form.key.data if form.kind.data == "trust" else None,
            actor=audit.Actor.of(current_user),
        )
    except service.OnboardingError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("vendor.new_tenancy", q=form.key.data))
    db.session.commit()
    flash(_("Tenancy set up for %(name)s. Bind its directory, then invite its data lead.", name=tenancy.name))
    return redirect(url_for("vendor.tenancy", slug=tenancy.slug))


def _render_tenancy(tenancy: Tenancy, **forms: object) -> str:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.tenancy_id == tenancy.id).order_by(Invitation.created_at.desc()).limit(20)
    )
    members = db.session.scalars(
        select(Membership)
        .where(Membership.tenancy_id == tenancy.id)
        .options(db.selectinload(Membership.user))
        .order_by(Membership.id)
    )
    context = {
        "directory_form": DirectoryForm(formdata=None),
        "auto_join_form": AutoJoinForm(formdata=None, enabled="yes" if tenancy.auto_join_enabled else "no"),
        "invite_form": InviteForm(formdata=None),
        "remove_form": RemoveDirectoryForm(formdata=None),
    } | forms
    return render_template(
        "vendor/tenancy.html", tenancy=tenancy, invitations=list(invitations), members=list(members), **context
    )


@bp.get("/tenancies/<slug:slug>")
def tenancy(slug: str) -> str:
    return _render_tenancy(_tenancy(slug))


def _step(
    tenancy: Tenancy, form_name: str, form: Any, action: Callable[[], object], done: str, field: str
) -> str | Response:
    """Run one onboarding step: validate, call the service, commit, or show the error on its form."""
    if form.validate_on_submit():
        try:
            action()
        except service.OnboardingError as error:
            db.session.rollback()
            form[field].errors = [str(error)]
        else:
            db.session.commit()
            flash(done)
            return redirect(url_for("vendor.tenancy", slug=tenancy.slug))
    return _render_tenancy(tenancy, **{form_name: form, "form": form})


@bp.post("/tenancies/<slug:slug>/directories")
@policy.allow(policy.GRANT_ACCESS)
def bind_directory(slug: str) -> str | Response:
    tenancy, form = _tenancy(slug), DirectoryForm()
    return _step(
        tenancy,
        "directory_form",
        form,
        lambda: service.bind_directory(
            tenancy,
            provider=DirectoryProvider(form.provider.data),
            value=form.value.data or "",
            actor=audit.Actor.of(current_user),
        ),
        _("Directory bound"),
        "value",
    )


@bp.post("/tenancies/<slug:slug>/directories/<int:directory_id>/remove")
@policy.allow(ONBOARD)
def remove_directory(slug: str, directory_id: int) -> str | Response:
    tenancy, form = _tenancy(slug), RemoveDirectoryForm()
    return _step(
        tenancy,
        "remove_form",
        form,
        lambda: service.unbind_directory(tenancy, directory_id, actor=audit.Actor.of(current_user)),
        _("Directory removed"),
        "submit",
    )


@bp.post("/tenancies/<slug:slug>/auto-join")
@policy.allow(policy.GRANT_ACCESS)
def auto_join(slug: str) -> str | Response:
    tenancy, form = _tenancy(slug), AutoJoinForm()
    return _step(
        tenancy,
        "auto_join_form",
        form,
        lambda: service.set_auto_join(tenancy, enabled=form.enabled.data == "yes", actor=audit.Actor.of(current_user)),
        _("Auto-join saved"),
        "enabled",
    )


@bp.post("/tenancies/<slug:slug>/invitations")
@policy.allow(policy.GRANT_ACCESS)
def invite(slug: str) -> str | Response:
    tenancy, form = _tenancy(slug), InviteForm()
    return _step(
        tenancy,
        "invite_form",
        form,
        lambda: _invite_and_warn(tenancy, form.email.data or ""),
        _("Invitation sent"),
        "email",
    )


def _invite_and_warn(tenancy: Tenancy, email: str) -> None:
    """Invite the data lead, and warn when the address cannot accept it (personal, or outside the domains)."""
    service.invite_data_lead(tenancy, email=email, invited_by=current_user, actor=audit.Actor.of(current_user))
    warning = invitations.address_warning(tenancy, email)
    if warning:
        flash(warning)
