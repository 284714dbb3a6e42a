"""The vendor's register console: a draft edited through the pages, published, and the options defined."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.dates import uk_today
from portal.extensions import db
from portal.register import service
from portal.register.models import TenancyOption
from tests.pages import check_page, text_of


def date_fields(name: str, day: dt.date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def form_values(page) -> dict:
    """What a browser would send for the page's form as it stands."""
    form: dict = {}
    for field in page.select("form input[type=text]"):  # a date is three inputs of one name
        value = field.get("value", "")
        form[field["name"]] = (
            [*form[field["name"]], value]
            if isinstance(form.get(field["name"]), list)
            else ([form[field["name"]], value] if field["name"] in form else value)
        )
    form.update({t["name"]: t.get_text().removeprefix("\n") for t in page.select("form textarea")})
    for box in page.select("form input[type=checkbox][checked]"):
        form.setdefault(box["name"], []).append(box["value"])
    form.update({radio["name"]: radio["value"] for radio in page.select("form input[type=radio][checked]")})
    for select_ in page.select("form select"):
        chosen = select_.select_one("option[selected]")
        form[select_["name"]] = chosen["value"] if chosen else ""
    return form


def entry_form(**overrides) -> dict:
    form = {
        "key": "new-moderation",
        "supplier": "Heron Moderation Ltd",
        "kind": "data_subprocessor",
        "status": "planned",
        "purpose": "Automated safeguarding checks.",
        "location": "United Kingdom (London)",
        **date_fields("effective_on", uk_today() + dt.timedelta(days=45)),
    }
    form.update(overrides)
    return form


def test_vendor_staff_edit_a_draft_and_publish_it(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    home = client_request.get("register_admin.home")
    assert "The current version is version 1.4" in text_of(home)
    client_request.post("register_admin.start_draft")
    draft = client_request.get("register_admin.draft")
    assert draft.h1.get_text(strip=True) == "Draft version 1.5"

    azure = service.draft_version().entries[1]
    page = client_request.get("register_admin.edit_entry", entry_id=azure.id)
    assert page.find("input", attrs={"name": "key"})["value"] == "azure-openai"
    form = form_values(page)
    # The facts are shown as they are: chosen checkboxes and radios, and the selected country.
    assert set(form["categories"]) == {"pseudonymous_identifier", "chat_prompts", "ai_outputs", "teaching_materials"}
    assert form["parent_country"] == "US" and form["transfer"] == "uk_dpf_extension" and form["ai_use"] == "fallback"
    assert "gpt-4.1 | OpenAI, through Microsoft Azure | Fallback for longer tasks" in form["ai_models"]
    form.update(kind="data_subprocessor", status="active", services_used="Azure OpenAI (gpt-4.1)")
    form.update(date_fields("retires_on", uk_today() + dt.timedelta(days=60)))
    client_request.post("register_admin.edit_entry", form, entry_id=azure.id)

    client_request.post(
        "register_admin.edit_statement", {"supplier": "Edge Fonts Ltd", "reason": "Marketing site fonts only."}
    )
    client_request.post("register_admin.save_notes", {"notes": "Production only."})

    draft = client_request.get("register_admin.draft")
    changes = text_of(draft.find(id="change-azure-openai").find_next("table"))
    assert "Azure OpenAI (gpt-4.1-mini, gpt-4.1)" in changes and "Azure OpenAI (gpt-4.1)" in changes

    publish_page = client_request.get("register_admin.publish")
    assert publish_page.find("input", attrs={"name": "number"})["value"] == "1.5"
    client_request.post(
        "register_admin.publish",
        {
            "number": "1.5",
            "owner_name": "Helen Marsh, Chief Executive",
            "contact_email": "privacy@larkspur.example",
            **date_fields("reviewed_on", uk_today()),
            **date_fields("next_review_on", uk_today() + dt.timedelta(days=300)),
            "summary": "The Azure OpenAI fallback drops gpt-4.1-mini and ends in two months.",
        },
    )
    public = client_request.get("register.public_register")
    assert "Version 1.5" in text_of(public) and "Edge Fonts Ltd" in text_of(public)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == vendor_staff.id)))
    assert {
        "register.draft_started",
        "register.entry_changed",
        "register.statement_added",
        "register.published",
    } <= actions


