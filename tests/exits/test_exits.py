"""Exit cases: deadlines from the signed text, each step, overdue, withdrawal, and the sealed certificate."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from portal.audit.service import Actor
from portal.dates import uk_today
from portal.documents.models import DpaTextVersion
from portal.documents.verify import Verdict, verify_pdf
from portal.exits import service
from portal.exits.models import DeletionCertificate, ExitCase
from portal.exits.states import ExitState, IllegalTransition
from portal.exits.tiles import overdue_exits
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Role
from tests.factories import agreement_row, make_school, make_user
from tests.incidents.builders import register, set_option

STAFF = Actor.system("Sam Staff")
TODAY = uk_today()


def signed(tenancy, *, export_days=14, deletion_days=60, number=7):
    """A signed agreement row whose text version promises these exit terms."""
    version = DpaTextVersion(
        number=number,
        content="{}",
        sha256="0" * 64,
        summary="Exit terms",
        export_days=export_days,
        deletion_days=deletion_days,
    )
    db.session.add(version)
    db.session.flush()
    return agreement_row(tenancy, version, signed_at=version.published_at, signer_name="Helen Ward", filename="a.pdf")


@pytest.fixture
def school(app):
    options = register()
    school = make_school("Oakfield Primary")
    make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD, email="olu@oakfield.example")
    set_option(school, options["fallback"], False, service.now())
    return school


def _open(school, formats=("csv",)):
    return service.open_exit(
        school,
        Actor.system("Olu Lead"),
        reason="Moving provider.",
        requested_end_on=TODAY + dt.timedelta(days=30),
        export_formats=list(formats),
    )


def test_deadlines_come_from_the_signed_text_version_and_places_from_the_effective_set(app, school):
    agreement = signed(school, export_days=14, deletion_days=60)
    case = _open(school)
    assert (case.agreement_id, case.text_version_number) == (agreement.id, 7)
    assert case.export_due_on == TODAY + dt.timedelta(days=14)
    # The platform, then the school's effective set: the host, not the switched-off fallback nor unused speech.
    assert [d.supplier for d in case.deletions] == [app.config["VENDOR_LEGAL_ENTITY"], "Hostwell Cloud Ltd"]
    service.record_export(case, method="Secure link", delivered_on=TODAY, sha256="A" * 64, actor=STAFF)
    service.end_service(case, ended_on=TODAY, actor=STAFF)
    assert case.deletion_due_on == TODAY + dt.timedelta(days=60)
    mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.category == "exit")))
    assert len(mails) == 3 and all(m.recipient == "olu@oakfield.example" for m in mails)


def test_without_a_signed_agreement_the_standard_terms_apply(app, school):
    case = _open(school)
    assert case.agreement_id is None and (case.export_days, case.deletion_days) == (30, 90)


def test_one_open_exit_per_school_and_a_withdrawn_one_is_kept(app, school):
    case = _open(school)
    with pytest.raises(service.ExitError, match="already has an exit"):
        _open(school)
    service.withdraw_exit(case, reason="Staying after all.", actor=Actor.system("Olu Lead"))
    assert case.state is ExitState.WITHDRAWN and case.withdrawn_reason == "Staying after all."
    again = _open(school)
    assert db.session.scalar(select(db.func.count(ExitCase.id))) == 2 and again.is_open


def test_an_exit_taken_from_an_objection_asks_for_every_export_format(app, school):
    case = service.open_exit(school, STAFF, reason="Exit offer taken.", requested_end_on=TODAY, objection_id=42)
    assert case.objection_id == 42 and set(case.export_formats) == set(service.EXPORT_FORMATS)
    assert "objection was not accommodated" in case.steps[0].note


def test_steps_out_of_order_or_bad_input_are_refused_and_change_nothing(app, school):
    case = _open(school)
    with pytest.raises(service.ExitError, match="Deliver the export"):
        service.end_service(case, ended_on=TODAY, actor=STAFF)
    with pytest.raises(service.ExitError, match="64 hexadecimal"):
        service.record_export(case, method="Link", delivered_on=TODAY, sha256="not-a-hash", actor=STAFF)
    with pytest.raises(service.ExitError):
        service.open_exit(school, STAFF, reason="", requested_end_on=TODAY)
    with pytest.raises(service.ExitError, match="after the service has ended"):
        service.confirm_deletion_at(case, case.deletions[0], confirmed_on=TODAY, note="", actor=STAFF)
    assert case.state is ExitState.REQUESTED
    service.record_export(case, method="Link", delivered_on=TODAY, actor=STAFF)
    service.end_service(case, ended_on=TODAY, actor=STAFF)
    with pytest.raises(IllegalTransition):
        service.withdraw_exit(case, reason="Too late", actor=STAFF)
    with pytest.raises(service.ExitError, match="every place"):
        service.confirm_deletion(case, actor=STAFF)


def test_overdue_steps_show_on_the_vendor_console(app, school):
    case = _open(school)
    assert overdue_exits().count == 0
    case.export_due_on = TODAY - dt.timedelta(days=1)
    db.session.flush()
    assert overdue_exits().count == 1 and service.overdue(case)


def test_the_certificate_is_sealed_and_verify_calls_it_a_certificate_not_an_agreement(signing_app, school):
    signed(school)
    case = _open(school, formats=())
    service.end_service(case, ended_on=TODAY, actor=STAFF)
    for place in case.deletions:
        service.confirm_deletion_at(case, place, confirmed_on=TODAY, note="Backups expired.", actor=STAFF)
    certificate = service.confirm_deletion(case, actor=STAFF)
    stored = db.session.scalar(select(DeletionCertificate))
    assert stored is certificate and case.state is ExitState.DELETION_CONFIRMED
    pdf = stored.pdf
    assert hashlib.sha256(pdf).hexdigest() == stored.sha256
    result = verify_pdf(pdf, signing_app.config)
    assert result.verdict is Verdict.GENUINE and result.agreement is None and result.document is stored
    assert "certificate" in result.explanation and "not an agreement" in result.explanation
    tampered = pdf.replace(b"Oakfield Primary", b"Oakfield Primarz", 1)
    assert verify_pdf(tampered, signing_app.config).verdict is not Verdict.GENUINE
