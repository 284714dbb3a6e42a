"""An incident for the school's own breach log (Art. 33(5)): CSV and PDF, as the school was told it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response, render_template
from flask_babel import gettext as _

from portal.dates import govuk_date, govuk_datetime
from portal.incidents.clock import clock_for
from portal.incidents.models import Incident, IncidentTenancy
from portal.tenancy.models import Tenancy

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as CSV with every cell quoted and formula-leading cells neutralised.

    The one place incident CSV is written: swap it for the project's shared CSV helper when
    there is one.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        cells = ["" if value is None else str(value) for value in row]
        writer.writerow(["'" + cell if cell.startswith(FORMULA_LEADS) else cell for cell in cells])
    return out.getvalue()


def _facts(incident: Incident, tenancy: Tenancy, row: IncidentTenancy | None) -> list[tuple[str, str]]:
    clock = clock_for(incident.aware_at, incident.notified_at)

    def stated(field: str) -> str:
        text = getattr(incident, field)
        return str(text or _("Not yet known: %(reason)s", reason=getattr(incident, f"{field}_unknown_reason")))

    return [
        (_("Controller"), f"{tenancy.name} ({tenancy.display_reference})"),
        (_("Incident reference"), f"INC-{incident.id}"),
        (_("Title"), incident.title),
        (_("State"), incident.state.label),
        (_("Vendor became aware"), govuk_datetime(incident.aware_at)),
        (_("72 hours end"), clock.deadline_text()),
        (_("Notified"), govuk_datetime(incident.notified_at) if incident.notified_at else ""),
        (
            _("Period concerned"),
            _("%(start)s to %(end)s", start=govuk_date(incident.period_start), end=govuk_date(incident.period_end)),
        ),
        (_("What happened"), incident.what_happened),
        (_("Services involved"), incident.services),
        (_("Data categories involved"), incident.data_categories),
        (_("What concerned this school"), row.concerns or row.reason if row else ""),
        (_("Nature of the breach"), stated("nature")),
        (_("Likely consequences"), stated("consequences")),
        (_("Measures taken or proposed"), stated("measures")),
        (_("Contact point"), stated("contact")),
        (_("Outcome"), incident.outcome),
        (
            _("Acknowledged"),
            f"{govuk_datetime(row.acknowledged_at)}, {row.acknowledged_by_label}"
            if row and row.acknowledged_at
            else "",
        ),
    ]


def incident_csv(incident: Incident, tenancy: Tenancy, row: IncidentTenancy | None) -> str:
    """The incident's facts, then its timeline, one row each."""
    rows: list[Sequence[object]] = [(_("Field"), _("Value"), "")]
    rows += [(label, value, "") for label, value in _facts(incident, tenancy, row)]
    rows.append(("", "", ""))
    rows.append((_("Timeline: when"), _("What"), _("Detail")))
    rows += [(govuk_datetime(e.at), e.kind.label, e.text) for e in incident.public_entries]
    return csv_text(rows)


def incident_pdf(incident: Incident, tenancy: Tenancy, row: IncidentTenancy | None) -> bytes:
    from portal.documents.render import ASSET_BASE, render_pdf

    html = render_template(
        "pdf/incident.html",
        asset_base=ASSET_BASE,
        incident=incident,
        tenancy=tenancy,
        facts=_facts(incident, tenancy, row),
        entries=incident.public_entries,
    )
    return render_pdf(html)


def filename(incident: Incident, extension: str) -> str:
    return f"incident-INC-{incident.id}-breach-log.{extension}"


def download(body: str | bytes, name: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
