"""Double opt-in: subscribe, confirm by POST, unsubscribe (page and RFC 8058 one-click), cleanup, limits, audit."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from portal.audit.models import AuditEvent
from portal.audit.service import keyed_hash
from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.models import OutboxMessage, Subscriber
from portal.notify.tokens import digest, unsubscribe_token
from portal.notify.worker import deliver_due
from tests.pages import PageClient

ADDRESS = "Parent.One@Example.org"
STORED = "parent.one@example.org"


def subscribe(client_request: PageClient, address: str = ADDRESS) -> str:
    """Subscribe and return the confirmation token from the queued mail."""
    response = client_request.post("notify.subscribe", {"email": address})
    assert response.location.endswith("/subscribe/check-your-email")
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail is not None
    match = re.search(r"/subscribe/confirm/([\w-]+)", mail.body_text)
    assert match
    return match.group(1)


def subscribers() -> list[Subscriber]:
    return list(db.session.scalars(select(Subscriber)))


def test_subscribe_page_and_form_errors(client_request: PageClient) -> None:
    page = client_request.get("notify.subscribe")
    assert page.find("input", {"name": "email"})
    for value, message in [("", "Enter your email address"), ("not-an-address", "correct format")]:
        page = client_request.post("notify.subscribe", {"email": value}, _expected_status=200)
        assert message in page.select_one(".govuk-error-summary").text
        assert page.title and page.title.text.startswith("Error: ")
    page = client_request.post(
        "notify.subscribe", {"email": "a@example.org\r\nBcc: b@example.org"}, _expected_status=200
    )
    assert "correct format" in page.text
    assert subscribers() == [] and db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_subscribe_sends_one_confirmation_mail_with_a_hashed_expiring_token(client_request: PageClient) -> None:
    token = subscribe(client_request)
    assert len(token) >= 22  # at least 128 bits of URL-safe base64
    (row,) = subscribers()
    assert row.address == STORED and row.confirmed_at is None
    assert row.confirm_token_hash == digest(token) and token not in json.dumps([row.confirm_token_hash])
    assert row.confirm_expires_at is not None
    assert dt.timedelta(days=6, hours=23) < row.confirm_expires_at - now() <= dt.timedelta(days=7)
    (mail,) = db.session.scalars(select(OutboxMessage)).all()
    assert mail.recipient == STORED and mail.list_unsubscribe
    # nothing else is sent until confirmed
    assert announce(Notice(subject="Change", summary="s", links=[], reference="r:1"), include_data_leads=False) == 0


def test_same_answer_whether_or_not_the_address_is_known(client_request: PageClient, client: FlaskClient) -> None:
    first = client.get(client_request.post("notify.subscribe", {"email": ADDRESS}).location).get_data(as_text=True)
    again = client.get(client_request.post("notify.subscribe", {"email": ADDRESS}).location).get_data(as_text=True)
    other = client.get(client_request.post("notify.subscribe", {"email": "new@example.org"}).location)
    strip = re.compile(r'nonce="[^"]+"|name="csrf_token" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", again) == strip.sub("", other.get_data(as_text=True))


def test_a_new_request_replaces_the_old_token(client_request: PageClient) -> None:
    old = subscribe(client_request)
    new = subscribe(client_request)
    client_request.post("notify.confirm", {}, _expected_status=404, token=old)
    client_request.post("notify.confirm", {}, token=new)
    assert subscribers()[0].confirmed_at is not None


def test_confirm_get_changes_nothing_post_confirms_once(client_request: PageClient) -> None:
    token = subscribe(client_request)
    page = client_request.get("notify.confirm", token=token)
    assert page.find("form", {"method": "post"})
    assert subscribers()[0].confirmed_at is None  # a mail scanner following the link confirms nothing
    response = client_request.post("notify.confirm", {}, token=token)
    assert response.location.endswith("/subscribe/confirmed")
    (row,) = subscribers()
    assert row.confirmed_at is not None and row.confirm_token_hash is None
    client_request.get("notify.confirmed")
    client_request.get("notify.confirm", _expected_status=404, token=token)  # single use
    client_request.post("notify.confirm", {}, _expected_status=404, token=token)
    client_request.post("notify.confirm", {"csrf_token": "forged"}, _expected_status=400, token=token)


def test_confirm_needs_csrf(client_request: PageClient, client: FlaskClient) -> None:
    token = subscribe(client_request)
    assert client.post(f"/subscribe/confirm/{token}").status_code == 400
    assert subscribers()[0].confirmed_at is None


def test_expired_token_fails_and_cleanup_forgets_the_address(app: Flask, client_request: PageClient) -> None:
    token = subscribe(client_request)
    fresh = subscribe(client_request, "fresh@example.org")
    db.session.execute(
        update(Subscriber)
        .where(Subscriber.address == STORED)
        .values(confirm_expires_at=now() - dt.timedelta(seconds=1))
    )
    client_request.get("notify.confirm", _expected_status=404, token=token)
    result = app.test_cli_runner().invoke(args=["notify", "cleanup"])
    assert result.exit_code == 0 and "1 unconfirmed" in result.output
    assert [s.address for s in subscribers()] == ["fresh@example.org"]
    client_request.post("notify.confirm", {}, token=fresh)


def test_unsubscribe_page_then_post_deletes_the_row_and_the_link_keeps_working(client_request: PageClient) -> None:
    client_request.post("notify.confirm", {}, token=subscribe(client_request))
    token = unsubscribe_token(STORED)
    page = client_request.get("notify.unsubscribe", token=token)
    assert page.find("button", string=re.compile("Unsubscribe"))
    assert len(subscribers()) == 1  # GET changes nothing
    page = client_request.post("notify.unsubscribe", {}, _expected_status=200, token=token)
    answer = page.select_one("main").text
    assert "You have unsubscribed" in answer and subscribers() == []
    again = client_request.post("notify.unsubscribe", {}, _expected_status=200, token=token)
    unknown = client_request.post("notify.unsubscribe", {}, _expected_status=200, token="x" * 43)
    assert again.select_one("main").text == answer == unknown.select_one("main").text


def test_one_click_post_without_csrf_unsubscribes(client_request: PageClient, app: Flask) -> None:
    client_request.post("notify.confirm", {}, token=subscribe(client_request))
    fresh = app.test_client()  # a mail client: no session, no CSRF token, RFC 8058 body
    response = fresh.post(
        f"/unsubscribe/{unsubscribe_token(STORED)}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200 and subscribers() == []


def test_rotating_the_secret_key_keeps_unsubscribe_links_working(
    client_request: PageClient, app: Flask, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_KEY", "u" * 48)
    client_request.post("notify.confirm", {}, token=subscribe(client_request))
    in_mail = unsubscribe_token(STORED)

    # Without its own key the token would follow SECRET_KEY, and every link would break.
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_KEY", None)
    assert unsubscribe_token(STORED) != in_mail
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_KEY", "u" * 48)

    monkeypatch.setitem(app.config, "SECRET_KEY", "a-rotated-secret-key-" + "r" * 32)
    assert unsubscribe_token(STORED) == in_mail  # mails sent after the rotation carry the same link
    response = app.test_client().post(
        f"/unsubscribe/{in_mail}", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and subscribers() == []


def test_unsubscribing_drops_queued_mail_and_blanks_sent_mail(client_request: PageClient) -> None:
    client_request.post("notify.confirm", {}, token=subscribe(client_request))
    # The confirmation and welcome mails went out.
    db.session.execute(update(OutboxMessage).values(status="sent"))
    announce(Notice(subject="Change", summary="s", links=[], reference="r:1"), include_data_leads=False)
    client_request.post("notify.unsubscribe", {}, _expected_status=200, token=unsubscribe_token(STORED))
    rows = db.session.execute(select(OutboxMessage.status, OutboxMessage.recipient)).all()
    assert [(str(status), recipient) for status, recipient in rows] == [("sent", "(unsubscribed)")] * 2


def test_audit_keeps_a_keyed_hash_never_the_address(client_request: PageClient) -> None:
    client_request.post("notify.confirm", {}, token=subscribe(client_request))
    client_request.post("notify.unsubscribe", {}, _expected_status=200, token=unsubscribe_token(STORED))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("notify.%"))).all()
    assert [e.action for e in events] == ["notify.subscribe", "notify.confirm", "notify.unsubscribe"]
    dumped = json.dumps([[e.details, e.reason, e.object_id, e.actor_label] for e in events]).lower()
    assert "parent.one" not in dumped and "example.org" not in dumped
    assert all(e.details and e.details["address"] == keyed_hash(STORED) for e in events)


def test_rate_limited_per_address_with_a_clear_page(client_request: PageClient, client: FlaskClient) -> None:
    for _ in range(3):
        client_request.post("notify.subscribe", {"email": ADDRESS})
    page = client_request.post("notify.subscribe", {"email": ADDRESS.upper()}, _expected_status=429)
    assert "Too many attempts" in page.get_data(as_text=True)
    client_request.post("notify.subscribe", {"email": "someone.else@example.org"})  # other addresses still work


def test_rate_limited_per_ip(client_request: PageClient) -> None:
    for n in range(20):
        client_request.post("notify.subscribe", {"email": f"person{n}@example.org"})
    client_request.post("notify.subscribe", {"email": "one.more@example.org"}, _expected_status=429)


def test_confirmed_subscriber_receives_the_next_notice_end_to_end(
    client_request: PageClient, mail_sink: MailSink
) -> None:
    client_request.post("notify.subscribe", {"email": ADDRESS})
    db.session.commit()
    deliver_due()
    (confirmation,) = mail_sink.messages
    assert confirmation.message["List-Unsubscribe"]
    link = next(link for link in confirmation.links if "/subscribe/confirm/" in link)
    client_request.post("notify.confirm", {}, token=link.rsplit("/", 1)[1])
    announce(Notice(subject="New register version", summary="Version 3", links=[], reference="register-version:3"))
    db.session.commit()
    deliver_due()
    welcome = "You are subscribed to changes to Larkspur Learning's sub-processors"
    assert [m.subject for m in mail_sink.messages] == [confirmation.subject, welcome, "New register version"]
    unsubscribe = mail_sink.messages[2].message["List-Unsubscribe"].strip("<>")
    client_request.client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert subscribers() == []


def test_the_per_address_limit_counts_a_mailbox_not_its_spellings(client_request: PageClient) -> None:
    """+tags and Gmail's dots reach one inbox: they share one count (#18)."""
    for spelling in ("pat.smith+1@gmail.com", "patsmith+news@googlemail.com", "Pat.Smith@gmail.com"):
        client_request.post("notify.subscribe", {"email": spelling})
    client_request.post("notify.subscribe", {"email": "p.a.t.smith+4@gmail.com"}, _expected_status=429)
    client_request.post("notify.subscribe", {"email": "someone.else@gmail.com"})


