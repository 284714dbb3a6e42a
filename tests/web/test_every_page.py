"""Every page each role may open: no Python None reaches it, and it passes the page checks (#25)."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.extensions import db
from portal.tenancy.models import Tenancy
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
            caption_of_tenancy(stop.url, html, found)
            for match in PYTHON_NONE.finditer(html):
                context = html[max(0, match.start() - 120) : match.end() + 20]
                found.append(f"{role} {stop.endpoint} {stop.url}: …{context}…")
    assert not found, "\n".join(found)


TENANCY_PAGE = re.compile(r"^/t/([a-z0-9-]+)/.")


def caption_of_tenancy(url: str, html: str, found: list[str]) -> None:
    """Every page inside a tenancy (but its overview) is captioned with the tenancy's name, or with the
    name of the academy a trust's page is about (an academy's objection, seen by its trust) (#25)."""
    match = TENANCY_PAGE.match(url)
    if match is None:
        return
    tenancy = db.session.scalar(select(Tenancy).where(Tenancy.slug == match.group(1)))
    names = {tenancy.name, *(academy.name for academy in tenancy.academies)}
    caption = check_page(html).select_one(".govuk-caption-l")
    if caption is None or caption.get_text(" ", strip=True) not in names:
        found.append(f"{url}: caption {caption.get_text(' ', strip=True) if caption else None!r}, not {tenancy.name!r}")
