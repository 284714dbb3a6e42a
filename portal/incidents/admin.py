"""Vendor staff: the incident queue and each incident (/vendor/incidents); the notice is a vendor admin's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.audit.service import Actor
from portal.dates import UK
from portal.extensions import db
from portal.incidents import affected, forms, queries, school_side, service
from portal.incidents.clock import clock_for
from portal.incidents.models import ART33_FIELDS, Incident
from portal.incidents.states import TRANSITIONS, IllegalTransition, IncidentState
from portal.pagination import requested_page
from portal.policy import Permission
from portal.web.messages import success

bp = policy.declare(
    Blueprint("incidents_admin", __name__, url_prefix="/vendor/incidents"), policy.vendor(Permission.HANDLE_INCIDENTS)
)
PUBLISH = policy.vendor(Permission.PUBLISH_INCIDENT_NOTICES, recent_sign_in=True)


@bp.get("")
def index() -> str:
    return render_template("incidents/admin_index.html", incidents=queries.all_incidents(), clock_for=clock_for)


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    form = _incident_form()
    if form.validate_on_submit():
        try:
            incident = service.open_incident(_details(form), actor=Actor.of(current_user))
        except service.IncidentError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            success(_("Incident opened. Check the affected schools, then send the notice."))
            return redirect(url_for("incidents_admin.incident", incident_id=incident.id))
    return render_template("incidents/admin_form.html", form=form, incident=None), 400 if form.errors else 200


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
def edit(incident_id: int) -> Any:
    found = _get(incident_id)
    form = _incident_form(found if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.edit_incident(found, _details(form), actor=Actor.of(current_user))
        except service.IncidentError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            success(_("Incident saved."))
            return redirect(url_for("incidents_admin.incident", incident_id=incident_id))
    return render_template("incidents/admin_form.html", form=form, incident=found), 400 if form.errors else 200


@bp.get("/<int:incident_id>")
def incident(incident_id: int) -> str:
    return _page(_get(incident_id))


@bp.post("/<int:incident_id>/tenancies")
def add_tenancy(incident_id: int) -> Any:
    found, form = _get(incident_id), forms.AddTenancyForm(prefix="add")
    if form.validate_on_submit():
        tenancy = queries.tenancy_by_reference(form.school.data or "")
        if tenancy is None:
            form.school.errors = [*form.school.errors, _("No school or trust has that URN, group id or name")]
        else:
            return _act(
                found,
                form,
                lambda: service.add_tenancy(found, tenancy, reason=form.reason.data or "", actor=_actor()),
                _("%(school)s added to the list.", school=tenancy.name),
            )
    return _page(found, add_form=form), 400


@bp.post("/<int:incident_id>/tenancies/remove")
def remove_tenancy(incident_id: int) -> Any:
    found, form = _get(incident_id), forms.RemoveTenancyForm(prefix="remove")
    if form.validate_on_submit():
        tenancy = queries.tenancy_by_reference(form.school.data or "")
        if tenancy is None:
            form.school.errors = [*form.school.errors, _("No school or trust has that URN, group id or name")]
        else:
            return _act(
                found,
                form,
                lambda: service.remove_tenancy(found, tenancy.id, reason=form.reason.data or "", actor=_actor()),
                _("%(school)s taken off the list, with your reason.", school=tenancy.name),
            )
    return _page(found, remove_form=form), 400


@bp.post("/<int:incident_id>/notify")
@policy.allow(PUBLISH)
def notify(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.NotifyForm(),
        "notify_form",
        lambda found, form: service.publish_notice(found, actor=_actor()),
        _("Notice sent: every school on the list is being emailed."),
    )


@bp.post("/<int:incident_id>/updates")
def post_update(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.UpdateForm(prefix="update"),
        "update_form",
        lambda found, form: service.post_update(
            found, text=form.text.data or "", actor=_actor(), submission_key=form.submission_key.data or None
        ),
        _("Update sent to every school on the list."),
    )


@bp.post("/<int:incident_id>/close")
def close(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.CloseForm(prefix="close"),
        "close_form",
        lambda found, form: service.close_incident(found, outcome=form.outcome.data or "", actor=_actor()),
        _("Incident closed; every school on the list is being told the outcome."),
    )


@bp.post("/<int:incident_id>/accept")
def accept(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.PlainForm(),
        "plain_form",
        lambda found, form: service.accept_report(found, actor=_actor()),
        _("Report taken on for assessment."),
    )


@bp.post("/<int:incident_id>/dismiss")
def dismiss(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.DismissForm(prefix="dismiss"),
        "dismiss_form",
        lambda found, form: service.dismiss(found, reason=form.reason.data or "", actor=_actor()),
        _("Recorded as not a personal data breach."),
    )


@bp.post("/<int:incident_id>/remind")
def remind(incident_id: int) -> Any:
    return _step(
        incident_id,
        forms.PlainForm(),
        "plain_form",
        lambda found, form: school_side.remind(found, actor=_actor()),
        _("Reminders sent to the schools that have not acknowledged."),
    )


def _step(incident_id: int, form: Any, key: str, step: Any, message: str) -> Any:
    """A step with a form: a valid form runs the step; an invalid one comes back with its errors."""
    found = _get(incident_id)
    if form.validate_on_submit():
        return _act(found, form, lambda: step(found, form), message)
    return _page(found, **{key: form}), 400


def _actor() -> Actor:
    return Actor.of(current_user)


def _act(found: Incident, form: Any, step: Any, message: str) -> Any:
    """Run one step; commit and go back to the incident, or show the refusal on the form and change nothing."""
    try:
        # A savepoint: a refused step leaves nothing behind, and the page can still be read.
        with db.session.begin_nested():
            step()
    except (service.IncidentError, IllegalTransition) as error:
        flash(str(error))
        return _page(_get(found.id)), 400
    db.session.commit()
    success(message)
    return redirect(url_for("incidents_admin.incident", incident_id=found.id))


def _get(incident_id: int) -> Incident:
    found = queries.incident(incident_id)
    if found is None:
        abort(404)
    return found


def _page(found: Incident, **forms_given: Any) -> str:
    page = requested_page()
    allowed = TRANSITIONS[found.state]
    return render_template(
        "incidents/admin_incident.html",
        incident=found,
        clock=clock_for(found.aware_at, found.notified_at),
        counts=queries.counts(found),
        listed=queries.tenancy_page(found, included=True, page=page),
        removed=queries.tenancy_page(found, included=False, page=1),
        unacknowledged=db.session.execute(school_side.unacknowledged_query(found).limit(queries.PER_PAGE)).all(),
        findings=affected.affected_tenancies(list(found.entry_keys), found.period_start, found.period_end).findings
        if found.state in (IncidentState.DRAFT, IncidentState.REPORTED) and found.entry_keys
        else [],
        missing=service.missing_contents(found),
        art33=ART33_FIELDS,
        can_notify=IncidentState.NOTIFIED in allowed and policy.may(current_user, Permission.PUBLISH_INCIDENT_NOTICES),
        can_accept=found.state is IncidentState.REPORTED,
        can_dismiss=IncidentState.DISMISSED in allowed,
        is_open=found.state is IncidentState.NOTIFIED,
        editable=found.state in (IncidentState.DRAFT, IncidentState.REPORTED),
        add_form=forms_given.get("add_form") or forms.AddTenancyForm(prefix="add"),
        remove_form=forms_given.get("remove_form") or forms.RemoveTenancyForm(prefix="remove"),
        update_form=forms_given.get("update_form") or forms.UpdateForm(prefix="update"),
        close_form=forms_given.get("close_form") or forms.CloseForm(prefix="close"),
        dismiss_form=forms_given.get("dismiss_form") or forms.DismissForm(prefix="dismiss"),
        notify_form=forms_given.get("notify_form") or forms.NotifyForm(),
        plain_form=forms.PlainForm(),
        form=next((f for f in forms_given.values() if f is not None and f.errors), None),
    )


def _incident_form(found: Incident | None = None) -> forms.IncidentForm:
    form = forms.IncidentForm(obj=found) if found is not None else forms.IncidentForm()
    if found is not None:
        local = found.aware_at.astimezone(UK)
        form.aware_date.data = local.date()  # type: ignore[assignment]
        form.aware_time.data = f"{local:%H:%M}"
    form.entry_keys.choices = [SelectChoice(key, name) for key, name in queries.supplier_choices()]
    return form


def _details(form: forms.IncidentForm) -> service.Details:
    hour, minute = form.aware_hour_minute()
    assert form.aware_date.data is not None and form.period_start.data and form.period_end.data
    return service.Details(
        title=form.title.data or "",
        aware_at=service.uk_instant(form.aware_date.data, hour, minute),
        what_happened=form.what_happened.data or "",
        entry_keys=list(form.entry_keys.data or []),
        services=form.services.data or "",
        data_categories=form.data_categories.data or "",
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        art33={f: (getattr(form, f).data or "", getattr(form, f"{f}_unknown_reason").data or "") for f in ART33_FIELDS},
    )


def _field_error(form: Any, error: service.IncidentError) -> None:
    field = getattr(form, error.field or "title", None) or form.title
    field.errors = [*field.errors, error.message]
