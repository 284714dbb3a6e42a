"""register/cache.py's page cache: its key is built from every input a page depends on.

The key always holds the endpoint, its view arguments and whether the visitor is signed in;
the view declares the rest. Each test changes one input and sees a different key or page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from portal.changes.models import ChangeNotice
from portal.extensions import db
from portal.register.cache import page_key
from tests.changes.builders import announced
from tests.register.builders import entry, publish_version


def _key(app, path: str, signed_in: bool = False, **declared):
    with app.test_request_context(path) as ctx:
        if signed_in:
            ctx.session["_user_id"] = "1:1"
        return page_key(**declared)


def test_each_input_of_the_key_changes_it(app):
    base = _key(app, "/sub-processors/versions/1", version=1, today=dt.date(2026, 12, 6))
    assert base == _key(app, "/sub-processors/versions/1", version=1, today=dt.date(2026, 12, 6))
    others = [
        _key(app, "/sub-processors", version=1, today=dt.date(2026, 12, 6)),  # endpoint
        _key(app, "/sub-processors/versions/2", version=1, today=dt.date(2026, 12, 6)),  # view argument
        _key(app, "/sub-processors/versions/1", True, version=1, today=dt.date(2026, 12, 6)),  # signed in
        _key(app, "/sub-processors/versions/1", version=2, today=dt.date(2026, 12, 6)),  # published version
        _key(app, "/sub-processors/versions/1", version=1, today=dt.date(2026, 12, 7)),  # UK date
        _key(app, "/sub-processors/versions/1", version=1, today=dt.date(2026, 12, 6), notices=(3,)),  # declared
    ]
    assert len({base, *others}) == 1 + len(others)


def _current_navigation(client, path: str) -> list[str]:
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return [link.get_text(strip=True) for link in page.select("[aria-current]")]


def test_the_register_and_its_current_versions_address_keep_their_own_navigation(client, demo_register):
    version_path = f"/sub-processors/versions/{demo_register.sequence}"
    assert "Sub-processors" not in _current_navigation(client, version_path)
    assert "Sub-processors" in _current_navigation(client, "/sub-processors")
    assert "Sub-processors" not in _current_navigation(client, version_path)


def test_a_newly_published_version_and_a_new_notice_change_the_kept_page(client, demo_register):
    assert demo_register.number in client.get("/sub-processors").get_data(as_text=True)
    publish_version([entry("newco", supplier="Newco Hosting Ltd")], number="9.9")
    db.session.commit()
    page = client.get("/sub-processors").get_data(as_text=True)
    assert "9.9" in page and "Newco Hosting Ltd" in page
    notice = announced()
    db.session.commit()
    assert notice.title in client.get("/sub-processors").get_data(as_text=True)


def test_an_announced_notice_cannot_be_edited_in_the_database(app):
    notice = announced()
    db.session.flush()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(update(ChangeNotice).where(ChangeNotice.id == notice.id).values(title="Something else"))
    with db.session.begin_nested():  # withdrawing it stays possible
        db.session.execute(
            update(ChangeNotice).where(ChangeNotice.id == notice.id).values(withdrawal_reason="Plans changed")
        )
