"""Exit cases: opened by a school (or from a taken exit offer), steps recorded by vendor staff, withdrawn.

Every step checks the state machine (`portal.exits.states`), writes a dated step, the audit row and
the mail to the school's data leads, in the caller's transaction. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.audit.service import Actor, record
from portal.changes.models import Objection
from portal.changes.signals import exit_offer_taken
from portal.dates import govuk_date, now, uk_today
from portal.documents.models import Agreement, DpaTextVersion
from portal.exits.models import ExitCase, ExitDeletion, ExitStep
from portal.exits.states import ExitState, ExitStepKind, check_transition
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.web.language import written_in

MAIL_CATEGORY = "exit"
# The formats the vendor offers for the export.
EXPORT_FORMATS = {
    "csv": _l("CSV files (pupils, classes and their work records)"),
    "json": _l("JSON (everything, machine-readable)"),
    "pdf": _l("PDF copies of pupils' work"),
}
# Terms when no signed agreement (or text version) says otherwise: the same as the text's defaults.
DEFAULT_EXPORT_DAYS, DEFAULT_DELETION_DAYS = 30, 90
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ExitError(ValueError):
    """A step refused with a message for the user, naming the form field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def open_case(tenancy: Tenancy) -> ExitCase | None:
    return db.session.scalar(
        select(ExitCase).where(
            ExitCase.tenancy_id == tenancy.id,
            ExitCase.state.in_([ExitState.REQUESTED, ExitState.EXPORT_DELIVERED, ExitState.SERVICE_ENDED]),
        )
    )


