"""The public register: the page, earlier versions, comparisons, JSON against its schema, the Atom feed."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from bs4 import BeautifulSoup

from portal.register.publication import SCHEMA_PATH
from tests.pages import text_of

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_register_reads_like_the_seed_pages(client_request, demo_register):
    page = client_request.get("register.public_register")
    text = text_of(page)
    assert page.h1.get_text(strip=True) == "Sub-processors"
    # Version, dates, owner and contact.
    assert "Version 1.4" in text and "Owner Helen Marsh, Chief Executive" in text
    assert "Next review" in text and "privacy@larkspur.example" in text
    # Data sub-processors and platform utilities apart.
    data, utilities = page.find(id="data-sub-processors"), page.find(id="platform-utilities")
    between = text[text.index("Data sub-processors at a glance") : text.index("Platform utilities at a glance")]
    assert "Microsoft Azure OpenAI Service" in between and "Tollgate Payments" not in between
    assert data and utilities
    # Every field of an entry, its facts, the link to the note on US law, the condition and the temporary status.
    azure = page.find(id="entry-azure-openai").find_parent("section")
    azure_text = text_of(azure)
    for expected in (
        "Microsoft Corporation",
        "Azure OpenAI (gpt-4.1-mini, gpt-4.1)",
        "Fallback AI inference",
        "Chat message text",
        "United Kingdom (Azure UK South)",
        "ISO 27017",
        "Microsoft Products and Services Data Protection Addendum",
        "aka.ms/privacyresponse",
        "Risk note",
        "headquarters: United States",
        "US law and your data",
        # The facts, in plain English.
        "Pupils, Staff",
        "AI chat messages and prompts",
        "gpt-4.1-mini",
        "Fallback: used only when the primary service is unavailable",
        "UK Extension to the EU-US Data Privacy Framework",
        "No: customer data is never used to train or improve models",
    ):
        assert expected in azure_text, expected
    assert "only where voice input is enabled" in text_of(page.find(id="entry-azure-speech").find_parent("section"))
    assert "Active (temporary)" in text_of(page.find(id="entry-fellside-infrastructure").find_parent("section"))
    # Not a sub-processor, with its reason.
    assert "Quayside Edge Ltd" in text_of(page.find(id="not-sub-processors").find_next("dl"))
    # Upcoming changes with their dates.
    upcoming = page.find("caption", string=re.compile("Upcoming changes")).find_parent("table")
    assert "Kestrel Moderation Ltd" in text_of(upcoming) and "Fellside Infrastructure Ltd" in text_of(upcoming)
    links = {a.get_text(" ", strip=True): a["href"] for a in page.find_all("a")}
    assert links["Every published version"] == "/sub-processors/versions"
    assert links["Compare two versions"] == "/sub-processors/compare"
    assert page.find("link", rel="alternate", type="application/atom+xml")


def test_public_pages_may_be_cached_for_a_minute(client, demo_register):
    for url in ("/sub-processors", "/sub-processors.json", "/sub-processors.atom", "/sub-processors/versions"):
        assert client.get(url).headers["Cache-Control"] == "public, max-age=60", url


def test_before_anything_is_published(client_request, client):
    page = client_request.get("register.public_register")
    assert "No version of the register has been published yet" in text_of(page)
    response = client.get("/sub-processors.json")
    assert response.status_code == 404 and "No version" in response.json["message"]


def test_the_json_validates_against_the_published_schema(client, demo_register):
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    served = client.get("/sub-processors.schema.json")
    assert served.status_code == 200 and json.loads(served.data) == schema

    document = client.get("/sub-processors.json").json
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(document)
    assert document["version"]["number"] == "1.4"
    assert [e["key"] for e in document["platform_utilities"]] == ["tollgate-payments", "postwick-mail"]
    azure = next(e for e in document["data_sub_processors"] if e["key"] == "azure-openai")
    assert "fallback" in azure["risk_note"]
    assert document["not_sub_processors"][0]["supplier"] == "Quayside Edge Ltd"
    assert {c["key"] for c in document["upcoming_changes"]} == {"kestrel-moderation", "fellside-infrastructure"}


def test_the_schema_rejects_a_conditional_entry_without_its_service(client, demo_register):
    schema = json.loads(SCHEMA_PATH.read_text())
    document = client.get("/sub-processors.json").json
    speech = next(e for e in document["data_sub_processors"] if e["key"] == "azure-speech")
    speech["condition_service"] = None
    with pytest.raises(jsonschema.ValidationError, match="None is not of type 'string'"):
        jsonschema.validate(document, schema)


def test_an_earlier_versions_json_is_served_too(client, demo_register):
    document = client.get("/sub-processors/versions/1.json").json
    assert document["version"]["number"] == "1.3"
    assert client.get("/sub-processors/versions/99.json").status_code == 404


def test_the_atom_feed_has_every_element_rfc_4287_requires(client, demo_register):
    response = client.get("/sub-processors.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 -- our own feed; well-formed, or this raises
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{tag}").text, tag
    # The feed has an author, so entries may omit theirs (RFC 4287 4.1.1).
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Larkspur Learning Ltd"
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href").endswith("/sub-processors")
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert "Version 1.4 published" in titles and "Version 1.3 published" in titles
    assert any(t.startswith("Kestrel Moderation Ltd to be added on") for t in titles)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("http")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.find(f"{ATOM}updated").text)
        alternate = entry.find(f"{ATOM}link[@rel='alternate']")
        assert alternate is not None and alternate.get("href").startswith("http")
        assert entry.find(f"{ATOM}content") is not None or entry.find(f"{ATOM}summary") is not None
    version_entry = entries[titles.index("Version 1.4 published")]
    assert "Added: Kestrel Moderation Ltd" in version_entry.find(f"{ATOM}content").text


def test_the_versions_list_and_an_earlier_version(client_request, demo_register):
    page = client_request.get("register.versions")
    rows = [text_of(row) for row in page.select("tbody tr")]
    assert rows[0].startswith("Version 1.4 (current)") and rows[1].startswith("Version 1.3")
    earlier = client_request.get("register.version", sequence=1)
    assert earlier.h1.get_text(strip=True) == "Sub-processors: version 1.3"
    assert "This version has been replaced" in text_of(earlier)
    assert "Kestrel" not in text_of(earlier)
    client_request.get("register.version", sequence=99, _expected_status=404)


def test_comparing_two_versions(client_request, demo_register):
    page = client_request.get("register.compare")  # the latest two by default
    text = text_of(page)
    assert "Changes from version 1.3 to version 1.4" in text
    assert "Kestrel Moderation Ltd: added" in text
    assert "Microsoft Azure OpenAI Service: changed" in text
    azure = page.find(id="change-azure-openai").find_next("table")
    assert "Azure OpenAI (gpt-4.1-mini)" in azure.find("del").get_text()
    assert "Azure OpenAI (gpt-4.1-mini, gpt-4.1)" in azure.find("ins").get_text()
    # Each change says whether it was material, and why; the facts are compared too.
    assert text_of(page.find(id="classification-azure-openai")).startswith("Material Needs notice")
    assert "new AI models: gpt-4.1" in text_of(page.find(id="classification-azure-openai"))
    assert "AI models: gpt-4.1-mini, gpt-4.1" in text_of(azure)
    assert "Editorial No notice needed" in text_of(page.find(id="classification-fellside-infrastructure"))
    assert "new supplier" in text_of(page.find(id="classification-kestrel-moderation"))
    # Either order reads earlier to later.
    swapped = client_request.get("register.compare", **{"from": 2, "to": 1})
    assert "Changes from version 1.3 to version 1.4" in text_of(swapped)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"from": "1"}, "Choose two versions to compare."),
        ({"from": "one", "to": "2"}, "the addresses of versions are numbers"),
        ({"from": "1", "to": "77"}, "There is no published version with that number"),
        ({"from": "2", "to": "2"}, "Choose two different versions"),
        ({"from": "9" * 40, "to": "2"}, "the addresses of versions are numbers"),
    ],
)
def test_comparing_with_bad_input_explains_the_problem(client_request, demo_register, args, message):
    page = client_request.get("register.compare", _expected_status=400, **args)
    assert message in text_of(page.find(class_="govuk-error-summary"))
    assert page.title.get_text().startswith("Error:")


def _nonce_of(response) -> tuple[str, str]:
    """The nonce in the CSP header and the one on the page's inline script."""
    header = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    body = re.search(r'<script nonce="([^"]+)"', response.get_data(as_text=True))
    assert body is not None
    return header, body.group(1)