def test_a_mailbox_folds_tags_and_gmail_dots_only() -> None:
    from portal.notify.subscriptions import mailbox

    assert mailbox("A.B+x@GoogleMail.com") == "ab@gmail.com"
    assert mailbox("a.b+x@school.sch.uk") == "a.b@school.sch.uk"


def test_a_new_subscriber_is_shown_and_mailed_the_changes_open_now(client_request: PageClient) -> None:
    """Confirming leads to the register and lists the changes open now; so does the welcome mail (#25)."""
    from tests.changes.builders import announced

    change = announced()
    token = subscribe(client_request)
    db.session.commit()
    response = client_request.post("notify.confirm", {}, token=token)
    page = client_request.get("notify.confirmed")
    listed = page.select_one("#open-changes")
    assert listed is not None and change.title in listed.text
    assert listed.find("a")["href"].endswith(f"/changes/{change.id}")
    assert page.find("a", string=re.compile("See the list of sub-processors"))["href"] == "/sub-processors"
    assert response.location.endswith("/subscribe/confirmed")
    welcome = db.session.scalars(select(OutboxMessage).where(OutboxMessage.category == "subscription-welcome")).one()
    assert welcome.recipient == STORED and welcome.list_unsubscribe
    assert change.title in welcome.body_text and f"/changes/{change.id}" in welcome.body_text
    assert "/sub-processors" in welcome.body_text


def test_after_unsubscribing_the_page_says_the_address_was_deleted(client_request: PageClient) -> None:
    token = unsubscribe_token(STORED)
    page = client_request.post("notify.unsubscribe", {}, token=token, _expected_status=200)
    assert "has been deleted from our list" in page.text and "is not on our list" not in page.text
