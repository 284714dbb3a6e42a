"""Notices, updates, closing, acknowledgements and reminders; the mail leaves through the real SMTP sink."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.dates import now, uk_today
from portal.extensions import db
from portal.incidents import school_side, service
from portal.incidents.models import Incident, IncidentTenancy
from portal.incidents.states import IllegalTransition, IncidentState
from portal.notify.models import OutboxMessage
from portal.notify.worker import deliver_due
from portal.tenancy.models import Role
from tests.changes.test_controllers import sign
from tests.factories import make_school, make_trust, make_user
from tests.incidents.builders import ART33, last_week, open_incident, register, set_option, uk_morning

ADMIN = Actor.system("Ada Admin")


@pytest.fixture
def schools(app):
    options = register()
    start, _ = last_week()
    trust = make_trust("Northern Trust")
    academy = make_school("Aurora Academy", trust=trust)
    maintained = make_school("Oakfield Primary")
    spared = make_school("Meadowbank Primary")
    set_option(spared, options["fallback"], False, uk_morning(start - dt.timedelta(days=60)))
    people = {
        "academy_lead": make_user("Ann Lead", tenancy=academy, role=Role.DATA_LEAD, email="ann@aurora.example"),
        "trust_admin": make_user("Tom Admin", tenancy=trust, role=Role.TRUST_ADMIN, email="tom@trust.example"),
        "oak_lead": make_user("Olu Lead", tenancy=maintained, role=Role.DATA_LEAD, email="olu@oakfield.example"),
        "oak_viewer": make_user("Vic Viewer", tenancy=maintained, role=Role.VIEWER, email="vic@oakfield.example"),
        "spared_lead": make_user("Grace Moyo", tenancy=spared, role=Role.DATA_LEAD, email="grace@meadowbank.example"),
    }
    return {"trust": trust, "academy": academy, "maintained": maintained, "spared": spared, **people}


def test_the_notice_mails_each_affected_schools_people_naming_their_school(app, schools, mail_sink):
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN)
    db.session.commit()
    assert deliver_due().sent >= 3
    by_address: dict[str, list] = {}
    for message in mail_sink.messages:
        for address in message.recipients:
            by_address.setdefault(address, []).append(message)
    assert "grace@meadowbank.example" not in by_address  # fallback off before the period
    assert "vic@oakfield.example" not in by_address  # viewers are not sent notices
    oak = by_address["olu@oakfield.example"][0]
    assert oak.subject.startswith("Personal data breach notice for Oakfield Primary")
    assert f"/t/{schools['maintained'].slug}/incidents/{incident.id}" in oak.text
    assert "Microsoft Azure OpenAI" in oak.text
    # The trust admin hears about the academy by name (and about the trust itself, also a tenancy).
    subjects = {m.subject for m in by_address["tom@trust.example"]}
    assert any("Aurora Academy" in s for s in subjects)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.notified"))
    assert event.details["within_72_hours"] is True


def test_the_notice_contact_named_in_a_signed_agreement_is_told_too(app, schools, mail_sink):
    """A school whose agreement names a contact for notices hears through it, data lead or not (#23)."""
    bramble = make_school("Bramble Hill Primary")  # signed, no data lead in the portal
    sign(bramble, contact="Office@BrambleHill.example")
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN)
    db.session.commit()
    deliver_due()
    told = {address for message in mail_sink.messages for address in message.recipients}
    assert "office@bramblehill.example" in told
    bramble_mail = next(m for m in mail_sink.messages if "office@bramblehill.example" in m.recipients)
    assert bramble_mail.subject.startswith("Personal data breach notice for Bramble Hill Primary")
    assert "olu@oakfield.example" in told


def test_no_notice_without_the_article_33_contents_and_nothing_changes(app, schools):
    art33 = dict(ART33, consequences=("", ""), measures=("", "  "))
    incident = open_incident(art33=art33)
    with pytest.raises(service.IncidentError, match="likely consequences; the measures"):
        service.publish_notice(incident, actor=ADMIN)
    assert incident.state is IncidentState.DRAFT
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_not_yet_known_with_a_reason_is_enough_for_the_first_notice(app, schools):
    incident = open_incident()  # consequences: not yet known, with a reason
    service.publish_notice(incident, actor=ADMIN)
    assert incident.state is IncidentState.NOTIFIED


