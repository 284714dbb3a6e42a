"""The school's pages: its set on a date, its position on each change, answering and withdrawing (#21 items 3-9)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import objections
from portal.changes.models import ChangeKind, Objection
from portal.changes.states import ExitChoice, ObjectionChannel
from portal.dates import now, uk_today
from portal.extensions import db
from portal.tenancy.models import Role
from tests.changes.builders import PLANNED_KEY, announced
from tests.factories import make_school, make_trust, make_user

STAFF = Actor.system("test")


def _json(client_request, tenancy, on, status=200):
    response = client_request.client.get(
        client_request.url("tenancy_register.effective_set_json", tenancy=tenancy.slug, on=on)
    )
    assert response.status_code == status, response.data[:300]
    return json.loads(response.data)


def _line(data):
    return next(line for line in data["lines"] if line["key"] == PLANNED_KEY)


def test_a_set_on_a_date_shows_the_standstill_for_the_objecting_school_only(client_request, school, data_lead):
    change = announced(published_days_ago=2)
    aurora = make_school("Aurora Primary Academy")
    ada = make_user("Ada Lead", tenancy=aurora, role=Role.DATA_LEAD)
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead), at=now())
    day_after = (change.effective_on + dt.timedelta(days=1)).isoformat()
    client_request.sign_in(data_lead)
    held = _line(_json(client_request, school, day_after))
    assert not held["included"] and "awaiting a decision" in held["reason"]
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug, on=day_after)
    assert "awaiting a decision" in page.get_text()
    client_request.sign_in(ada)
    assert _line(_json(client_request, aurora, day_after))["included"]


def test_dates_outside_the_range_answer_a_clear_400(client_request, school, data_lead):
    announced()
    client_request.sign_in(data_lead)
    assert "YYYY-MM-DD" in _json(client_request, school, "next-week", 400)["message"]
    assert "no published register before" in _json(client_request, school, "2001-01-01", 400)["message"]
    far = (uk_today() + dt.timedelta(days=800)).isoformat()
    assert "no later than" in _json(client_request, school, far, 400)["message"]
    page = client_request.get("tenancy_register.effective_set", _expected_status=400, tenancy=school.slug, on=far)
    assert "no later than" in page.get_text()


def test_a_mail_link_lands_on_the_change_after_sign_in(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)
    response = client_request.client.get(f"/t/{school.slug}/changes?change={change.id}")
    assert response.status_code == 302 and response.location.endswith(f"/t/{school.slug}/changes#change-{change.id}")
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    assert page.find(id=f"change-{change.id}")


def test_a_removal_has_no_objection_form_and_says_no_action_is_needed(client_request, school, data_lead):
    change = announced(kind=ChangeKind.REMOVAL)
    client_request.sign_in(data_lead)
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    card = page.find(id=f"change-{change.id}")
    assert "No action needed: Hostwell Cloud Ltd will stop processing your data on" in card.get_text()
    assert card.find("form") is None


def test_the_position_replaces_the_call_to_object(client_request, school, data_lead):
    change = announced()
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    client_request.sign_in(data_lead)
    card = client_request.get("changes.tenancy_objections", tenancy=school.slug).find(id=f"change-{change.id}")
    assert card.find("form") is None
    assert f"Objection for {school.name}" in card.get_text() and "Awaiting acknowledgement" in card.get_text()


def test_a_trust_chooses_academies_and_the_form_says_what_each_choice_means(client_request):
    trust = make_trust("Northfell Learning Trust")
    _first, second = make_school("Fellside Academy", trust=trust), make_school("Ghyll Academy", trust=trust)
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    change = announced()
    client_request.sign_in(admin)
    page = client_request.get("changes.tenancy_objections", tenancy=trust.slug)
    form = page.find(id=f"change-{change.id}").find("form")
    assert "the trust is the controller" in form.get_text()
    assert "itself" not in form.get_text()  # the trust has signed nothing for its own use
    prefix = f"change-{change.id}"
    client_request.post(
        "changes.lodge",
        {f"{prefix}-grounds": "Ours", f"{prefix}-target": "chosen", f"{prefix}-academies": [second.slug]},
        tenancy=trust.slug,
        change_id=change.id,
    )
    objected = set(db.session.scalars(select(Objection.tenancy_id)))
    assert objected == {second.id}


def test_the_school_answers_the_exit_offer_on_its_page(client_request, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.acknowledge(objection, actor=STAFF)
    objections.not_accommodate(objection, reason="Needed.", actor=STAFF)
    client_request.sign_in(data_lead)
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    assert "If you do not answer by" in page.find(id=f"objection-{objection.id}").get_text()
    client_request.post(
        "changes.answer", {f"answer-{objection.id}-choice": "exit"}, tenancy=school.slug, objection_id=objection.id
    )
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).exit_choice is ExitChoice.EXIT_TAKEN


def test_withdrawing_an_accommodated_objection_asks_first_and_says_what_will_apply(client_request, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    objections.acknowledge(objection, actor=STAFF)
    objections.accommodate(objection, reason="Fine.", actor=STAFF)
    client_request.sign_in(data_lead)
    unconfirmed = client_request.post("changes.withdraw", {}, tenancy=school.slug, objection_id=objection.id)
    assert unconfirmed.location.endswith(f"/objections/{objection.id}/withdraw")
    page = client_request.get("changes.confirm_withdraw", tenancy=school.slug, objection_id=objection.id)
    assert "Quillmark Analytics Ltd will process" in page.get_text()
    client_request.post("changes.withdraw", {"confirmed": "yes"}, tenancy=school.slug, objection_id=objection.id)
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).state.value == "withdrawn"


def test_staff_record_a_written_objection_and_the_school_sees_it(client_request, school, data_lead, vendor_staff):
    change = announced(published_days_ago=1)
    client_request.sign_in(vendor_staff)
    today = uk_today()
    client_request.post(
        "changes_admin.record_objection",
        {
            "organisation": f"URN {school.urn}",
            "channel": "email",
            "received_on": [str(today.day), str(today.month), str(today.year)],
            "sender": "Head teacher, head@school.example",
            "grounds": "We object to Quillmark.",
        },
        notice_id=change.id,
    )
    found = db.session.scalar(select(Objection))
    assert found.channel is ObjectionChannel.EMAIL and found.tenancy_id == school.id
    queue = client_request.get("changes_admin.queue")
    assert "Decide by" in queue.get_text()
    client_request.sign_in(data_lead)
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    assert "By email on" in page.find(id=f"objection-{found.id}").get_text()
    # The grounds are shown once: the lodging step points to them rather than repeating them (#25).
    assert page.find(id=f"objection-{found.id}").get_text().count("We object to Quillmark.") == 1
    assert "the grounds above" in page.find(id=f"objection-{found.id}").get_text()
    client_request.sign_in(vendor_staff)
    staff_page = client_request.get("changes_admin.objection", objection_id=found.id)
    assert staff_page.select_one("main").get_text().count("We object to Quillmark.") == 1


def test_an_open_objection_past_the_effective_date_is_overdue_in_the_queue(client_request, school, vendor_staff):
    change = announced(days_ahead=31, published_days_ago=33)
    letter = objections.WrittenObjection(ObjectionChannel.LETTER, uk_today() - dt.timedelta(days=5), "Head")
    objections.lodge_objection(change, school, grounds="No", actor=STAFF, written=letter)
    client_request.sign_in(vendor_staff)
    assert "Overdue: past the effective date" in client_request.get("changes_admin.queue").get_text()


def test_signing_in_from_a_mail_link_keeps_the_change(client_request, school):
    change = announced()
    response = client_request.client.get(f"/t/{school.slug}/changes?change={change.id}")
    assert response.status_code == 302
    [target] = parse_qs(urlsplit(response.location).query)["next"]
    assert target == f"/t/{school.slug}/changes?change={change.id}"


def test_an_objection_mail_link_leads_to_the_objection(client_request, school, data_lead):
    """An objection's mail links to `?objection=<id>`: the query survives signing in, then the page is at it (#25)."""
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=STAFF)
    db.session.commit()
    response = client_request.client.get(f"/t/{school.slug}/changes?objection={objection.id}")
    [target] = parse_qs(urlsplit(response.location).query)["next"]
    assert target == f"/t/{school.slug}/changes?objection={objection.id}"
    client_request.sign_in(data_lead)
    response = client_request.client.get(target)
    assert response.status_code == 302 and response.location.endswith(f"/changes#objection-{objection.id}")
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    assert page.find(id=f"objection-{objection.id}") is not None


def test_the_set_pages_change_card_shows_the_position_instead_of_the_call_to_object(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)

    def card():
        page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
        return page.find(id="announced-changes").find_next("ul").get_text(" ", strip=True)

    assert "You can object until" in card()
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    text = card()
    assert f"Awaiting acknowledgement Objection for {school.name}" in text and "You can object" not in text
