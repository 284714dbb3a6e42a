"""Every page each role may open: no Python None reaches it, and it passes the page checks (#25)."""

from __future__ import annotations

import re

from tests.access.matrix import ROLES
from tests.factories import sign_in_client
from tests.pages import PageError, check_page
from tests.web.walk import build_walk

# "None" as a whole printed value: between tags, after a label's colon, or as an attribute value.
PYTHON_NONE = re.compile(r">\s*None\s*<|:\s*None\b|=\"None\"")


def test_no_page_shows_a_python_none(app, client):
    world, stops = build_walk(app)
    found: list[str] = []
    for role in ROLES:
        if role != "anonymous":
            sign_in_client(client, world.users[role])
        for stop in (s for s in stops if s.role == role):
            response = client.get(stop.url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            try:
                check_page(html)  # one h1, nonces, every POST button preventing a double click, ...
            except PageError as error:
                found.append(f"{role} {stop.endpoint} {stop.url}: {error}")
            for match in PYTHON_NONE.finditer(html):
                context = html[max(0, match.start() - 120) : match.end() + 20]
                found.append(f"{role} {stop.endpoint} {stop.url}: …{context}…")
    assert not found, "\n".join(found)
