"""A school's audit log as sentences that link to what they are about, with filters and a CSV export (#25)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from portal.audit import service as audit
from portal.audit.models import AuditEvent, Outcome
from portal.dates import now, uk_today
from portal.extensions import db
from tests.factories import make_user


def record(action, user, tenancy, **fields):
    audit.record(action, actor=audit.Actor.of(user), tenancy_id=tenancy.id, **fields)


def sentences(page) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.select("#events li")]


def test_the_log_reads_as_sentences_linking_to_their_object(client_request, school, data_lead):
    record("agreement.signed", data_lead, school, object_type="Agreement", object_id=7, details={"text_version": 1})
    record("objection.lodged", data_lead, school, object_type="objection", object_id=3)
    record("tenancy.option_changed", data_lead, school, details={"option": "AI fallback", "to": "off"})
    db.session.commit()
    client_request.sign_in(data_lead)
    page = client_request.get("audit.tenancy_log", tenancy=school.slug)
    text = " | ".join(sentences(page))
    name = data_lead.display_name
    assert f"{name} signed the data processing agreement, version 1" in text
    assert f"{name} objected to a change" in text and f"{name} switched “AI fallback” off" in text
    signed = page.find("a", string=f"{name} signed the data processing agreement, version 1")
    assert signed["href"] == f"/t/{school.slug}/agreements"
    objected = page.find("a", string=f"{name} objected to a change")
    assert objected["href"] == f"/t/{school.slug}/changes#objection-3"


def test_filters_by_person_type_and_date_and_exports_what_is_shown(client_request, school, data_lead):
    colleague = make_user("Colm Colleague", tenancy=school)
    record("agreement.signed", data_lead, school, details={"text_version": 2})
    record("dpia.download", colleague, school, details={"format": "docx"})
    old = AuditEvent(
        actor_id=colleague.id,
        actor_label=colleague.display_name,
        tenancy_id=school.id,
        action="auth.sign_in",
        outcome=Outcome.SUCCESS,
        occurred_at=now() - dt.timedelta(days=40),
    )
    db.session.add(old)
    db.session.commit()
    client_request.sign_in(data_lead)
    person_page = client_request.get("audit.tenancy_log", tenancy=school.slug, person=colleague.id)
    by_person = sentences(person_page)
    # The filter shows the person chosen, labelled, with "Anyone" to go back to.
    assert person_page.select_one("#filter-person option[selected]").get_text() == "Colm Colleague"
    assert person_page.select_one("label[for=filter-person]").get_text() == "Person"
    assert person_page.select_one("#filter-person option[value='']").get_text() == "Anyone"
    assert by_person and all("Colm Colleague" in s for s in by_person)
    assert not any("version 2" in s for s in by_person)
    by_type = sentences(client_request.get("audit.tenancy_log", tenancy=school.slug, type="dpia"))
    assert len(by_type) == 1 and "downloaded the DPIA pack (DOCX)" in by_type[0]
    recent = (uk_today() - dt.timedelta(days=7)).isoformat()
    dated = sentences(client_request.get("audit.tenancy_log", tenancy=school.slug, **{"from": recent}))
    assert not any("signed in" in s for s in dated)
    nonsense = client_request.get("audit.tenancy_log", tenancy=school.slug, type="<x>", person="me", to="yesterday")
    assert len(sentences(nonsense)) >= 3  # unknown filter values are ignored, never an error

    response = client_request.client.get(f"/t/{school.slug}/audit/export.csv?type=dpia")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["When (UK time)", "Who", "What happened"]
    assert len(rows) == 2 and rows[1][1] == "Colm Colleague" and "DPIA pack" in rows[1][2]


def test_refused_access_attempts_are_behind_a_filter(client_request, school, data_lead):
    record("agreement.signed", data_lead, school, details={"text_version": 1})
    for _ in range(3):
        audit.record(
            "access.denied",
            actor=audit.Actor.of(data_lead),
            tenancy_id=school.id,
            outcome=Outcome.DENIED,
            object_type="route",
            object_id="/t/x/",
            reason="not a member",
        )
    db.session.commit()
    client_request.sign_in(data_lead)
    page = client_request.get("audit.tenancy_log", tenancy=school.slug)
    assert "3 refused access attempts are hidden." in page.get_text(" ", strip=True)
    assert len(sentences(page)) == 1
    shown = client_request.get("audit.tenancy_log", tenancy=school.slug, denied="1")
    assert sum("was refused access (not a member)" in s for s in sentences(shown)) == 3
