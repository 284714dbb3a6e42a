"""The school's side: incidents it was told of, the timeline, acknowledging, exports and reporting one."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from portal import policy
from portal.audit.models import Outcome
from portal.audit.service import Actor, record
from portal.extensions import db
from portal.incidents import export, forms, queries, school_side, service
from portal.incidents.clock import clock_for
from portal.incidents.models import ART33_FIELDS, Incident, IncidentTenancy
from portal.policy import Permission
from portal.tenancy.scoping import current_tenancy, tenancy_blueprint
from portal.web.messages import success

bp = tenancy_blueprint("incidents", __name__, "/incidents")
ACT = policy.tenancy(Permission.ACT_ON_INCIDENTS)


@bp.get("")
def index() -> str:
    tenancy = current_tenancy()
    return render_template(
        "incidents/tenancy_index.html", tenancy=tenancy, incidents=queries.for_tenancy(tenancy), clock_for=clock_for
    )


@bp.get("/<int:incident_id>")
def incident(incident_id: int) -> str:
    found, row = _get(incident_id)
    return render_template(
        "incidents/tenancy_incident.html",
        tenancy=current_tenancy(),
        incident=found,
        row=row,
        clock=clock_for(found.aware_at, found.notified_at),
        art33=ART33_FIELDS,
        may_act=policy.may(current_user, Permission.ACT_ON_INCIDENTS, current_tenancy()),
    )


@bp.post("/<int:incident_id>/acknowledge")
@policy.allow(ACT)
def acknowledge(incident_id: int) -> BaseResponse:
    found, _row = _get(incident_id)
    try:
        row = school_side.acknowledge(found, current_tenancy(), actor=Actor.of(current_user))
    except service.IncidentError as error:
        db.session.rollback()
        flash(error.message)
    else:
        db.session.commit()
        success(_("Acknowledged by %(name)s.", name=row.acknowledged_by_label))
    return redirect(url_for("incidents.incident", incident_id=incident_id))


@bp.get("/<int:incident_id>/breach-log.csv")
def export_csv(incident_id: int) -> Response:
    found, row = _get(incident_id)
    _audit_export(found, "csv")
    return export.download(
        export.incident_csv(found, current_tenancy(), row), export.filename(found, "csv"), "text/csv"
    )


@bp.get("/<int:incident_id>/breach-log.pdf")
def export_pdf(incident_id: int) -> Response:
    found, row = _get(incident_id)
    _audit_export(found, "pdf")
    pdf = export.incident_pdf(found, current_tenancy(), row)
    return export.download(pdf, export.filename(found, "pdf"), "application/pdf")


@bp.route("/report", methods=["GET", "POST"])
@policy.allow(ACT)
def report() -> Any:
    tenancy, form = current_tenancy(), forms.ReportForm()
    if form.validate_on_submit() and form.noticed_on.data is not None:
        try:
            found = school_side.report_suspected(
                tenancy,
                what=form.what.data or "",
                noticed_on=form.noticed_on.data,
                contact=form.contact.data or "",
                actor=Actor.of(current_user),
            )
        except service.IncidentError as error:
            db.session.rollback()
            field = getattr(form, error.field or "what")
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            success(_("Reported. The vendor's security team has been told and will contact you."))
            return redirect(url_for("incidents.incident", incident_id=found.id))
    status = 400 if form.errors else 200
    return render_template("incidents/report.html", tenancy=tenancy, form=form), status


def _get(incident_id: int) -> tuple[Incident, IncidentTenancy | None]:
    """The incident as this school may see it; another school's (or an unsent draft) is a 404, audited."""
    tenancy = current_tenancy()
    found = queries.tenancy_incident(tenancy, incident_id)
    if found is None:
        record(
            "access.denied",
            actor=Actor.of(current_user),
            outcome=Outcome.DENIED,
            tenancy_id=tenancy.id,
            object_type="Incident",
            object_id=incident_id,
            reason="incident not notified to this tenancy",
        )
        db.session.commit()
        abort(404)
    return found


def _audit_export(found: Incident, kind: str) -> None:
    record(
        "incident.exported",
        actor=Actor.of(current_user),
        tenancy_id=current_tenancy().id,
        object_type="incident",
        object_id=found.id,
        details={"format": kind},
    )
    db.session.commit()
