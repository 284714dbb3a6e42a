"""The whole portal in Welsh (#29): every string has Welsh, and no page of the portal's own wording
stays in English.

The catalogue test reads the same extraction as `make translations`. The page test walks every
GET page each role may open (tests/web/walk.py, the access matrix's world) with the language
cookie set to Cymraeg, and looks for English words that Welsh never uses. What the page shows
from the database (names, the vendor's and schools' own text) is data, not the portal's wording:
it is removed first, and so is anything marked `lang="en"` (the vendor's untranslated register
text). What is left must be Welsh.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from sqlalchemy import String, Text, select

from portal.devtools.catalogue import missing
from portal.extensions import db
from portal.web.language import COOKIE
from tests.access.matrix import ROLES
from tests.factories import sign_in_client
from tests.pages import squeeze
from tests.web.walk import build_walk

# Common English words that are not Welsh words ("is", "to", "a", "i" and "o" are, so they are not here).
ENGLISH = re.compile(
    r"\b(the|and|your|you|with|this|will|which|when|have|has|are|not|from|for|what|there|their|been|can't|cannot)\b",
    re.IGNORECASE,
)


def test_every_string_of_the_portal_has_welsh():
    gaps = missing()
    listed = "\n".join(f"{m.locations[0][0]}:{m.locations[0][1]}: {m.id!r}" for m in gaps[:60])
    assert not gaps, f"{len(gaps)} strings have no Welsh or a fuzzy one (make translations-update):\n{listed}"


def _data() -> list[str]:
    """Every text value stored in the database, longest first: what a page shows that is not its wording."""
    values: set[str] = set()
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)) and not column.name.endswith(("hash", "token", "digest")):
                values.update(v for v in db.session.scalars(select(column).distinct()) if v and len(v) > 2)
    return sorted(values, key=len, reverse=True)


def _wording(html: str, data: list[str]) -> str:
    page = BeautifulSoup(html, "html.parser")
    for node in page.select('script, style, [lang="en"], [lang="en-GB"], .govuk-visually-hidden[data-data]'):
        node.decompose()
    main = page.body or page
    text = squeeze(main.get_text(" "))
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


def test_no_page_of_the_portal_stays_in_english(app, client):
    world, stops = build_walk(app)
    data = [squeeze(value) for value in _data()]
    client.set_cookie(COOKIE, "cy")
    found: list[str] = []
    for role in ROLES:
        if role != "anonymous":
            sign_in_client(client, world.users[role])
            client.set_cookie(COOKIE, "cy")
        for stop in (s for s in stops if s.role == role):
            response = client.get(stop.url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            text = _wording(response.get_data(as_text=True), data)
            for match in ENGLISH.finditer(text):
                context = text[max(0, match.start() - 50) : match.end() + 50]
                found.append(f"{stop.endpoint}: …{context}…")
                break
    unique = list(dict.fromkeys(found))
    assert not unique, f"{len(unique)} pages have English wording:\n" + "\n".join(unique[:80])
