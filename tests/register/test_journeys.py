"""Browser journeys: the public reads and compares the register; data leads switch an option, and a stale
form meets a conflict instead of overwriting a colleague's choice. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.demo.register import load_register
from portal.extensions import db
from portal.register.models import TenancyOption, TenancyOptionSetting
from portal.tenancy.models import Role
from tests.browser import assert_accessible, expect_error_page, sign_in_browser
from tests.factories import make_school, make_user

pytestmark = pytest.mark.browser


def script_errors(errors: list[str]) -> list[str]:
    """Console errors but Chromium's note of a refused form's status (400 or 409 is the answer we want)."""
    return [e for e in errors if not re.search(r"status of (400|409)", e)]


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in_browser(page, live_server, user)
    db.session.rollback()  # end the read that built the cookie: the server's writes must be visible


def _section(page, option_key: str):
    return page.locator(f"section:has(#option-{option_key})")


def test_a_member_of_the_public_reads_the_register_and_compares_two_versions(page, live_server, console_errors):
    list(load_register())
    db.session.commit()

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sub-processors").first.click()
    assert page.locator("h1").inner_text() == "Sub-processors"
    assert_accessible(page)
    azure = page.locator("section:has(#entry-azure-openai)")
    assert "headquarters: United States" in azure.inner_text()
    # Every US-owned supplier links to the one note on US law, which names them all.
    for key in ("azure-openai", "azure-speech", "tollgate-payments", "postwick-mail"):
        link = page.locator(f"section:has(#entry-{key})").get_by_role("link", name="US law and your data")
        assert link.get_attribute("href").endswith("/sub-processors#us-law")
    assert page.locator("#us-law").count() == 1
    assert "US CLOUD Act" in page.locator("section:has(#us-law)").inner_text()
    assert (
        page.locator("section:has(#entry-pennine-cloud)").get_by_role("link", name="US law and your data").count() == 0
    )
    assert "See the CLOUD Act note" not in page.locator("main").inner_text()
    page.locator("section:has(#entry-azure-speech)").get_by_role("link", name="US law and your data").click()
    assert page.url.endswith("#us-law")
    assert "Quayside Edge Ltd" in page.locator("#not-sub-processors + dl").inner_text()
    assert "Kestrel Moderation Ltd" in page.locator("table:has(caption:text('Upcoming changes'))").inner_text()

    page.get_by_role("link", name="Every published version").click()
    assert_accessible(page)
    page.get_by_role("link", name="Version 1.3").click()
    assert "This version has been replaced" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/sub-processors")  # the second visit is the page kept in memory
    # Its inline script ran: the nonce the response put into the kept page matches the CSP header.
    assert "js-enabled" in (page.locator("body").get_attribute("class") or "")
    page.get_by_role("link", name="Compare two versions").click()
    assert_accessible(page)
    page.get_by_label("Earlier version").select_option(
        label=page.locator("#from option", has_text="Version 1.4").inner_text()
    )
    page.get_by_label("Later version").select_option(
        label=page.locator("#to option", has_text="Version 1.4").inner_text()
    )
    page.get_by_role("button", name="Compare").click()
    assert "Choose two different versions to compare." in page.locator(".govuk-error-summary").inner_text()
    expect_error_page(page)
    assert_accessible(page)

    page.get_by_label("Earlier version").select_option(
        label=page.locator("#from option", has_text="Version 1.3").inner_text()
    )
    page.get_by_role("button", name="Compare").click()
    main = page.locator("main").inner_text()
    assert "Changes from version 1.3 to version 1.4" in main
    assert "Kestrel Moderation Ltd: added" in main
    azure_change = page.locator("table:below(#change-azure-openai)").first.inner_text()
    assert "Azure OpenAI (gpt-4.1-mini, gpt-4.1)" in azure_change
    assert_accessible(page)
    assert script_errors(console_errors) == []


def test_a_data_lead_switches_off_the_azure_fallback_and_sees_why_it_left(page, live_server, console_errors):
    list(load_register())
    school = make_school("Meadowbank Primary School")
    grace = make_user("Grace Moyo", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()
    _as(page, live_server, grace)

    page.goto(f"{live_server.url}/t/{school.slug}/sub-processors")
    assert_accessible(page)
    assert "Microsoft Azure OpenAI Service" in page.locator("#in-use").inner_text()
    page.get_by_role("link", name="Change your options").click()
    assert_accessible(page)

    fallback = _section(page, "azure-fallback")
    assert "headquartered in the United States" in fallback.inner_text()
    assert "See the CLOUD Act note" not in fallback.inner_text()
    fallback.get_by_label("Off").check()
    fallback.get_by_role("button", name="Save Azure OpenAI fallback").click()

    assert "Azure OpenAI fallback is now off" in page.locator(".govuk-notification-banner").inner_text()
    assert "Microsoft Azure OpenAI Service" not in page.locator("#in-use").inner_text()
    reason = page.locator("#line-azure-openai").inner_text()
    assert "“Azure OpenAI fallback” is off for your organisation" in reason
    assert_accessible(page)

    document = page.request.get(f"{live_server.url}/t/{school.slug}/sub-processors.json").json()
    line = next(line for line in document["lines"] if line["key"] == "azure-openai")
    assert line["included"] is False

    page.goto(f"{live_server.url}/t/{school.slug}/audit")
    log = page.locator("main").inner_text()
    # The log reads as sentences (#25): who switched which option, and the change's own words.
    assert "Grace Moyo switched “Azure OpenAI fallback” off" in log
    assert_accessible(page)
    db.session.rollback()  # see what the server committed
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tenancy.option_changed"))
    assert (event.actor_id, event.tenancy_id, event.details["to"]) == (grace.id, school.id, "off")
    assert script_errors(console_errors) == []


def test_a_second_data_leads_stale_form_gets_the_conflict_and_loses_nothing(page, browser, live_server, console_errors):
    list(load_register())
    school = make_school("Aurora Primary Academy")
    amira = make_user("Amira Shah", tenancy=school, role=Role.DATA_LEAD)
    olu = make_user("Olu Bello", tenancy=school, role=Role.DATA_LEAD)
    db.session.commit()

    # Amira opens the options page: voice input is off.
    _as(page, live_server, amira)
    page.goto(f"{live_server.url}/t/{school.slug}/options")
    assert "Now off for" in _section(page, "voice-input").inner_text()

    # Meanwhile Olu, in his own browser, switches voice input on.
    other = browser.new_context()
    try:
        olu_page = other.new_page()
        sign_in_browser(olu_page, live_server, olu)
        olu_page.goto(f"{live_server.url}/t/{school.slug}/options")
        _section(olu_page, "voice-input").get_by_label("On").check()
        _section(olu_page, "voice-input").get_by_role("button", name="Save Voice input").click()
        assert "Voice input is now on" in olu_page.locator(".govuk-notification-banner").inner_text()
    finally:
        other.close()

    # Amira, on her old page, saves "off": refused, with who changed it, and Olu's choice stands.
    voice = _section(page, "voice-input")
    voice.get_by_label("Off").check()
    voice.get_by_role("button", name="Save Voice input").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Olu Bello changed “Voice input”" in summary and "it is now on" in summary
    assert "Nothing you chose was saved" in summary
    expect_error_page(page)
    assert_accessible(page)
    db.session.rollback()
    option = db.session.scalar(select(TenancyOption).where(TenancyOption.key == "voice-input"))
    setting = db.session.scalar(select(TenancyOptionSetting).where(TenancyOptionSetting.option_id == option.id))
    assert (setting.enabled, setting.updated_by_id, setting.version) == (True, olu.id, 1)

    # Her choice is still selected; now that she knows, she saves it deliberately.
    voice = _section(page, "voice-input")
    assert "Now on for" in voice.inner_text()
    assert voice.get_by_label("Off").is_checked()
    voice.get_by_role("button", name="Save Voice input").click()
    assert "Voice input is now off" in page.locator(".govuk-notification-banner").inner_text()
    assert "Microsoft Azure AI Speech" in page.locator("#not-in-use").inner_text()
    assert_accessible(page)
    assert script_errors(console_errors) == []
