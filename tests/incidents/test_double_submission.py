"""An update sent twice goes out once; of two closings at once only one closes (PostgreSQL for the race)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.auth.models import VendorRole
from portal.extensions import db
from portal.incidents import service
from portal.incidents.models import Incident, IncidentEntry
from portal.incidents.states import EntryKind
from portal.notify.models import OutboxMessage
from portal.tenancy.models import Role
from tests.factories import make_school, make_user, signed_in_form
from tests.incidents.builders import open_incident, register

THREADS = 8


def _notified() -> Incident:
    """A notified incident concerning one school whose data lead is mailed."""
    register()
    school = make_school("Oakfield Primary")
    make_user("Olu Lead", tenancy=school, role=Role.DATA_LEAD, email="olu@oakfield.example")
    incident = open_incident()
    service.publish_notice(incident, actor=Actor.system("Ada Admin"))
    db.session.commit()
    return incident


def _entries(incident_id: int, kind: EntryKind) -> int:
    query = select(func.count(IncidentEntry.id)).where(
        IncidentEntry.incident_id == incident_id, IncidentEntry.kind == kind
    )
    return int(db.session.scalar(query) or 0)


def _messages() -> int:
    return int(db.session.scalar(select(func.count(OutboxMessage.id))) or 0)


def test_the_same_update_form_sent_twice_posts_and_mails_once(client_request, vendor_staff):
    incident = _notified()
    client_request.sign_in(vendor_staff)
    page = client_request.get("incidents_admin.incident", incident_id=incident.id)
    key = page.select_one("input[name='update-submission_key']")["value"]
    data = {"update-submission_key": key, "update-text": "The supplier confirms nothing was downloaded."}
    before = _messages()
    back = f"/vendor/incidents/{incident.id}"
    for _ in range(2):
        client_request.post("incidents_admin.post_update", data, incident_id=incident.id, _redirect_to=back)
    assert _entries(incident.id, EntryKind.UPDATE) == 1
    assert _messages() == before + 1
    # A fresh form (a new key) is a new update.
    page = client_request.get("incidents_admin.incident", incident_id=incident.id)
    data["update-submission_key"] = page.select_one("input[name='update-submission_key']")["value"]
    client_request.post("incidents_admin.post_update", data, incident_id=incident.id)
    assert _entries(incident.id, EntryKind.UPDATE) == 2


def test_an_update_with_a_malformed_key_is_refused_and_sends_nothing(client_request, vendor_staff):
    incident = _notified()
    client_request.sign_in(vendor_staff)
    before = _messages()
    data = {"update-submission_key": "not a key!", "update-text": "An update."}
    page = client_request.post("incidents_admin.post_update", data, incident_id=incident.id, _expected_status=400)
    assert "nothing was sent" in page.get_data(as_text=True)
    assert _entries(incident.id, EntryKind.UPDATE) == 0 and _messages() == before


def _send_at_once(url: str, cookies: dict[str, str], data: dict[str, str]) -> list[int]:
    """POST the same form from THREADS threads released together; the status codes, sorted."""
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def send() -> None:
        with requests.Session() as http:
            barrier.wait()
            response = http.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=30)
            statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


@pytest.fixture
def live_incident(live_app: Flask, live_server: Any) -> tuple[str, Incident, dict[str, str], str]:
    """On PostgreSQL: a notified incident's URL on the live server, and a signed-in staff member's cookies and token."""
    if not live_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrent writers are a PostgreSQL test (SQLite serialises every writer)")
    incident = _notified()
    staff = make_user("Sam Staff", vendor_role=VendorRole.STAFF)
    db.session.commit()
    cookies, token = signed_in_form(live_app, staff)
    return f"{live_server.url}/vendor/incidents/{incident.id}", incident, cookies, token


def test_one_update_form_sent_many_times_at_once_posts_and_mails_once(live_incident):
    url, incident, cookies, token = live_incident
    before = _messages()
    data = {"csrf_token": token, "update-submission_key": "k" * 32, "update-text": "Nothing was downloaded."}

    statuses = _send_at_once(f"{url}/updates", cookies, data)

    assert statuses == [302] * THREADS
    db.session.remove()
    assert _entries(incident.id, EntryKind.UPDATE) == 1
    assert _messages() == before + 1


def test_many_closings_at_once_close_the_incident_once(live_incident):
    url, incident, cookies, token = live_incident
    before = _messages()
    data = {"csrf_token": token, "close-outcome": "Contained; low risk."}

    statuses = _send_at_once(f"{url}/close", cookies, data)

    assert statuses == [302] + [400] * (THREADS - 1)
    db.session.remove()
    assert _entries(incident.id, EntryKind.CLOSED) == 1
    assert _messages() == before + 1
    closed = select(func.count(AuditEvent.id)).where(AuditEvent.action == "incident.closed")
    assert db.session.scalar(closed) == 1
