"""Browser journey: a vendor admin opens an incident at the AI fallback and sends the notice; the school that
switched the fallback off is not told; an affected data lead follows the mail, acknowledges and exports."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import current_app

from portal.auth.models import VendorRole
from portal.dates import UK, now
from portal.extensions import db
from portal.notify.worker import deliver_due
from portal.tenancy.models import Role
from tests.browser import assert_accessible
from tests.factories import make_school, make_user
from tests.incidents.browsing import as_user, fill_date
from tests.incidents.builders import last_week, register, set_option, uk_morning

pytestmark = pytest.mark.browser


def _deliver(sink) -> list:
    current_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    before = len(sink.messages)
    db.session.rollback()
    deliver_due()
    db.session.rollback()
    return sink.messages[before:]


def test_open_notify_acknowledge_and_export(page, live_server, mail_sink, console_errors):
    options = register()
    start, end = last_week()
    oakfield = make_school("Oakfield Primary School")
    meadowbank = make_school("Meadowbank Primary School")
    set_option(meadowbank, options["fallback"], False, uk_morning(start - dt.timedelta(days=60)))
    dana = make_user("Dana Lead", tenancy=oakfield, role=Role.DATA_LEAD, email="dana@oakfield.example")
    make_user("Grace Moyo", tenancy=meadowbank, role=Role.DATA_LEAD, email="grace@meadowbank.example")
    admin = make_user("Ada Admin", vendor_role=VendorRole.ADMIN)
    db.session.commit()

    as_user(page, live_server, admin)
    page.goto(f"{live_server.url}/vendor/incidents")
    assert_accessible(page)
    page.get_by_role("link", name="Open an incident").click()
    assert_accessible(page)
    aware = now() - dt.timedelta(hours=5)
    page.get_by_label("Title").fill("Azure OpenAI fallback: prompts visible to another tenant")
    fill_date(page, "aware_date", aware.astimezone(UK).date())
    page.locator("#aware_time").fill(f"{aware.astimezone(UK):%H:%M}")
    page.get_by_label("What happened").fill("Microsoft told us a caching fault exposed prompts.")
    page.get_by_label("Microsoft Azure OpenAI").check()
    fill_date(page, "period_start", start)
    fill_date(page, "period_end", end)
    page.locator("#nature").fill("Prompts of about 40 pupils were readable for two hours.")
    page.locator("#consequences_unknown_reason").fill("The supplier is still investigating.")
    page.locator("#measures").fill("Fallback switched off until the supplier reports.")
    page.locator("#contact").fill("Our DPO, dpo@larkspur.example")
    page.get_by_role("button", name="Save the incident").click()
    assert "Incident opened" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    assert page.locator("#affected").inner_text() == "1 school affected"
    listed = page.locator("#affected-list").inner_text()
    assert "Oakfield Primary School" in listed and "Meadowbank" not in listed
    assert "left" in page.locator("#incident-clock").inner_text()
    page.get_by_role("button", name="Send the notice to every school on the list").click()
    assert "Notice sent" in page.locator(".govuk-notification-banner").inner_text()

    sent = _deliver(mail_sink)
    assert [m.recipients for m in sent] == [["dana@oakfield.example"]]
    assert "Oakfield Primary School" in sent[0].subject
    link = re.search(r"http://127\.0\.0\.1:\d+(/t/[^\s]+)", sent[0].text).group(1)

    as_user(page, live_server, dana)
    page.goto(live_server.url + link)
    assert_accessible(page)
    assert "72 hours end" in page.locator("#incident-clock").inner_text()
    page.get_by_role("button", name="Acknowledge this notice").click()
    assert "by Dana Lead" in page.locator("#acknowledgement").inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{live_server.url}/t/{oakfield.slug}/incidents/report")
    assert_accessible(page)
    assert console_errors == []
