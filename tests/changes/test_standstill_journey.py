"""Browser journey (#21): a school objects; its set on the day after the change keeps the supplier out,
saying why; staff see the decision deadline, decide "not accommodated"; the school takes the exit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from portal.auth.models import VendorRole
from portal.changes.models import Objection
from portal.changes.states import ExitChoice
from portal.extensions import db
from portal.tenancy.models import Role
from tests.browser import assert_accessible
from tests.changes.builders import announced
from tests.changes.test_journey import _as
from tests.factories import make_school, make_user

pytestmark = pytest.mark.browser


def test_object_standstill_decision_and_exit(page, live_server, console_errors):
    meadowbank = make_school("Meadowbank Primary School")
    aurora = make_school("Aurora Primary Academy")
    mo = make_user("Mo Lead", tenancy=meadowbank, role=Role.DATA_LEAD, email="mo@meadowbank.example")
    ada = make_user("Ada Lead", tenancy=aurora, role=Role.DATA_LEAD, email="ada@aurora.example")
    staff = make_user("Sam Staff", vendor_role=VendorRole.STAFF)
    change = announced(published_days_ago=1)
    day_after = (change.effective_on + dt.timedelta(days=1)).isoformat()
    db.session.commit()

    # The data lead objects.
    _as(page, live_server, mo)
    page.goto(f"{live_server.url}/t/{meadowbank.slug}/changes")
    assert_accessible(page)
    page.get_by_label("Your grounds for objecting").fill("Our DPIA does not cover this supplier.")
    page.get_by_role("button", name="Object to this change").click()
    page.wait_for_url(re.compile(r".*/changes$"))
    card = page.locator(f"#change-{change.id}").inner_text()
    assert "Objection for Meadowbank Primary School" in card and "Awaiting acknowledgement" in card
    assert page.locator(f"#change-{change.id} form").count() == 0  # the state replaces the call to object
    assert_accessible(page)

    # Its set on the day after the change keeps the supplier out, saying why.
    page.goto(f"{live_server.url}/t/{meadowbank.slug}/sub-processors?on={day_after}")
    assert "Not used for your school: your objection of" in page.locator("main").inner_text()
    assert_accessible(page)

    # Aurora, which did not object, has it in.
    _as(page, live_server, ada)
    page.goto(f"{live_server.url}/t/{aurora.slug}/sub-processors.json?on={day_after}")
    assert '"included": true' in page.locator("body").inner_text().replace('"included":true', '"included": true')

    # Staff see the decision deadline, acknowledge and decide "not accommodated".
    _as(page, live_server, staff)
    page.goto(f"{live_server.url}/vendor/objections")
    assert "Decide by" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Meadowbank Primary School").click()
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_selector(".govuk-notification-banner")
    page.get_by_label("Not accommodated: offer exit under the contract's terms").check()
    page.get_by_label("Reason for the decision").fill("The service cannot run without it.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_selector(".govuk-notification-banner")
    assert_accessible(page)

    # The school is told plainly what silence means, and takes the exit.
    _as(page, live_server, mo)
    page.goto(f"{live_server.url}/t/{meadowbank.slug}/changes")
    assert "If you do not answer by" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Take the exit our contract offers: we will leave the service").check()
    page.get_by_role("button", name="Send our answer").click()
    page.wait_for_selector(".govuk-notification-banner")
    assert "Took the exit" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/t/{meadowbank.slug}/sub-processors?on={day_after}")
    assert "chose to leave the service" in page.locator("main").inner_text()
    db.session.rollback()
    assert db.session.scalar(select(Objection.exit_choice)) is ExitChoice.EXIT_TAKEN
    assert console_errors == []
