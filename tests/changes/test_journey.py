"""Browser journey: staff announce a change; a data lead objects (keyboard only); staff acknowledge and
accommodate; the school's effective set shows why the supplier is out; a second school is too late."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import VendorRole
from portal.changes import window
from portal.changes.models import ChangeNotice, Objection
from portal.dates import govuk_date, start_of_uk_day, uk_today
from portal.extensions import db
from portal.notify.worker import deliver_due
from portal.register.effective import effective_set
from portal.tenancy.models import Role
from tests.browser import assert_accessible, expect_error_page, sign_in_browser
from tests.changes.builders import PLANNED_KEY, announced, publish_register
from tests.factories import make_school, make_user

pytestmark = pytest.mark.browser


def _deliver(sink) -> list:
    """Deliver what the outbox holds to the sink; the new messages."""
    current_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    before = len(sink.messages)
    db.session.rollback()
    deliver_due()
    db.session.rollback()
    return sink.messages[before:]


def _tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching the selector has focus (a keyboard user's way there)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in_browser(page, live_server, user)
    db.session.rollback()  # end the read that built the cookie: the server's writes must be visible


def test_announce_object_accommodate_and_a_late_objection(page, live_server, mail_sink, console_errors, monkeypatch):
    oakfield = make_school("Oakfield Primary School")
    riverside = make_school("Riverside Academy")
    dana = make_user("Dana Lead", tenancy=oakfield, role=Role.DATA_LEAD, email="dana@oakfield.example")
    rita = make_user("Rita Lead", tenancy=riverside, role=Role.DATA_LEAD, email="rita@riverside.example")
    staff = make_user("Sam Staff", vendor_role=VendorRole.STAFF)
    effective_on = uk_today() + dt.timedelta(days=40)
    until = govuk_date(effective_on - dt.timedelta(days=1))
    publish_register(planned_on=effective_on)
    db.session.commit()

    # Vendor staff announce the change.
    _as(page, live_server, staff)
    page.goto(f"{live_server.url}/vendor/changes")
    assert_accessible(page)
    page.get_by_role("link", name="Announce a change").click()
    assert_accessible(page)
    page.get_by_label("New sub-processor", exact=True).check()
    page.get_by_label("Supplier", exact=True).select_option(PLANNED_KEY)
    page.get_by_label("Title").fill("We plan to add Quillmark Analytics")
    page.get_by_label("Reason for the change").fill("Quillmark shows teachers each pupil's reading progress.")
    page.get_by_label("Day").fill(str(effective_on.day))
    page.get_by_label("Month").fill(str(effective_on.month))
    page.get_by_label("Year").fill(str(effective_on.year))
    page.get_by_role("button", name="Announce the change").click()
    assert "Change announced" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    change = db.session.scalar(select(ChangeNotice))
    db.session.rollback()
    mails = _deliver(mail_sink)
    assert sorted(m.message["To"] for m in mails) == ["dana@oakfield.example", "rita@riverside.example"]
    to_dana = next(m for m in mails if m.message["To"] == "dana@oakfield.example")
    assert f"You can object for Oakfield Primary School until the end of {until}" in to_dana.text
    assert to_dana.message["Auto-Submitted"] == "auto-generated"
    link = next(url for url in to_dana.links if "/changes?change=" in url)
    assert link == f"{live_server.url}/t/{oakfield.slug}/changes?change={change.id}#change-{change.id}"

    # The data lead follows the mail, sees the date, and objects using only the keyboard.
    _as(page, live_server, dana)
    page.goto(link)
    assert f"You can object until {until}" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/t/{oakfield.slug}/changes")
    assert f"You can object until {until}" in page.locator("main").inner_text()
    assert_accessible(page)
    _tab_to(page, f"#change-{change.id}-grounds")
    page.keyboard.type("Our DPIA does not cover reading analytics yet.")
    _tab_to(page, f"#change-{change.id}-submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/changes$"))
    assert "Objection lodged for Oakfield Primary School" in page.locator(".govuk-notification-banner").inner_text()
    assert "Awaiting acknowledgement" in page.locator("main").inner_text()
    assert_accessible(page)
    [lodged] = _deliver(mail_sink)
    assert lodged.message["To"] == "dana@oakfield.example" and "objection lodged" in lodged.subject
    # The lodged-objection mail leads to the objection itself (#25).
    assert any(link.startswith(f"{live_server.url}/t/{oakfield.slug}/changes?objection=") for link in lodged.links)

    # Vendor staff acknowledge, then accommodate with a written reason: by keyboard too.
    _as(page, live_server, staff)
    page.goto(f"{live_server.url}/vendor/objections")
    assert_accessible(page)
    _tab_to(page, "a:text('Oakfield Primary School')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/vendor/objections/\d+$"))
    assert_accessible(page)
    _tab_to(page, "button:text('Acknowledge')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-notification-banner")
    assert "acknowledged" in page.locator(".govuk-notification-banner").inner_text()
    [acknowledged] = _deliver(mail_sink)
    assert "acknowledged" in acknowledged.subject
    page.get_by_role("button", name="Record the decision").click()  # no decision, no reason
    expect_error_page(page)
    assert_accessible(page)
    _tab_to(page, "#decision")
    page.keyboard.press("Space")
    assert page.get_by_label("Accommodated: the change will not apply to this organisation").is_checked()
    _tab_to(page, "#reason")
    page.keyboard.type("We will not switch Quillmark on for Oakfield.")
    _tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-notification-banner")
    assert "accommodated" in page.locator(".govuk-notification-banner").inner_text().lower()
    assert_accessible(page)
    [accommodated] = _deliver(mail_sink)
    assert "accommodated" in accommodated.subject and "We will not switch Quillmark on" in accommodated.text

    # The school sees every step, and its effective set keeps the supplier out, saying why.
    _as(page, live_server, dana)
    page.goto(f"{live_server.url}/t/{oakfield.slug}/changes")
    main = page.locator("main").inner_text()
    assert "Accommodated" in main and "Sam Staff" in main and "Dana Lead" in main
    assert_accessible(page)
    effective_set_path = current_app.url_map.bind("localhost").build(
        "tenancy_register.effective_set", {"tenancy": oakfield.slug}
    )
    page.goto(live_server.url + effective_set_path)
    assert "your objection was accommodated" in page.locator("main").inner_text()
    assert_accessible(page)
    line = effective_set(db.session.get(type(oakfield), oakfield.id), today=effective_on).line_for(PLANNED_KEY)
    assert not line.included and "your objection was accommodated" in line.reason
    db.session.rollback()

    # A second school's page was open when the window closed: its objection is refused.
    _as(page, live_server, rita)
    page.goto(f"{live_server.url}/t/{riverside.slug}/changes")
    page.get_by_label("Your grounds for objecting").fill("We object too.")
    closed = start_of_uk_day(effective_on) + dt.timedelta(minutes=1)
    monkeypatch.setattr(window, "now", lambda: closed)
    page.get_by_role("button", name="Object to this change").click()
    expect_error_page(page)
    assert f"closed at the end of {until}" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    riverside_id = riverside.id
    db.session.rollback()  # reading riverside's id began a read before the POST: start afresh
    assert db.session.scalar(select(func.count(Objection.id)).where(Objection.tenancy_id == riverside_id)) == 0
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "objection.refused"))
    assert refused.tenancy_id == riverside_id
    db.session.rollback()
    assert _deliver(mail_sink) == []
    # The audit tells the story step by step.
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.startswith("objection.") | AuditEvent.action.startswith("change."))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "change.announced",
        "objection.lodged",
        "objection.acknowledged",
        "objection.accommodated",
        "objection.refused",
    ]
    # Refused forms are answered 400 on purpose (the browser logs that); nothing else may be logged.
    assert [e for e in console_errors if "status of 400" not in e] == []


def test_staff_page_through_and_filter_a_long_queue(page, live_server, console_errors):
    """27 objections: the first page, the next by its link, a filter by state, and an empty filter."""
    change = announced()
    staff = make_user("Queue Staff", vendor_role=VendorRole.STAFF)
    for i in range(27):
        db.session.add(Objection(change_id=change.id, tenancy_id=make_school(f"Queue School {i:02d}").id, grounds="x"))
    db.session.commit()
    _as(page, live_server, staff)

    page.goto(f"{live_server.url}/vendor/objections")
    main = page.locator("main")
    assert "27 objections" in main.inner_text() and "Page 1 of 2" in main.inner_text()
    assert page.locator("tbody tr").count() == 25
    assert_accessible(page)
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert "Page 2 of 2" in main.inner_text() and page.locator("tbody tr").count() == 2
    assert_accessible(page)

    page.select_option("#filter-state", "withdrawn")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*state=withdrawn.*"))
    assert "No objections match" in main.inner_text()
    page.select_option("#filter-state", "lodged")
    page.select_option("#filter-change", str(change.id))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*state=lodged.*"))
    assert "27 objections" in main.inner_text() and change.title in main.inner_text()
    assert_accessible(page)
    assert console_errors == []
