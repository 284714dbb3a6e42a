"""The machine-readable register as a public data feed (#20 item 5): facts and classification in
the JSON and the Atom feed, CORS, validators with 304 answers, immutable per-version JSON, and
announced changes dated by the version that first announced them."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import jsonschema

from portal.audit.service import Actor
from portal.dates import govuk_date, uk_today
from portal.extensions import db
from portal.register import service
from portal.register.publication import SCHEMA_PATH
from tests.register.test_service import publish

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLIC = (
    "/sub-processors.json",
    "/sub-processors.schema.json",
    "/sub-processors.atom",
    "/sub-processors/versions/1.json",
)


def test_every_public_document_is_readable_from_any_origin_and_answers_304(client, demo_register):
    for url in PUBLIC:
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.headers["Access-Control-Allow-Origin"] == "*", url
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        assert again.headers["ETag"] == etag
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304, url
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200, url


def test_the_json_validates_and_a_repeated_request_with_its_etag_is_a_304(client, demo_register):
    schema = json.loads(SCHEMA_PATH.read_text())
    response = client.get("/sub-processors.json")
    document = response.json
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(
        document
    )
    assert document["schema_version"] == "2.1.0" and schema["properties"]["schema_version"]["const"] == "2.1.0"
    assert client.get("/sub-processors.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_json_carries_facts_and_the_classification(client, demo_register):
    document = client.get("/sub-processors.json").json
    entries = {e["key"]: e for e in document["data_sub_processors"] + document["platform_utilities"]}
    azure = entries["azure-openai"]
    assert azure["facts"]["parent_country"] == "US" and azure["facts"]["jurisdiction_note"] == "us-law"
    assert azure["facts"]["transfer"]["mechanism"] == "uk_dpf_extension"
    assert [m["name"] for m in azure["facts"]["ai"]["models"]] == ["gpt-4.1-mini", "gpt-4.1"]
    assert azure["change"]["classification"] == "material" and "new AI models: gpt-4.1" in azure["change"]["reasons"]
    assert entries["kestrel-moderation"]["change"]["change"] == "added"
    assert entries["fellside-infrastructure"]["change"]["classification"] == "editorial"
    pennine = entries["pennine-cloud"]["facts"]
    assert pennine["special_category"] is True
    assert {
        "key": "accessibility_send",
        "label": "accessibility and SEND needs",
        "sensitivity": "special_category",
    } in (pennine["categories"])
    (note,) = document["jurisdiction_notes"]
    assert note["heading"] == "US law and your data"
    assert set(note["applies_to"]) == {"azure-openai", "azure-speech", "tollgate-payments", "postwick-mail"}
    assert document["version"]["previous"] == "1.3" and document["version"]["material"] is True
    # The prose fields stay for one more major version.
    assert "data_categories" in azure and "location" in azure


def test_a_published_versions_json_never_changes_so_it_is_cached_for_ever(client, demo_register):
    response = client.get("/sub-processors/versions/1.json")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    document = response.json
    # Its upcoming changes are those it announced when published, whatever the date today.
    assert document["version"]["previous"] is None
    assert all(e["change"]["change"] == "added" for e in document["data_sub_processors"])
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert client.get("/sub-processors.json").headers["Cache-Control"] == "public, max-age=60"


def test_the_feed_keeps_the_version_and_time_that_first_announced_a_change(client, app, demo_register, vendor_staff):
    four = service.current_version()
    announced_at = four.published_at
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    pennine = next(e for e in draft.entries if e.key == "pennine-cloud")
    pennine.purpose = "Hosting the Larkspur application and its data."
    db.session.flush()
    publish(draft, Actor.of(vendor_staff), summary="Wording only.")
    db.session.commit()

    feed = ET.fromstring(client.get("/sub-processors.atom").data)  # noqa: S314 -- our own feed
    entries = {e.find(f"{ATOM}title").text: e for e in feed.findall(f"{ATOM}entry")}
    kestrel = next(e for title, e in entries.items() if title.startswith("Kestrel Moderation Ltd to be added"))
    assert kestrel.find(f"{ATOM}summary").text.startswith(f"Announced in version 1.4 on {govuk_date(announced_at)}.")
    assert kestrel.find(f"{ATOM}updated").text == announced_at.isoformat().replace("+00:00", "Z")
    fellside = next(e for title, e in entries.items() if title.startswith("Fellside Infrastructure Ltd to be removed"))
    assert "Announced in version 1.4" in fellside.find(f"{ATOM}summary").text
    # Each version says whether it was material, and each entry's change why.
    assert entries["Version 1.5 published"].find(f"{ATOM}category").get("term") == "editorial"
    assert entries["Version 1.4 published"].find(f"{ATOM}category").get("term") == "material"
    content = entries["Version 1.5 published"].find(f"{ATOM}content").text
    assert (
        "Changed: Pennine Sovereign Cloud Ltd (including Harbour AI) (purpose). Editorial: changed: purpose." in content
    )
    # The JSON agrees.
    upcoming = {c["key"]: c for c in client.get("/sub-processors.json").json["upcoming_changes"]}
    assert upcoming["kestrel-moderation"]["announced_in"]["version"] == "1.4"
    assert uk_today() < dt_from(upcoming["kestrel-moderation"]["date"])


def dt_from(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)