def _terms(tenancy: Tenancy) -> tuple[Agreement | None, int | None, int, int]:
    """The agreement the exit ends (the latest signed) and its text version's export and deletion days."""
    row = db.session.execute(
        select(Agreement, DpaTextVersion.number, DpaTextVersion.export_days, DpaTextVersion.deletion_days)
        .join(DpaTextVersion, DpaTextVersion.id == Agreement.text_version_id)
        .where(Agreement.tenancy_id == tenancy.id)
        .order_by(Agreement.signed_at.desc(), Agreement.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None, DEFAULT_EXPORT_DAYS, DEFAULT_DELETION_DAYS
    return row[0], row[1], row[2], row[3]


@exit_offer_taken.connect
def _exit_from_objection(sender: object, *, objection: Objection, actor: Actor) -> None:
    """A school took the exit offered after its objection was not accommodated: its exit case starts.

    The service ends on the change's effective date, or today if that has passed: until then the
    standstill keeps the change out, so the school is never processed under terms it refused.
    """
    if open_case(objection.tenancy) is not None:
        return  # an exit already in progress covers it
    open_exit(
        objection.tenancy,
        actor,
        reason=_(
            "Took the exit offered after the objection to “%(change)s” was not accommodated",
            change=objection.change.title,
        ),
        requested_end_on=max(uk_today(), objection.change.effective_on),
        objection_id=objection.id,
    )


def open_exit(
    tenancy: Tenancy,
    actor: Actor,
    *,
    reason: str,
    requested_end_on: dt.date,
    objection_id: int | None = None,
    export_formats: Sequence[str] | None = None,
) -> ExitCase:
    """Open an exit: a school asks to end the service on a date, or takes the exit offered after an objection.

    Deadlines come from the text version of the agreement the tenancy signed; the places data must be
    deleted from are the vendor's platform and every sub-processor in its effective set today.
    `export_formats` None means every format offered (what an exit from an objection asks for).
    """
    from portal.register.effective import effective_set

    if not reason.strip():
        raise ExitError(_("Enter why you are ending the service"), "reason")
    today = uk_today()
    if requested_end_on < today:
        raise ExitError(_("The date to end the service must be today or later"), "requested_end_on")
    formats = list(EXPORT_FORMATS) if export_formats is None else [f for f in export_formats if f in EXPORT_FORMATS]
    if open_case(tenancy) is not None:
        raise ExitError(_("%(school)s already has an exit in progress.", school=tenancy.name))
    agreement, version_number, export_days, deletion_days = _terms(tenancy)
    case = ExitCase(
        tenancy_id=tenancy.id,
        state=ExitState.REQUESTED,
        reason=reason.strip(),
        requested_end_on=requested_end_on,
        objection_id=objection_id,
        opened_at=now(),
        opened_by_id=actor.user_id,
        opened_by_label=actor.label,
        agreement_id=agreement.id if agreement else None,
        text_version_number=version_number,
        export_days=export_days,
        deletion_days=deletion_days,
        export_formats=formats,
        export_due_on=today + dt.timedelta(days=export_days),
    )
    places = [(("", current_app.config["VENDOR_LEGAL_ENTITY"], _("The service's own platform and its backups")))]
    places += [(line.entry.key, line.entry.supplier, line.entry.purpose) for line in effective_set(tenancy).included]
    case.deletions = [
        ExitDeletion(position=i, entry_key=key, supplier=supplier, what=what)
        for i, (key, supplier, what) in enumerate(places)
    ]
    try:
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        raise ExitError(_("%(school)s already has an exit in progress.", school=tenancy.name)) from None
    case.tenancy = tenancy
    note = reason.strip()
    if objection_id is not None:
        note = _("Exit taken after an objection was not accommodated. %(reason)s", reason=note)
    _step(case, ExitStepKind.REQUESTED, actor, note)
    return case


def withdraw_exit(case: ExitCase, *, reason: str, actor: Actor) -> None:
    """The school withdraws its exit before the service ends; the case is kept, marked withdrawn."""
    if not reason.strip():
        raise ExitError(_("Enter why you are withdrawing"), "reason")
    check_transition(case.state, ExitState.WITHDRAWN)
    case.state, case.withdrawn_at, case.withdrawn_reason = ExitState.WITHDRAWN, now(), reason.strip()
    db.session.flush()
    _step(case, ExitStepKind.WITHDRAWN, actor, reason.strip())


def record_export(case: ExitCase, *, method: str, delivered_on: dt.date, sha256: str = "", actor: Actor) -> None:
    """Vendor staff record how and when the export was delivered, with the file's checksum if a file."""
    if not case.wants_export:
        raise ExitError(_("This exit asked for no export."))
    if not method.strip():
        raise ExitError(_("Enter how the export was delivered"), "method")
    digest = sha256.strip().lower()
    if digest and not SHA256.match(digest):
        raise ExitError(_("Enter the SHA-256 as 64 hexadecimal characters"), "sha256")
    if delivered_on > uk_today():
        raise ExitError(_("The delivery date must be today or in the past"), "delivered_on")
    check_transition(case.state, ExitState.EXPORT_DELIVERED)
    case.state, case.export_method, case.export_sha256 = ExitState.EXPORT_DELIVERED, method.strip(), digest or None
    case.export_delivered_at, case.export_delivered_on = now(), delivered_on
    db.session.flush()
    note = _("%(method)s, on %(day)s.", method=method.strip(), day=govuk_date(delivered_on))
    if digest:
        note += " " + _("SHA-256 %(digest)s", digest=digest)
    _step(case, ExitStepKind.EXPORT_DELIVERED, actor, note)


def end_service(case: ExitCase, *, ended_on: dt.date, actor: Actor) -> None:
    """Record the service's end; deletion is then due within the agreement's period."""
    if case.wants_export and case.state is ExitState.REQUESTED:
        raise ExitError(_("Deliver the export the school asked for before ending the service."))
    if ended_on > uk_today():
        raise ExitError(_("The date the service ended must be today or in the past"), "ended_on")
    check_transition(case.state, ExitState.SERVICE_ENDED)
    case.state, case.service_ended_on = ExitState.SERVICE_ENDED, ended_on
    case.deletion_due_on = ended_on + dt.timedelta(days=case.deletion_days)
    db.session.flush()
    _step(
        case,
        ExitStepKind.SERVICE_ENDED,
        actor,
        _(
            "Service ended on %(day)s. Deletion is due by %(due)s.",
            day=govuk_date(ended_on),
            due=govuk_date(case.deletion_due_on),
        ),
    )


def confirm_deletion_at(
    case: ExitCase, deletion: ExitDeletion, *, confirmed_on: dt.date, note: str, actor: Actor
) -> None:
    """Staff confirm deletion at one place (the platform or one sub-processor), with the date."""
    if case.state is not ExitState.SERVICE_ENDED:
        raise ExitError(_("Deletion is confirmed after the service has ended."))
    if deletion.exit_id != case.id:
        raise ExitError(_("That place is not part of this exit."))
    if deletion.confirmed_on is not None:
        raise ExitError(_("Deletion at %(place)s is already confirmed.", place=deletion.supplier))
    if (case.service_ended_on and confirmed_on < case.service_ended_on) or confirmed_on > uk_today():
        raise ExitError(_("The date must be between the end of the service and today"), "confirmed_on")
    deletion.confirmed_on, deletion.confirmed_by_label, deletion.note = confirmed_on, actor.label, note.strip()
    db.session.flush()
    _step(
        case,
        ExitStepKind.DELETED_AT,
        actor,
        _("%(place)s: deleted on %(day)s.", place=deletion.supplier, day=govuk_date(confirmed_on))
        + (f" {note.strip()}" if note.strip() else ""),
        mail=False,
    )


def confirm_deletion(case: ExitCase, *, actor: Actor) -> object:
    """Every place confirmed: close the exit and issue the sealed deletion certificate."""
    from portal.exits.certificate import issue_certificate

    waiting = [d.supplier for d in case.deletions if d.confirmed_on is None]
    if waiting:
        raise ExitError(_("Confirm deletion at every place first: %(places)s.", places=", ".join(waiting)))
    check_transition(case.state, ExitState.DELETION_CONFIRMED)
    case.state, case.deletion_confirmed_at = ExitState.DELETION_CONFIRMED, now()
    db.session.flush()
    certificate = issue_certificate(case, actor=actor)
    _step(case, ExitStepKind.DELETION_CONFIRMED, actor, _("Certificate %(ref)s issued.", ref=certificate.reference))
    return certificate


def overdue(case: ExitCase, today: dt.date | None = None) -> list[str]:
    """The steps of an open exit past their deadline."""
    today = today or uk_today()
    late = []
    if case.state is ExitState.REQUESTED and case.wants_export and case.export_due_on < today:
        late.append(_("export due %(day)s", day=govuk_date(case.export_due_on)))
    if case.state is ExitState.SERVICE_ENDED and case.deletion_due_on and case.deletion_due_on < today:
        late.append(_("deletion due %(day)s", day=govuk_date(case.deletion_due_on)))
    return late


def _step(case: ExitCase, kind: ExitStepKind, actor: Actor, note: str, *, mail: bool = True) -> ExitStep:
    step = ExitStep(exit_id=case.id, kind=kind, at=now(), actor_id=actor.user_id, actor_label=actor.label, note=note)
    db.session.add(step)
    db.session.flush()
    db.session.expire(case, ["steps"])
    record(
        f"exit.{kind.value}",
        actor=actor,
        tenancy_id=case.tenancy_id,
        object_type="exit_case",
        object_id=case.id,
        details={"state": case.state.value, "note": note[:500]},
    )
    if mail:
        _mail(case, step)
    return step


def _mail(case: ExitCase, step: ExitStep) -> None:
    from portal.changes.objection_mail import lead_addresses
    from portal.notify.outbox import enqueue
    from portal.notify.tokens import mail_url

    tenancy = case.tenancy
    path = current_app.url_map.bind("localhost").build("exits.exit_case", {"tenancy": tenancy.slug})
    with written_in(tenancy.language):  # its mail in its language (#29)
        text = render_template("exits/step_mail.txt", case=case, step=step, tenancy=tenancy, link=mail_url(path))
        subject = _("Ending the service for %(school)s: %(step)s", school=tenancy.name, step=step.kind.label.lower())
    for address in lead_addresses(tenancy):
        enqueue(to=address, subject=subject, text=text, category=MAIL_CATEGORY, reference=f"exit:{case.id}:{step.id}")
