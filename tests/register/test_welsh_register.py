"""The vendor's register text in Welsh (#29 item 3): written beside the English in the draft editor,
published with the version (and frozen with it), shown on Welsh pages with the English as a marked
fallback and one note, carried in the JSON, and listed in the console while it is missing."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest
from sqlalchemy import update
from sqlalchemy.exc import DatabaseError

from portal.audit.service import Actor
from portal.extensions import db
from portal.register import service
from portal.register.models import RegisterEntry
from portal.register.publication import SCHEMA_PATH
from tests.pages import text_of
from tests.register.builders import entry as build_entry
from tests.register.builders import publish_version
from tests.register.test_admin_pages import form_values
from tests.register.test_service import publish

PURPOSE_CY = "Sgwrsio wrth gefn pan fydd y prif wasanaeth yn brysur."
LOCATION_CY = "Y Deyrnas Unedig"


@pytest.fixture
def in_welsh(app):
    """Pages in Welsh: the locale the language switch (built elsewhere) will choose."""
    babel = app.extensions["babel"]
    before = babel.locale_selector
    babel.locale_selector = lambda: "cy"
    yield
    babel.locale_selector = before


@pytest.fixture
def welsh_version(demo_register, vendor_staff):
    """Version 1.5: Azure OpenAI's purpose and location in Welsh, nothing else."""
    actor = Actor.of(vendor_staff)
    draft = service.start_draft(actor=actor)
    azure = next(e for e in draft.entries if e.key == "azure-openai")
    data = service.EntryData(**{name: getattr(azure, name) for name in service.EntryData.__dataclass_fields__})
    data = dataclasses.replace(data, purpose_cy=PURPOSE_CY, location_cy=LOCATION_CY)
    service.update_entry(draft, azure, data, actor=actor)
    version = publish(draft, actor, summary="Welsh for Azure.", summary_cy="Cymraeg i Azure.")
    db.session.commit()
    return version


