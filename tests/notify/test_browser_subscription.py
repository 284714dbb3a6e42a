"""A member of the public subscribes, confirms from the mail, gets the next notice, and unsubscribes by its link."""

from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.auth.models import VendorRole
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify import subscriptions
from portal.notify.fanout import Notice, announce
from portal.notify.models import Subscriber
from portal.notify.worker import deliver_due
from tests.browser import assert_accessible, sign_in_browser
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def sink(live_app: Flask) -> Any:
    with MailSink() as sink:
        live_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
        yield sink


def deliver() -> None:
    db.session.remove()  # see what the server's requests committed
    deliver_due()


def addresses() -> list[str]:
    db.session.remove()
    found = list(db.session.scalars(select(Subscriber.address)))
    db.session.remove()  # end the read: on SQLite (WAL) a stale read snapshot could not write later
    return found


def notice(n: int) -> None:
    announce(
        Notice(
            subject=f"We plan to add a sub-processor ({n})",
            summary="We plan to add Acme Analytics from 1 March 2027.",
            links=[("What changes", "https://portal.example/register/diff")],
            reference=f"change-notice:{n}",
        )
    )
    db.session.commit()
    deliver()


def test_subscribe_confirm_receive_and_unsubscribe(
    live_server: Any, sink: MailSink, page: Any, console_errors: Any
) -> None:
    page.goto(live_server.url + "/subscribe")
    assert_accessible(page)
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter an email address in the correct format" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Email address").fill("Parent@Example.org")
    page.get_by_role("button", name="Subscribe").click()
    assert page.locator("h1").inner_text() == "Check your email"
    assert_accessible(page)

    deliver()
    (confirmation,) = sink.messages
    assert confirmation.recipients == ["parent@example.org"]
    link = next(link for link in confirmation.links if "/subscribe/confirm/" in link)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Confirm your subscription"
    assert_accessible(page)
    assert addresses() == ["parent@example.org"]
    page.get_by_role("button", name="Confirm subscription").click()
    assert page.locator("h1").inner_text() == "You are subscribed"
    assert "No change is announced at the moment." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="See the list of sub-processors").click()
    assert_accessible(page)
    deliver()
    welcome = sink.messages[1]  # a welcome that lists the changes open now and links the register (#25)
    assert "You are subscribed" in welcome.subject and any(link.endswith("/sub-processors") for link in welcome.links)

    notice(1)
    assert [m.subject for m in sink.messages][2:] == ["We plan to add a sub-processor (1)"]
    mail = sink.messages[2]
    assert "1 March 2027" in mail.text
    unsubscribe = next(link for link in mail.links if "/unsubscribe/" in link)
    assert mail.message["List-Unsubscribe"] == f"<{unsubscribe}>"
    page.goto(unsubscribe)
    assert_accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.locator("h1").inner_text() == "You have unsubscribed"
    assert_accessible(page)
    assert addresses() == []
    page.goto(unsubscribe)  # the link keeps working after the address is gone
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.locator("h1").inner_text() == "You have unsubscribed"
    assert "has been deleted from our list" in page.locator("main").inner_text()
    notice(2)
    assert len(sink.messages) == 3  # nothing more for the address
    assert console_errors == []


def test_one_click_post_from_a_mail_client_unsubscribes(live_server: Any, sink: MailSink) -> None:
    subscriptions.subscribe("dpo@example.org")
    db.session.commit()
    deliver()
    token = sink.messages[0].links[0].rsplit("/", 1)[1]
    subscriptions.confirm(token)
    db.session.commit()
    notice(1)
    header = sink.messages[1].message["List-Unsubscribe"].strip("<>")
    assert sink.messages[1].message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As RFC 8058 says a mail client sends it: no cookies, no CSRF token.
    request = urllib.request.Request(  # noqa: S310 (our own test server)
        header, data=urllib.parse.urlencode({"List-Unsubscribe": "One-Click"}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own test server)
        assert response.status == 200
    assert addresses() == []


def test_vendor_outbox_page_is_accessible(live_server: Any, sink: MailSink, page: Any) -> None:
    staff = make_user("Sam Staff", vendor_role=VendorRole.STAFF)
    sink.refuse("refused@example.org")
    subscriptions.subscribe("refused@example.org")
    db.session.commit()
    sign_in_browser(page, live_server, staff)
    deliver()
    page.goto(live_server.url + "/vendor/outbox/")
    assert page.locator("h1").inner_text() == "Outbox"
    assert "550" in page.locator("#failed ~ .portal-table-region table").first.inner_text()
    assert_accessible(page)
