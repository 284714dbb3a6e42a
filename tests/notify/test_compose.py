"""Messages built once per content and varied per recipient: the bytes each recipient gets are the bytes
of the message built for its row alone, through the real SMTP sink."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.compose import MARKER, flatten, prepare
from portal.notify.fanout import Notice, announce
from portal.notify.models import OutboxMessage
from portal.notify.outbox import build_message, enqueue
from portal.notify.worker import deliver_due
from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.notify.test_fanout import subscriber

NOTICE = Notice(
    subject="Larkspur Learning: change to our sub-processors on 1 March 2027",
    # Curly quotes and a pound sign: the body goes 8bit, as real notices do.
    summary="Addition: Acme Analytics Ltd.\n\nIt will host “usage analytics” in the UK for £0.\n\n" + "x" * 200,
    links=[("Read the change", "http://portal.test/changes/7")],
    reference="change-notice:7",
)


def capture(sink: MailSink) -> dict[str, bytes]:
    """The bytes the sink receives, by recipient."""
    received: dict[str, bytes] = {}
    original = sink.handler.handle_DATA

    async def keep(server: Any, session: Any, envelope: Any) -> str:
        received[envelope.rcpt_tos[0]] = envelope.content
        return await original(server, session, envelope)

    sink.handler.handle_DATA = keep  # type: ignore[method-assign]
    return received


def rows() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_recipient_gets_the_bytes_of_the_message_built_for_it_alone(app: Flask, mail_sink: MailSink) -> None:
    for n in range(3):
        make_user(email=f"lead{n}@school.example", tenancy=make_school(), role=Role.DATA_LEAD)
        subscriber(f"parent{n}@example.org")
    assert announce(NOTICE) == 6
    db.session.commit()
    ready, broken = prepare(rows())
    assert not broken
    assert all(outgoing.data is not None for outgoing in ready.values())  # all six from the two audiences' templates
    expected = {row.recipient: flatten(build_message(row)) for row in rows()}
    received = capture(mail_sink)
    assert deliver_due().sent == 6
    assert received == expected
    subscriber_mail = next(m for m in mail_sink.messages if m.recipients == ["parent1@example.org"])
    assert subscriber_mail.message["List-Unsubscribe"] is not None and "£0" in subscriber_mail.text
    assert MARKER.encode() not in b"".join(received.values())


def test_rows_the_template_cannot_vary_are_built_alone_and_still_delivered(app: Flask, mail_sink: MailSink) -> None:
    subscriber("plain@example.org")
    subscriber("josé@example.org")  # needs SMTPUTF8: never spliced into ASCII bytes
    announce(NOTICE, include_data_leads=False)
    for n in range(2):  # content that carries the marker itself: the template is refused
        enqueue(to=f"reader{n}@example.org", subject="Hello", text=f"about {MARKER}id", category="test")
    db.session.execute(db.update(OutboxMessage).values(created_at=rows()[0].created_at))
    db.session.commit()
    ready, _ = prepare(rows())
    built_alone = {outgoing.recipient for outgoing in ready.values() if outgoing.data is None}
    assert built_alone == {"josé@example.org", "reader0@example.org", "reader1@example.org"}
    assert deliver_due().sent == 4
    assert sorted(m.recipients[0] for m in mail_sink.messages) == sorted(o.recipient for o in ready.values())
    reader = next(m for m in mail_sink.messages if m.recipients == ["reader1@example.org"])
    assert reader.message["To"] == "reader1@example.org" and f"about {MARKER}id" in reader.text
