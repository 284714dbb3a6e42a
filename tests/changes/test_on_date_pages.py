"""Every part of a page for a chosen date (`?on=`) reflects that date (#21 item 9): the announced-change
cards, the days left to object, the upcoming changes, the school's changes page and the public notice."""

from __future__ import annotations

import datetime as dt

from portal.audit.service import Actor
from portal.changes import objections
from portal.dates import govuk_date
from tests.changes.builders import announced
from tests.register.builders import entry, publish_version


def _cards(page):
    return page.find(id="announced-changes").find_next("ul").get_text(" ", strip=True)


def test_the_set_page_on_a_date_shows_the_window_and_upcoming_changes_then(client_request, school, data_lead):
    change = announced()  # effective in 40 days
    client_request.sign_in(data_lead)
    five_before = change.effective_on - dt.timedelta(days=5)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug, on=five_before.isoformat())
    assert f"5 days left on {govuk_date(five_before)}" in _cards(page)
    closed = client_request.get(
        "tenancy_register.effective_set", tenancy=school.slug, on=change.effective_on.isoformat()
    )
    assert "You can object" not in _cards(closed)
    assert f"The time to object closed at the end of {govuk_date(change.effective_on - dt.timedelta(days=1))}" in (
        _cards(closed)
    )
    after = client_request.get(
        "tenancy_register.effective_set",
        tenancy=school.slug,
        on=(change.effective_on + dt.timedelta(days=1)).isoformat(),
    )
    assert after.find(id="announced-changes") is None  # in effect by then: no longer an announced change
    assert "Upcoming changes" not in after.get_text()


def test_the_changes_page_on_a_date_shows_the_window_then_and_offers_no_form(client_request, school, data_lead):
    change = announced()
    client_request.sign_in(data_lead)
    today = client_request.get("changes.tenancy_objections", tenancy=school.slug)
    assert today.find(id=f"change-{change.id}").find("form") is not None
    closed = client_request.get("changes.tenancy_objections", tenancy=school.slug, on=change.effective_on.isoformat())
    card = closed.find(id=f"change-{change.id}")
    assert "The time to object closed" in card.get_text() and card.find("form") is None
    assert "with what is known today" in closed.get_text()
    ahead = change.effective_on - dt.timedelta(days=10)
    card = client_request.get("changes.tenancy_objections", tenancy=school.slug, on=ahead.isoformat()).find(
        id=f"change-{change.id}"
    )
    assert f"10 days left on {govuk_date(ahead)}" in card.get_text()
    later = client_request.get(
        "changes.tenancy_objections", tenancy=school.slug, on=(change.effective_on + dt.timedelta(days=1)).isoformat()
    )
    assert later.find(id=f"change-{change.id}") is None
    bad = client_request.get("changes.tenancy_objections", _expected_status=400, tenancy=school.slug, on="soon")
    assert "YYYY-MM-DD" in bad.get_text()


def test_the_public_notice_on_a_date_says_whether_one_can_still_object_then(client_request, school, data_lead):
    change = announced()
    objections_open = client_request.get("changes_public.notice", notice_id=change.id)
    assert "You can object until" in objections_open.get_text()
    closed = client_request.get("changes_public.notice", notice_id=change.id, on=change.effective_on.isoformat())
    assert "You can object" not in closed.get_text() and "The time to object closed" in closed.get_text()
    client_request.sign_in(data_lead)
    closed = client_request.get("changes_public.notice", notice_id=change.id, on=change.effective_on.isoformat())
    assert f"Object for {school.name}" not in closed.get_text()
    assert f"{school.name} did not object." in closed.get_text()
    objections.lodge_objection(change, school, grounds="No", actor=Actor.of(data_lead))
    page = client_request.get("changes_public.notice", notice_id=change.id, on=change.effective_on.isoformat())
    assert f"Objection for {school.name}" in page.get_text()
    client_request.get("changes_public.notice", _expected_status=400, notice_id=change.id, on="2001-01-01")


def test_a_past_date_is_decided_against_the_register_of_that_date(client_request, school, data_lead):
    from portal.dates import now, start_of_uk_day, uk_today
    from portal.extensions import db

    def publish(keys: list[str], at) -> str:
        entries = [entry(key, supplier=f"{key.title()} Ltd", listed_since=uk_today(at)) for key in keys]
        number = publish_version(entries, published_at=at).number
        db.session.commit()
        return number

    then = publish(["hostwell"], start_of_uk_day(uk_today() - dt.timedelta(days=10)) + dt.timedelta(hours=12))
    publish(["hostwell", "newco"], now())
    client_request.sign_in(data_lead)
    past = (uk_today() - dt.timedelta(days=5)).isoformat()
    response = client_request.client.get(
        client_request.url("tenancy_register.effective_set_json", tenancy=school.slug, on=past)
    )
    data = response.get_json()
    assert data["register_version"] == then and [line["key"] for line in data["lines"]] == ["hostwell"]
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug, on=past)
    assert "Newco Ltd" not in page.get_text() and f"version {then} of the register" in page.get_text()
    today = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert "Newco Ltd" in today.get_text()