def test_the_editor_takes_welsh_beside_the_english_and_publishing_keeps_it(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    azure = next(e for e in service.draft_version().entries if e.key == "azure-openai")
    page = client_request.get("register_admin.edit_entry", entry_id=azure.id)
    assert page.find("textarea", attrs={"name": "purpose_cy"})["lang"] == "cy"
    form = form_values(page)
    form.update(purpose_cy=PURPOSE_CY, risk_note_cy="")
    client_request.post("register_admin.edit_entry", form, entry_id=azure.id)
    statement = service.draft_version().statements[0]
    client_request.post(
        "register_admin.edit_statement",
        {"supplier": statement.supplier, "reason": statement.reason, "reason_cy": "Gwefan yn unig."},
        statement_id=statement.id,
    )
    client_request.post("register_admin.save_notes", {"notes": "Production only.", "notes_cy": "Cynhyrchu yn unig."})

    # The console lists what still has no Welsh: the other entries' texts, not what was written.
    draft_page = client_request.get("register_admin.draft")
    missing = text_of(draft_page.find(id="untranslated"))
    assert f"{azure.supplier}: Function or purpose" not in missing
    assert f"{azure.supplier}: Location" in missing
    assert "Notes" not in missing and statement.supplier not in missing

    draft = service.draft_version()
    publish(draft, Actor.of(vendor_staff), summary="Welsh added.", summary_cy="Ychwanegwyd Cymraeg.")
    db.session.commit()
    current = service.current_version()
    published_azure = next(e for e in current.entries if e.key == "azure-openai")
    assert published_azure.purpose_cy == PURPOSE_CY and published_azure.risk_note_cy is None
    assert current.notes_cy == "Cynhyrchu yn unig." and current.summary_cy == "Ychwanegwyd Cymraeg."
    assert current.statements[0].reason_cy == "Gwefan yn unig."
    # Only Welsh was written: no supplier changed, so the version is editorial.
    assert not current.material

    home = client_request.get("register_admin.home")
    listed = text_of(home.find(id="untranslated"))
    assert f"{published_azure.supplier}: Location" in listed
    assert "Version 1.5: What changed" not in listed and "Version 1.5: Notes" not in listed
    # The options have no Welsh yet either.
    assert "Name" in listed


def test_a_published_versions_welsh_never_changes(app, welsh_version):
    entry = next(e for e in welsh_version.entries if e.key == "azure-openai")
    with pytest.raises(DatabaseError, match="published register version never changes"), db.session.begin_nested():
        db.session.execute(
            update(RegisterEntry).where(RegisterEntry.id == entry.id).values(purpose_cy="Rhywbeth arall")
        )


def test_the_public_register_in_welsh_falls_back_to_marked_english_with_one_note(client, welsh_version, in_welsh):
    page = client.get("/sub-processors")
    html = page.get_data(as_text=True)
    assert PURPOSE_CY in html and LOCATION_CY in html and "Cymraeg i Azure." in html
    assert html.count('id="welsh-missing"') == 1
    # Another supplier's purpose has no Welsh: shown in English, marked so screen readers say it so.
    other = next(e for e in welsh_version.entries if e.key != "azure-openai" and e.purpose)
    assert f'<span lang="en">{other.purpose}</span>' in html.replace("&#39;", "'").replace("&#x27;", "'")


def test_the_public_register_in_english_is_unchanged(client, welsh_version):
    html = client.get("/sub-processors").get_data(as_text=True)
    assert PURPOSE_CY not in html and 'id="welsh-missing"' not in html and '<span lang="en">' not in html


def test_a_version_with_all_its_welsh_has_no_note(client, welsh_version, in_welsh):
    publish_version(
        [build_entry("only-one", purpose="Hosting", purpose_cy="Lletya", location="UK", location_cy="DU")],
        published_at=service.now(),
    )
    db.session.commit()
    html = client.get("/sub-processors").get_data(as_text=True)
    assert "Lletya" in html and "Hosting" not in html
    assert 'id="welsh-missing"' not in html and '<span lang="en">' not in html


def test_the_tenancy_pages_show_the_welsh_and_the_option_names(
    client_request, welsh_version, azure_fallback, school, viewer, in_welsh
):
    azure_fallback.name_cy, azure_fallback.description_cy = "Wrth gefn Azure", "Defnyddio Azure pan fydd angen."
    db.session.commit()
    client_request.sign_in(viewer)
    page = client_request.get("tenancy_register.effective_set", tenancy=school.slug)
    assert page.find(id="welsh-missing") is not None
    assert "Wrth gefn Azure" in text_of(page.find(id=f"option-{azure_fallback.key}"))
    options = client_request.get("tenancy_register.options", tenancy=school.slug)
    assert options.find(id=f"option-{azure_fallback.key}").get_text(strip=True) == "Wrth gefn Azure"
    assert "Defnyddio Azure pan fydd angen." in text_of(options)
    governed = options.find(id=f"option-{azure_fallback.key}").find_parent("section")
    assert f"({LOCATION_CY})" in text_of(governed)


def test_the_json_carries_the_welsh_and_validates(client, welsh_version):
    schema = json.loads(SCHEMA_PATH.read_text())
    document = client.get("/sub-processors.json").json
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        document
    )
    entries = {e["key"]: e for e in document["data_sub_processors"] + document["platform_utilities"]}
    assert entries["azure-openai"]["welsh"] == {"purpose": PURPOSE_CY, "location": LOCATION_CY}
    assert all("welsh" not in e for key, e in entries.items() if key != "azure-openai")
    assert document["version"]["welsh"] == {"summary": "Cymraeg i Azure."}


def test_the_feed_is_in_the_readers_language_with_the_vendors_welsh(client, welsh_version, in_welsh):
    """The Atom feed speaks the reader's language (#29): xml:lang on the feed, the version's Welsh summary,
    the Welsh purpose where written, and English the vendor has not translated marked xml:lang="en"."""
    from xml.etree import ElementTree as ET

    response = client.get("/sub-processors.atom")
    assert "Accept-Language" in response.headers.get("Vary", "")
    feed = ET.fromstring(response.data)  # noqa: S314 -- our own feed
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.get(lang) == "cy"
    newest = feed.findall(f"{atom}entry/{atom}content")[0]
    assert newest.text.startswith("Cymraeg i Azure.") and newest.get(lang) is None
    older = feed.findall(f"{atom}entry/{atom}content")[-1]
    assert older.get(lang) == "en"  # the first version has no Welsh summary


def test_the_feed_in_english_is_unchanged(client, welsh_version):
    from xml.etree import ElementTree as ET

    feed = ET.fromstring(client.get("/sub-processors.atom").data)  # noqa: S314 -- our own feed
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert feed.get(lang) == "en"
    assert b"Cymraeg" not in client.get("/sub-processors.atom").data
    assert all(element.get(lang) is None for element in feed.iter() if element is not feed)