def test_updates_and_closing_are_dated_entries_each_mailed_in_the_same_transaction(app, schools):
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN)
    before = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    service.post_update(incident, text="The supplier confirms nothing was downloaded.", actor=ADMIN)
    after_update = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    assert after_update == 2 * before
    service.close_incident(incident, outcome="Contained; low risk.", actor=ADMIN)
    assert [e.kind.value for e in incident.entries] == ["opened", "notified", "update", "closed"]
    assert [e.kind.value for e in incident.public_entries] == ["notified", "update", "closed"]
    with pytest.raises(service.IncidentError):
        service.post_update(incident, text="Too late", actor=ADMIN)
    with pytest.raises(IllegalTransition):
        service.close_incident(incident, outcome="Again", actor=ADMIN)


def test_acknowledgement_is_recorded_once_with_who_and_when(app, schools):
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN)
    row = school_side.acknowledge(incident, schools["maintained"], actor=Actor.of(schools["oak_lead"]))
    first = row.acknowledged_at
    again = school_side.acknowledge(incident, schools["maintained"], actor=Actor.of(schools["trust_admin"]))
    assert again.acknowledged_at == first and again.acknowledged_by_label == "Olu Lead"
    with pytest.raises(service.IncidentError):
        school_side.acknowledge(incident, schools["spared"], actor=Actor.of(schools["spared_lead"]))


def test_the_vendor_sees_who_has_not_acknowledged_after_24_hours_and_reminds_only_them(app, schools):
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN, at=now() - dt.timedelta(hours=2))
    assert db.session.execute(school_side.unacknowledged_query(incident)).all() == []  # too early
    with pytest.raises(service.IncidentError):
        school_side.remind(incident, actor=ADMIN)
    db.session.execute(update(Incident).values(notified_at=now() - dt.timedelta(hours=25)))
    db.session.expire_all()
    school_side.acknowledge(incident, schools["maintained"], actor=Actor.of(schools["oak_lead"]))
    waiting = {row.name for row in db.session.execute(school_side.unacknowledged_query(incident))}
    assert waiting == {"Aurora Academy", "Northern Trust"}
    assert school_side.remind(incident, actor=ADMIN) == 2
    reminders = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.reference.like("%:reminder"))))
    assert reminders and all(m.recipient != "olu@oakfield.example" for m in reminders)
    assert all(m.subject.startswith("Please acknowledge") for m in reminders)


def test_a_school_added_after_the_notice_is_sent_the_notice_at_once(app, schools):
    incident = open_incident()
    service.publish_notice(incident, actor=ADMIN)
    service.add_tenancy(incident, schools["spared"], reason="Its staff used a trial account.", actor=ADMIN)
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "grace@meadowbank.example"))
    assert sent is not None and "Its staff used a trial account." in sent.body_text
    with pytest.raises(service.IncidentError, match="stay on the list"):
        service.remove_tenancy(incident, schools["spared"].id, reason="Oops", actor=ADMIN)


def test_a_school_reports_a_suspected_incident_into_the_vendors_queue_with_its_own_clock(app, schools):
    reporter = Actor.of(schools["oak_lead"])
    incident = school_side.report_suspected(
        schools["maintained"],
        what="A parent saw another child's report.",
        noticed_on=uk_today(),
        contact="Olu",
        actor=reporter,
    )
    assert incident.state is IncidentState.REPORTED and now() - incident.aware_at < dt.timedelta(minutes=1)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.reference == f"incident-report:{incident.id}"))
    assert mail.recipient == app.config["VENDOR_SECURITY_EMAIL"] and "Oakfield Primary" in mail.subject
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "incident.reported")) is not None
    with pytest.raises(service.IncidentError):
        school_side.report_suspected(schools["maintained"], what="", noticed_on=uk_today(), contact="x", actor=reporter)
    service.accept_report(incident, actor=ADMIN)
    assert incident.state is IncidentState.DRAFT
    rows = list(db.session.scalars(select(IncidentTenancy).where(IncidentTenancy.incident_id == incident.id)))
    assert [r.tenancy_id for r in rows] == [schools["maintained"].id]
