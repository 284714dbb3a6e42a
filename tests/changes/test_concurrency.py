"""Exactly one objection per tenancy per change, however many times the form is sent at once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.changes.models import Objection, ObjectionStep
from portal.extensions import db
from portal.notify.models import OutboxMessage
from tests.changes.builders import announced
from tests.factories import make_school, make_user, signed_in_form

THREADS = 12


def test_many_concurrent_sends_lodge_exactly_one_objection(live_app, live_server):
    if not live_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrent writers are a PostgreSQL test (SQLite serialises every writer)")
    school = make_school("Concurrent Primary")
    lead = make_user("Con Lead", tenancy=school)
    change = announced()
    db.session.commit()
    cookies, token = signed_in_form(live_app, lead)
    url = f"{live_server.url}/t/{school.slug}/changes/{change.id}/object"
    barrier = threading.Barrier(THREADS)
    results: list[tuple[int, str]] = []

    def send() -> None:
        with requests.Session() as http:
            barrier.wait()
            response = http.post(
                url,
                data={"csrf_token": token, f"change-{change.id}-grounds": "Not assessed"},
                cookies=cookies,
                allow_redirects=False,
                timeout=30,
            )
            results.append((response.status_code, response.text))

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _ in results)
    assert statuses == [302] + [400] * (THREADS - 1)
    assert all("has already objected to this change" in text for status, text in results if status == 400)
    db.session.remove()
    assert db.session.scalar(select(func.count(Objection.id))) == 1
    assert db.session.scalar(select(func.count(ObjectionStep.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.category == "objection")) == 1
    refused = db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "objection.refused"))
    assert refused == THREADS - 1
