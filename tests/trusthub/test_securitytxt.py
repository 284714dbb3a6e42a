"""/.well-known/security.txt checked against RFC 9116's grammar and rules (section 2.5 and 4)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

# RFC 9116 section 4 (ABNF), as regular expressions: field-name is 1*(%x21-39 / %x3B-7E), a colon,
# optional whitespace, a value of visible characters and spaces, each line ending in CRLF or LF.
FIELD = re.compile(r"^(?P<name>[\x21-\x39\x3b-\x7e]+):[ \t]*(?P<value>[\x20-\x7e]*[\x21-\x7e])$")
COMMENT = re.compile(r"^#[\x20-\x7e]*$")
# RFC 3339 date-time (the "Expires" field).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
ONCE = {"expires", "preferred-languages"}
REQUIRED = {"contact", "expires"}


def parse(text: str) -> dict[str, list[str]]:
    """Fields by lower-case name; fails on any line the grammar does not allow."""
    assert text.endswith("\n"), "every line, the last included, ends with a line break"
    fields: dict[str, list[str]] = {}
    for line in re.split(r"\r?\n", text)[:-1]:
        if not line or COMMENT.match(line):
            continue
        match = FIELD.match(line)
        assert match, f"not a field line by RFC 9116's grammar: {line!r}"
        fields.setdefault(match["name"].lower(), []).append(match["value"])
    return fields


def _https_or_mailto(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in {"https", "http", "mailto"} and bool(parts.netloc or parts.path)


def check(text: str, *, fetched_from: str, now: dt.datetime) -> dict[str, list[str]]:
    fields = parse(text)
    assert fields.keys() >= REQUIRED
    for name in ONCE:
        assert len(fields.get(name, [])) <= 1, f"{name} must appear at most once"
    assert all(_https_or_mailto(uri) for uri in fields["contact"])
    expires = fields["expires"][0]
    assert DATE_TIME.match(expires)
    when = dt.datetime.fromisoformat(expires.replace("Z", "+00:00"))
    # Section 2.5.5: in the future, and less than a year ahead.
    assert now < when < now + dt.timedelta(days=365)
    assert fields["canonical"] == [fetched_from], "Canonical names the address the file is served at"
    for uri in fields.get("policy", []):
        assert _https_or_mailto(uri)
    for tag in fields["preferred-languages"][0].split(","):
        assert LANGUAGE_TAG.match(tag.strip())
    return fields


def test_security_txt_follows_rfc_9116(app, client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    fields = check(
        response.get_data(as_text=True),
        fetched_from="http://localhost/.well-known/security.txt",
        now=dt.datetime.now(dt.UTC),
    )
    assert fields["contact"] == [f"mailto:{app.config['VENDOR_SECURITY_EMAIL']}"]
    assert fields["policy"] == ["http://localhost/security#vulnerability-management"]
    assert fields["preferred-languages"] == ["en"]


def test_canonical_and_policy_use_the_configured_base_url(app, client):
    app.config["BASE_URL"] = "https://agreements.larkspur.example/"
    app.config["SECURITY_TXT_LANGUAGES"] = "en, cy"
    text = client.get("/.well-known/security.txt").get_data(as_text=True)
    fields = check(
        text, fetched_from="https://agreements.larkspur.example/.well-known/security.txt", now=dt.datetime.now(dt.UTC)
    )
    assert fields["policy"] == ["https://agreements.larkspur.example/security#vulnerability-management"]


@pytest.mark.parametrize("days", [1, 180, 364, 365, 5000])
def test_expires_is_always_under_a_year_ahead(app, client, days):
    app.config["SECURITY_TXT_EXPIRES_DAYS"] = days
    check(
        client.get("/.well-known/security.txt").get_data(as_text=True),
        fetched_from="http://localhost/.well-known/security.txt",
        now=dt.datetime.now(dt.UTC),
    )


def test_the_policy_link_points_at_the_disclosure_section(app, client):
    from tests.access.rules_trusthub import _overview_published

    _overview_published(None, None)
    page = client.get("/security").get_data(as_text=True)
    assert 'id="vulnerability-management"' in page
    assert app.config["VENDOR_SECURITY_EMAIL"] in page


@pytest.mark.parametrize(
    "bad",
    [
        "Contact mailto:x@example.org\n",
        "Contact: mailto:x@example.org",
        "Con tact: x\n",
        "Contact:\n",
        "Expires: 2027-01-01\n",
    ],
)
def test_the_parser_refuses_what_the_grammar_does_not_allow(bad):
    with pytest.raises(AssertionError):
        check(bad, fetched_from="", now=dt.datetime.now(dt.UTC))
