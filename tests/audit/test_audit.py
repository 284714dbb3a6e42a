"""The audit log: append-only in the database, pruned only past retention, and who may read what."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from portal.audit import service as audit
from portal.audit.cli import prune
from portal.audit.models import AuditEvent, Outcome
from portal.auth.models import VendorRole
from portal.dates import now
from portal.extensions import db
from tests.factories import make_user


def add_event(
    action: str,
    *,
    age: dt.timedelta = dt.timedelta(0),
    tenancy_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
) -> AuditEvent:
    event = audit.record(action, actor=audit.Actor.system(), tenancy_id=tenancy_id, outcome=outcome)
    if age:
        # Written directly as an old row (inserts are allowed; only updates and recent deletes are refused).
        event = AuditEvent(
            action=action, actor_label="system", outcome=outcome, tenancy_id=tenancy_id, occurred_at=now() - age
        )
        db.session.add(event)
        db.session.flush()
    return event


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_database_refuses_to_change_or_delete_recent_audit_rows(app, statement):
    event = add_event("test.recent")
    query = (
        update(AuditEvent).where(AuditEvent.id == event.id).values(action="tampered")
        if statement == "update"
        else delete(AuditEvent).where(AuditEvent.id == event.id)
    )
    nested = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(query)
    nested.rollback()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "test.recent"


def test_old_rows_cannot_be_updated_either(app):
    event = add_event("test.old", age=dt.timedelta(days=500))
    nested = db.session.begin_nested()
    with pytest.raises(DatabaseError):
        db.session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(reason="x"))
    nested.rollback()


def test_prune_removes_only_rows_older_than_retention(app):
    old = add_event("test.old", age=dt.timedelta(days=400))
    kept = add_event("test.kept", age=dt.timedelta(days=380))
    recent = add_event("test.recent")
    removed = prune(396)
    assert removed == 1
    remaining = set(db.session.scalars(select(AuditEvent.id)))
    assert old.id not in remaining and {kept.id, recent.id} <= remaining


def test_prune_never_keeps_less_than_twelve_months(app):
    with pytest.raises(ValueError, match="at least"):
        prune(300)


def test_prune_command(app):
    add_event("test.old", age=dt.timedelta(days=800))
    result = app.test_cli_runner().invoke(args=["audit", "prune"])
    assert result.exit_code == 0 and "Removed 1 audit rows" in result.output


def test_tenancy_log_shows_only_its_own_events(app, client_request, school, other_school, data_lead):
    add_event("test.mine", tenancy_id=school.id)
    add_event("test.theirs", tenancy_id=other_school.id)
    db.session.commit()
    client_request.sign_in(data_lead)
    text = client_request.get("audit.tenancy_log", tenancy=school.slug).get_text()
    assert "test.mine" in text and "test.theirs" not in text


def test_vendor_log_filters_paginates_and_exports_csv(app, client_request, vendor_staff, school, count_queries):
    for n in range(60):
        add_event(f"test.bulk{n % 2}", tenancy_id=school.id)
    add_event("test.denied", outcome=Outcome.DENIED)
    add_event("=cmd|' /C calc'!A0")
    db.session.commit()
    client_request.sign_in(vendor_staff)
    with count_queries() as counter:
        page = client_request.get("audit_admin.vendor_log", outcome="denied")
    text = page.get_text()
    assert "test.denied" in text and "test.bulk0" not in text
    assert counter.count < 10
    page_one = client_request.get("audit_admin.vendor_log", action="test.bulk")
    assert page_one.select_one(".govuk-pagination")
    response = client_request.client.get("/vendor/audit/export.csv?action=test.bulk1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 30 and {row["action"] for row in rows} == {"test.bulk1"}
    everything = client_request.client.get("/vendor/audit/export.csv").get_data(as_text=True)
    assert "'=cmd" in everything  # a formula is never handed to a spreadsheet as one


def test_viewer_cannot_read_the_audit(app, client, school, viewer):
    from tests.factories import sign_in_client

    db.session.commit()
    sign_in_client(client, viewer)
    assert client.get(f"/t/{school.slug}/audit").status_code == 403
    assert client.get("/vendor/audit").status_code == 403
    make_user("unused")


def test_an_outsiders_name_never_appears_in_a_schools_log(app, client, client_request, school, other_school, data_lead):
    """A denied access by someone of another organisation reads "someone from another organisation" (#18)."""
    from tests.factories import sign_in_client

    outsider = make_user("Oscar Outsider", tenancy=other_school)
    vendor = make_user("Vera Vendor", vendor_role=VendorRole.STAFF)
    audit.record("test.vendor_step", actor=audit.Actor.of(vendor), tenancy_id=school.id)
    db.session.commit()
    sign_in_client(client, outsider)
    assert client.get(f"/t/{school.slug}/").status_code == 404
    client_request.sign_in(data_lead)
    quiet = client_request.get("audit.tenancy_log", tenancy=school.slug).get_text(" ")
    assert "1 refused access attempt is hidden" in quiet and "was refused access" not in quiet
    text = client_request.get("audit.tenancy_log", tenancy=school.slug, denied="1").get_text(" ")
    assert "Someone from another organisation was refused access" in text
    assert "Oscar Outsider" not in text
    assert "Vera Vendor" in text  # the vendor, the school's processor, is named