def test_entry_form_errors_are_clear_and_nothing_is_written(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    cases = [
        (
            entry_form(status="conditional", effective_on=["", "", ""]),
            "Enter the service a conditional entry depends on",
        ),
        (entry_form(effective_on=["", "", ""]), "Enter the date a planned entry takes effect"),
        (entry_form(effective_on=["31", "2", "2027"]), "Enter a real date"),
        (entry_form(key="azure-openai"), "already uses the key “azure-openai”"),
        (entry_form(key="Not A Slug"), "Use lower-case letters"),
        # Facts: a transfer needs its mechanism, the Data Privacy Framework its checked date.
        (entry_form(countries=["GB", "US"], transfer="none"), "Choose the transfer mechanism"),
        (entry_form(countries=["US"], transfer="uk_dpf_extension"), "Enter the date the supplier's certification"),
        (entry_form(countries=["IN"], transfer="uk_adequacy"), "do not cover every country chosen"),
        (entry_form(countries=["GB"], transfer="idta"), "Choose “No restricted transfer”"),
        (entry_form(subjects=["others"]), "Name the other data subjects"),
        (entry_form(categories=["made-up"]), "not a valid choice"),
        (entry_form(is_ai="yes", ai_models="Just a name", ai_training="no", ai_use="primary"), "name | provider"),
        (entry_form(is_ai="yes", ai_models="A | B | C"), "Choose when it is used"),
    ]
    for form, message in cases:
        response = client_request.post("register_admin.edit_entry", form, _expected_status=400)
        page = check_page(response.get_data(as_text=True))
        assert message in text_of(page.find(class_="govuk-error-summary")), message
    assert len(service.draft_version().entries) == len(demo_register.entries)


def test_publishing_too_soon_is_refused_with_the_earliest_date(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    client_request.post(
        "register_admin.edit_entry",
        entry_form(key="new-ai", **date_fields("effective_on", uk_today() + dt.timedelta(days=3))),
    )
    response = client_request.post(
        "register_admin.publish",
        {
            "number": "1.5",
            "owner_name": "Helen Marsh",
            "contact_email": "privacy@larkspur.example",
            **date_fields("reviewed_on", uk_today()),
            **date_fields("next_review_on", uk_today() + dt.timedelta(days=300)),
            "summary": "New AI.",
        },
        _expected_status=400,
    )
    page = check_page(response.get_data(as_text=True))
    assert "needs an announced change notice" in text_of(page.find(class_="govuk-error-summary"))
    assert service.current_version().number == "1.4"


def test_publishing_asks_for_a_recent_sign_in(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    with client_request.client.session_transaction() as session:
        session["signed_in_at"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    response = client_request.client.get(client_request.url("register_admin.publish"))
    assert response.status_code == 302 and "sign-in" in response.location.replace("_", "-")


def test_vendor_staff_define_and_change_options(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    page = client_request.get("register_admin.edit_option")
    labels = [label.get_text(strip=True) for label in page.select("label")]
    assert "Kestrel Moderation Ltd (kestrel-moderation)" in labels
    client_request.post(
        "register_admin.edit_option",
        {
            "key": "moderation",
            "name": "Automated moderation",
            "description": "Checks chat.",
            "default": "on",
            "entry_keys": ["kestrel-moderation"],
        },
    )
    option = db.session.scalar(select(TenancyOption).where(TenancyOption.key == "moderation"))
    assert option.entry_keys == ["kestrel-moderation"]
    response = client_request.post(
        "register_admin.edit_option",
        {"key": "again", "name": "Again", "description": "x", "default": "on", "entry_keys": ["kestrel-moderation"]},
        _expected_status=400,
    )
    assert "already governed" in response.get_data(as_text=True)
    client_request.post(
        "register_admin.edit_option",
        {
            "key": "ignored",
            "name": "Moderation",
            "description": "Checks chat.",
            "default": "off",
            "entry_keys": ["kestrel-moderation"],
        },
        option_id=option.id,
    )
    db.session.refresh(option)
    assert (option.key, option.name, option.default_enabled) == ("moderation", "Moderation", False)


def test_discarding_a_draft_asks_first_and_says_what_is_lost(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    draft_page = client_request.get("register_admin.draft")
    # The draft page's button leads to a confirmation page, not straight to the discard.
    discard = draft_page.find("a", string=lambda s: s and "Discard the draft" in s)
    assert discard["href"] == client_request.url("register_admin.confirm_discard")
    page = client_request.get("register_admin.confirm_discard")
    text = text_of(page)
    assert "is deleted" in text and "stays as it is: version 1.4" in text and "cannot undo" in text
    assert service.draft_version() is not None  # asking changed nothing
    form = page.select_one("main form[method=post]")
    assert form["action"] == client_request.url("register_admin.discard")
    client_request.post("register_admin.discard")
    assert service.draft_version() is None