def test_a_visitor_without_a_session_gets_the_kept_page_with_their_own_nonce(app, client, demo_register, count_queries):
    first = client.get("/sub-processors")
    with count_queries() as kept:
        second = client.get("/sub-processors")
    # The same page, from the cache: one light statement (current version and announced notices).
    assert second.status_code == 200 and kept.count == 1
    strip = re.compile(r'nonce="[^"]+"')
    assert strip.sub("", first.get_data(as_text=True)) == strip.sub("", second.get_data(as_text=True))
    # Each response carries its own nonce, in the header and on the script alike.
    (header_1, body_1), (header_2, body_2) = _nonce_of(first), _nonce_of(second)
    assert header_1 == body_1 and header_2 == body_2 and header_1 != header_2
    assert second.headers["Cache-Control"] == "public, max-age=60"


def test_a_new_version_replaces_the_kept_page_at_once(client, demo_register):
    from tests.register.builders import entry, publish_version

    def page_text() -> str:
        return text_of(BeautifulSoup(client.get("/sub-processors").get_data(as_text=True), "html.parser"))

    assert "Version 1.4" in page_text()
    publish_version([entry("newcomer", supplier="Newcomer Hosting Ltd")], number="2.0")
    text = page_text()
    assert "Version 2.0" in text and "Newcomer Hosting Ltd" in text and "Version 1.4" not in text


def test_a_visitor_with_a_session_gets_their_own_page(client_request, demo_register, data_lead):
    client_request.get("register.public_register")
    client_request.sign_in(data_lead)
    page = client_request.get("register.public_register")
    assert page.find("button", string=re.compile("Sign out"))
    assert "Microsoft Azure OpenAI Service" in page.get_text()
    # Signed in, even the public register is never stored by a browser or proxy (SECURITY.md).
    response = client_request.client.get("/sub-processors")
    assert response.headers["Cache-Control"] == "no-store" and "Cookie" in response.headers["Vary"]
