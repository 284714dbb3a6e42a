"""Confirmations: the platform says when it applied an option setting or an exclusion (#27)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.extensions import db
from portal.register.models import TenancyExclusion, TenancyOptionSetting
from portal.register.options import set_option
from tests.factories import make_school


def _setting(school) -> TenancyOptionSetting:
    return db.session.scalar(
        select(TenancyOptionSetting)
        .where(TenancyOptionSetting.tenancy_id == school.id)
        .execution_options(populate_existing=True)
    )


def _confirm(client, token, school, **body):
    return client.post(f"/api/v1/tenancies/{school.slug}/confirmations", json=body, headers=token)


def test_a_confirmation_records_the_applied_time_and_is_audited(client, confirm_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    db.session.commit()
    applied = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = _confirm(
        client, confirm_token, school, kind="option", option="azure-fallback", version=1, applied_at=applied.isoformat()
    )
    assert response.status_code == 200, response.json
    assert _setting(school).applied_at == applied
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.option_applied"))
    assert event.tenancy_id == school.id and "service token" in event.actor_label

    # A new request resets it: the platform must apply and confirm the new version.
    set_option(school, azure_fallback, True, expected_version=1, actor=Actor.system("test"))
    db.session.commit()
    assert _setting(school).applied_at is None
    stale = _confirm(
        client, confirm_token, school, kind="option", option="azure-fallback", version=1, applied_at=applied.isoformat()
    )
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert _setting(school).applied_at is None


def test_confirmations_that_cannot_be_true_are_refused_and_change_nothing(client, confirm_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    db.session.commit()
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    past = "2020-01-01T00:00:00+00:00"
    for body, status in (
        ({"kind": "option", "option": "azure-fallback", "version": 1, "applied_at": future}, 422),
        ({"kind": "option", "option": "azure-fallback", "version": 1, "applied_at": past}, 422),
        ({"kind": "option", "option": "azure-fallback", "version": 1, "applied_at": "2026-12-06T10:00"}, 422),
        ({"kind": "option", "option": "no-such-option", "version": 1, "applied_at": past}, 404),
        ({"kind": "exclusion", "entry": "no-such-entry", "applied_at": past}, 404),
        ({"kind": "something"}, 422),
    ):
        response = _confirm(client, confirm_token, school, **body)
        assert response.status_code == status, (body, response.json)
        assert response.mimetype == "application/problem+json"
    assert _setting(school).applied_at is None
    not_json = client.post(f"/api/v1/tenancies/{school.slug}/confirmations", data="x", headers=confirm_token)
    assert not_json.status_code == 400


def test_an_exclusion_can_be_confirmed(client, confirm_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    db.session.add(TenancyExclusion(tenancy_id=school.id, entry_key="azure-openai", reason="Objection accommodated"))
    db.session.commit()
    applied = dt.datetime.now(dt.UTC).isoformat()
    response = _confirm(client, confirm_token, school, kind="exclusion", entry="azure-openai", applied_at=applied)
    assert response.status_code == 200 and response.json["entry"] == "azure-openai"
    read = client.get(f"/api/v1/tenancies/{school.slug}", headers=confirm_token).json
    assert read["exclusions"][0]["applied_at"] is not None


def test_a_read_token_cannot_confirm(client, read_token, azure_fallback):
    school = make_school("Meadowbank Primary")
    response = _confirm(client, read_token, school, kind="exclusion", entry="x", applied_at="2026-12-06T10:00:00Z")
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_the_school_sees_requested_then_applied(client_request, client, confirm_token, azure_fallback):
    from portal.tenancy.models import Role
    from tests.factories import make_user

    school = make_school("Meadowbank Primary")
    lead = make_user("Meadowbank Lead", tenancy=school, role=Role.DATA_LEAD)
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    db.session.commit()
    client_request.sign_in(lead)
    options = client_request.get("tenancy_register.options", tenancy=school.slug)
    assert "waiting for Larkspur Learning's platform to apply it" in options.select_one("#applied-azure-fallback").text
    line = client_request.client.get(f"/t/{school.slug}/sub-processors.json").json
    azure = next(x for x in line["lines"] if x["key"] == "azure-openai")
    assert "waiting for Larkspur Learning's platform" in azure["reason"]

    applied = dt.datetime.now(dt.UTC).isoformat()
    body = {"kind": "option", "option": "azure-fallback", "version": 1, "applied_at": applied}
    assert _confirm(client, confirm_token, school, **body).status_code == 200
    options = client_request.get("tenancy_register.options", tenancy=school.slug)
    assert options.select_one("#applied-azure-fallback").text.strip().startswith("Applied on")
    line = client_request.client.get(f"/t/{school.slug}/sub-processors.json").json
    azure = next(x for x in line["lines"] if x["key"] == "azure-openai")
    assert "Applied on" in azure["reason"] and "waiting" not in azure["reason"]


def test_vendor_staff_confirm_by_hand_where_no_platform_is_connected(client_request, vendor_staff, azure_fallback):
    school = make_school("Meadowbank Primary")
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.system("test"))
    db.session.commit()
    client_request.sign_in(vendor_staff)
    page = client_request.get("applying.index")
    assert "Meadowbank Primary" in page.get_text()
    client_request.post("applying.confirm_setting", setting_id=_setting(school).id)
    assert _setting(school).applied_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.option_applied"))
    assert event.actor_id == vendor_staff.id
    assert "Nothing is waiting" in client_request.get("applying.index").get_text()
