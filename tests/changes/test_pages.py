"""The pages: a school's changes and objections, the vendor's announce form and queue, the public notice."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.changes import objections, service
from portal.changes.models import ChangeNotice, Objection
from portal.changes.states import ObjectionState
from portal.dates import govuk_date, uk_today
from portal.extensions import db
from portal.register.models import TenancyExclusion
from portal.tenancy.models import Role
from tests.changes.builders import PLANNED_KEY, announced, drop_planned, publish_register
from tests.factories import make_school, make_trust, make_user
from tests.pages import check_page, text_of


def _text(page) -> str:
    """The visible text of a parsed page, or of a response (checked as a page first)."""
    if not isinstance(page, BeautifulSoup):
        page = check_page(page.get_data(as_text=True))
    return text_of(page)


def test_school_sees_the_change_and_the_date_it_can_object_until(client_request, school, data_lead):
    change = announced(days_ahead=45)
    client_request.sign_in(data_lead)
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    until = govuk_date(change.effective_on - dt.timedelta(days=1))
    assert f"You can object until {until}" in _text(page)
    assert page.find("form", action=f"/t/{school.slug}/changes/{change.id}/object")


def test_school_lodges_then_sees_its_objection_with_each_step(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)
    client_request.post(
        "changes.lodge", {f"change-{change.id}-grounds": "Not in our DPIA."}, tenancy=school.slug, change_id=change.id
    )
    page = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    text = _text(page)
    assert "Awaiting acknowledgement" in text and "Objection lodged" in text and "Dana Lead" in text
    assert not page.find("form", action=f"/t/{school.slug}/changes/{change.id}/object")
    # Sending the form again gets a clear answer, not a second row.
    again = client_request.post(
        "changes.lodge",
        {f"change-{change.id}-grounds": "Again"},
        _expected_status=400,
        tenancy=school.slug,
        change_id=change.id,
    )
    assert "has already objected to this change" in _text(again)
    assert db.session.scalar(select(func.count(Objection.id))) == 1


def test_empty_grounds_is_a_form_error(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)
    page = client_request.post(
        "changes.lodge",
        {f"change-{change.id}-grounds": " "},
        _expected_status=400,
        tenancy=school.slug,
        change_id=change.id,
    )
    assert check_page(page.get_data(as_text=True)).title.get_text().startswith("Error:")
    assert "Enter your grounds for objecting" in _text(page)


def test_objecting_after_the_window_is_refused_and_only_audited(client_request, school, data_lead):
    change = announced(days_ahead=31, published_days_ago=31)  # takes effect today
    client_request.sign_in(data_lead)
    page = client_request.post(
        "changes.lodge",
        {f"change-{change.id}-grounds": "Late"},
        _expected_status=400,
        tenancy=school.slug,
        change_id=change.id,
    )
    assert "closed at the end of" in _text(page)
    assert db.session.scalar(select(func.count(Objection.id))) == 0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.refused"))


def test_school_withdraws_while_open(client_request, school, data_lead):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="x", actor=Actor.of(data_lead))
    client_request.sign_in(data_lead)
    client_request.post("changes.withdraw", tenancy=school.slug, objection_id=objection.id)
    assert objection.state is ObjectionState.WITHDRAWN


def test_trust_admin_objects_for_all_academies_from_the_trust_page(client_request):
    trust = make_trust()
    academies = [make_school(trust=trust) for _ in range(3)]
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    change = announced()
    client_request.sign_in(admin)
    client_request.post(
        "changes.lodge",
        {f"change-{change.id}-grounds": "All", f"change-{change.id}-target": "all"},
        tenancy=trust.slug,
        change_id=change.id,
    )
    lodged = db.session.scalars(select(Objection.tenancy_id)).all()
    assert sorted(lodged) == sorted(a.id for a in academies)
    page = client_request.get("changes.tenancy_objections", tenancy=trust.slug)
    assert all(a.name in _text(page) for a in academies)


def test_vendor_announces_and_a_short_notice_is_refused(client_request, vendor_staff):
    day = uk_today() + dt.timedelta(days=40)
    publish_register(planned_on=day)
    client_request.sign_in(vendor_staff)
    page = client_request.get("changes_admin.announce")
    assert page.find("select", id="entry_key")
    data = {
        "kind": "addition",
        "entry_key": PLANNED_KEY,
        "replaces_key": "",
        "title": "Adding Quillmark",
        "reason": "Reading analytics.",
    }
    short = uk_today() + dt.timedelta(days=10)
    refused = client_request.post(
        "changes_admin.announce", {**data, "effective_on": short.strftime("%d %m %Y").split()}, _expected_status=400
    )
    assert "after 30 clear days' notice" in _text(refused)
    garbled = client_request.post("changes_admin.announce", {**data, "effective_on": "soon"}, _expected_status=400)
    assert "Enter the date the change takes effect" in _text(garbled)
    unreal = client_request.post(
        "changes_admin.announce", {**data, "effective_on": ["31", "2", "2030"]}, _expected_status=400
    )
    assert "must be a real date" in _text(unreal)
    client_request.post("changes_admin.announce", {**data, "effective_on": day.strftime("%d %m %Y").split()})
    assert db.session.scalar(select(ChangeNotice.title)) == "Adding Quillmark"


def test_vendor_acknowledges_and_accommodates_from_the_objection_page(client_request, school, data_lead, vendor_staff):
    change = announced()
    objection = objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    client_request.sign_in(vendor_staff)
    page = client_request.get("changes_admin.objection", objection_id=objection.id)
    assert "Awaiting acknowledgement" in _text(page)
    # Written for vendor staff, with whom to contact (#25).
    assert "Schools can object until" in _text(page) and "You can object" not in _text(page)
    objector = page.find(id="objector").get_text(" ")
    assert data_lead.display_name in objector and data_lead.email in objector
    client_request.post("changes_admin.acknowledge", objection_id=objection.id)
    missing = client_request.post(
        "changes_admin.decide",
        {"decision": "accommodated", "reason": ""},
        _expected_status=400,
        objection_id=objection.id,
    )
    assert "Enter the reason for your decision" in _text(missing)
    client_request.post(
        "changes_admin.decide", {"decision": "accommodated", "reason": "Agreed."}, objection_id=objection.id
    )
    assert db.session.scalar(select(TenancyExclusion.entry_key)) == PLANNED_KEY
    again = client_request.post(
        "changes_admin.decide",
        {"decision": "not_accommodated", "reason": "Changed mind"},
        _expected_status=400,
        objection_id=objection.id,
    )
    assert "cannot become" in _text(again)


def test_public_notice_page_shows_the_window(client_request):
    change = announced()
    page = client_request.get("changes_public.notice", notice_id=change.id)
    assert f"You can object until {govuk_date(change.effective_on - dt.timedelta(days=1))}" in _text(page)


def _objections(change, n: int) -> None:
    for _ in range(n):
        tenancy = make_school()
        db.session.add(Objection(change_id=change.id, tenancy_id=tenancy.id, grounds="x"))
    db.session.flush()


def test_queue_filters_and_runs_a_constant_number_of_queries(client_request, count_queries, vendor_staff):
    change = announced()
    client_request.sign_in(vendor_staff)
    counts = []
    for n in (3, 40):
        _objections(change, n)
        db.session.expire_all()
        with count_queries() as counter:
            page = client_request.get("changes_admin.queue", change=change.id, state="lodged")
        counts.append(counter.count)
        assert page.find("table")
    assert counts[0] == counts[1]
    # The filters show what was chosen; "Lodged" was not, so it stays on "Any time".
    assert page.select_one("#filter-change option[selected]")["value"] == str(change.id)
    assert page.select_one("#filter-state option[selected]")["value"] == "lodged"
    assert page.select_one("#filter-age option[selected]") is None
    empty = client_request.get("changes_admin.queue", state="withdrawn")
    assert "No objections match" in _text(empty)
    aged = client_request.get("changes_admin.queue", age="7")
    assert "No objections match" in _text(aged)


def test_queue_pages_through_every_objection_oldest_first_in_one_statement(client_request, count_queries, vendor_staff):
    change = announced()
    other = announced(days_ahead=40)
    client_request.sign_in(vendor_staff)
    _objections(change, 27)
    _objections(other, 2)  # filtered out below
    db.session.commit()
    ids = list(
        db.session.scalars(
            select(Objection.id).where(Objection.change_id == change.id).order_by(Objection.lodged_at, Objection.id)
        )
    )
    with count_queries() as counter:
        first = client_request.get("changes_admin.queue", change=change.id)
    page_statements = [s for s in counter.statements if "FROM objection" in s]
    assert len(page_statements) == 1, "the page and its count come in one statement"
    assert "27 objections" in _text(first)
    assert "Page 1 of 2" in _text(first)
    links = [a["href"] for a in first.select("tbody a")]
    assert links == [f"/vendor/objections/{i}" for i in ids[:25]]
    assert first.find("a", rel="next")

    second = client_request.get("changes_admin.queue", change=change.id, page=2)
    assert [a["href"] for a in second.select("tbody a")] == [f"/vendor/objections/{i}" for i in ids[25:]]
    assert "Page 2 of 2" in _text(second) and not second.find("a", rel="next") and second.find("a", rel="prev")
    assert change.title in _text(second)

    past = client_request.get("changes_admin.queue", change=change.id, page=9)
    assert "No objections match" in _text(past)


def test_queue_page_past_the_end_still_knows_the_total(app, vendor_staff):
    from portal.changes.queries import queue_page

    change = announced()
    _objections(change, 3)
    assert queue_page(change.id, None, "", 1).total == 3
    beyond = queue_page(change.id, None, "", 5)
    assert beyond.items == [] and beyond.total == 3 and beyond.page == 5
    assert queue_page(change.id, ObjectionState.WITHDRAWN, "", 1).total == 0


def test_queue_filters_by_age_with_the_same_statement_for_any_day(app, vendor_staff):
    from portal.changes.queries import queue_page
    from portal.dates import now

    change = announced()
    _objections(change, 3)
    old = db.session.scalars(select(Objection).where(Objection.change_id == change.id).order_by(Objection.id)).first()
    old.lodged_at = now() - dt.timedelta(days=10)
    db.session.flush()
    assert [row.id for row in queue_page(change.id, None, "7", 1).items] == [old.id]
    assert queue_page(change.id, None, "14", 1).total == 0
    assert queue_page(None, ObjectionState.LODGED, "7", 1).total == 1
    assert queue_page(change.id, None, "", 1).total == 3


def test_tenancy_page_runs_a_constant_number_of_queries(client_request, count_queries):
    trust = make_trust()
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    client_request.sign_in(admin)
    counts = []
    for n in (1, 12):
        change = announced()
        for _ in range(n):
            academy = make_school(trust=trust)
            objection = objections.lodge_objection(change, academy, grounds="x", actor=Actor.of(admin))
            objections.acknowledge(objection, actor=Actor.of(admin))
        db.session.expire_all()
        with count_queries() as counter:
            client_request.get("changes.tenancy_objections", tenancy=trust.slug)
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_register_pages_show_the_notice_and_the_date_to_object_until(client_request, school, data_lead):
    change = announced()
    until = f"You can object until {govuk_date(change.effective_on - dt.timedelta(days=1))}"
    public = client_request.get("register.public_register")
    assert change.title in _text(public) and until in _text(public)
    client_request.sign_in(data_lead)
    effective = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert change.title in _text(effective) and until in _text(effective)


def test_feed_items_describe_each_announced_change(app):
    change = announced()
    with app.test_request_context():
        [item] = service.feed_items()
    assert item.url.endswith(f"/changes/{change.id}") and item.title == change.title
    assert "Schools can object until" in item.summary


def test_vendor_withdraws_a_notice_from_its_page(client_request, vendor_staff):
    change = announced()
    client_request.sign_in(vendor_staff)
    page = client_request.get("changes_admin.notice", notice_id=change.id)
    assert page.find("form", action=f"/vendor/changes/{change.id}/withdraw")
    refused = client_request.post(
        "changes_admin.withdraw_notice", {"reason": ""}, _expected_status=400, notice_id=change.id
    )
    assert "Enter the reason for withdrawing the change" in _text(refused)
    drop_planned()
    client_request.post("changes_admin.withdraw_notice", {"reason": "Not needed."}, notice_id=change.id)
    page = client_request.get("changes_admin.notice", notice_id=change.id)
    assert "Withdrawn on" in _text(page) and not page.find("form", action=f"/vendor/changes/{change.id}/withdraw")
