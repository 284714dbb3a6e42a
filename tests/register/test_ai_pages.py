"""AI services for schools (#20 item 6): the public register and each tenancy's page list the AI
services with their models and handling, and the data-protection points of the DfE's
generative AI product safety standards, derived from facts."""

from __future__ import annotations

import dataclasses

from portal.audit.service import Actor
from portal.extensions import db
from portal.register import service
from portal.register.ai import standard_points, tenancy_section
from portal.register.effective import effective_set
from portal.register.options import set_option
from tests.register.test_service import publish
from tests.register.test_tenancy_pages import text_of


def _points(page) -> dict[str, str]:
    section = page.find(id="ai-standards").find_next("dl")
    return {
        text_of(row.find("dt")): text_of(row.find("dd")) for row in section.find_all(class_="govuk-summary-list__row")
    }


def test_the_public_register_lists_every_ai_service_and_the_standards_points(client_request, demo_register):
    page = client_request.get("register.public_register")
    table = text_of(page.find("caption", string="AI services and their models").find_parent("table"))
    for expected in (
        "Pennine Sovereign Cloud Ltd (including Harbour AI)",
        "Llama 4 Maverick",
        "gpt-4.1-mini",
        "Azure AI Speech to text (en-GB)",
        "Kestrel Guard 3",
        "Fallback: used only when the primary service is unavailable",
        "Only where a school has switched the option on",
        "Audio is deleted as soon as it is transcribed",
    ):
        assert expected in table, expected
    points = _points(page)
    assert points["Where data is processed"].startswith("Met Every AI service runs its inference in the United Kingdom")
    assert points["No training on pupils' data without permission"].startswith("Met No AI supplier may use")
    assert "accessibility and SEND needs" in points["Children's and sensitive data"]
    assert "Microsoft Azure OpenAI Service" in points["Your school's choice"]
    assert points["Foreign law"].startswith("Disclosed risk")


def test_a_schools_page_says_which_ai_services_run_for_it_and_why(client_request, demo_register, school, data_lead):
    client_request.sign_in(data_lead)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    rows = {
        text_of(row.find("th")): text_of(row)
        for row in page.find("caption", string="AI services and their models").find_parent("table").tbody.find_all("tr")
    }
    assert "Used: the option “Azure OpenAI fallback” is on by default." in rows["Microsoft Azure OpenAI Service"]
    assert "“Voice input” is off by default" in rows["Microsoft Azure AI Speech"]
    assert "Planned: takes effect on" in rows["Kestrel Moderation Ltd"]
    points = _points(page)
    # Only what runs today counts: speech and Kestrel are not in use for this school.
    assert "Microsoft Azure AI Speech" not in points["Your school's choice"]
    assert "Microsoft Azure OpenAI Service" in points["Foreign law"]

    set_option(school, _fallback(), False, expected_version=0, actor=Actor.of(data_lead))
    db.session.commit()
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    points = _points(page)
    # With the fallback off, no AI service of a US-owned group runs for the school.
    assert "Foreign law" not in points
    assert "Your school's choice" not in points


def _fallback():
    from sqlalchemy import select

    from portal.register.models import TenancyOption

    return db.session.scalar(select(TenancyOption).where(TenancyOption.key == "azure-fallback"))


def test_training_without_an_instruction_shows_as_not_met(app, demo_register, school):
    section = tenancy_section(effective_set(school).lines)
    entries = {e.key: e for e in service.current_version().entries}
    facts = {line.key: entries[line.key].facts for line in section.lines}
    pennine = entries["pennine-cloud"].facts
    assert pennine.ai is not None
    trains = dataclasses.replace(pennine, ai=dataclasses.replace(pennine.ai, trains_on_customer_data=True))
    lines = [dataclasses.replace(line, trains_on_customer_data=line.key == "pennine-cloud") for line in section.lines]
    facts["pennine-cloud"] = trains
    point = next(
        p for p in standard_points(lines, facts) if p.heading == "No training on pupils' data without permission"
    )
    assert not point.met and "no instruction recorded" in point.text


def test_an_edited_model_shows_on_the_public_page_once_published(client_request, demo_register, vendor_staff):
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    pennine = next(e for e in draft.entries if e.key == "pennine-cloud")
    facts = pennine.facts
    assert facts.ai is not None
    more = (*facts.ai.models, dataclasses.replace(facts.ai.models[0], name="Mistral Medium 3"))
    pennine.facts_data = dataclasses.replace(facts, ai=dataclasses.replace(facts.ai, models=more)).to_json()
    db.session.flush()
    publish(draft, Actor.of(vendor_staff), summary="A new model.")
    db.session.commit()
    page = client_request.get("register.public_register")
    assert "Mistral Medium 3" in text_of(page.find(id="ai-services").find_parent("section"))
