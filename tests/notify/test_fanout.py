"""announce(): one INSERT ... SELECT per audience, and what subscribers and data leads receive."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.dates import now
from portal.devtools.mailsink import MailSink
from portal.extensions import db
from portal.notify.fanout import Notice, announce, notice_text
from portal.notify.models import OutboxMessage, Subscriber
from portal.notify.outbox import MailError
from portal.notify.tokens import digest, unsubscribe_token
from portal.notify.worker import deliver_due
from portal.tenancy.models import Role
from tests.factories import make_school, make_trust, make_user

NOTICE = Notice(
    subject="We plan to add Acme Analytics as a sub-processor",
    summary="We plan to add Acme Analytics (usage analytics) from 1 March 2027, because ...",
    links=[("The register", "http://portal.test/sub-processors"), ("What changes", "http://portal.test/diff/3")],
    reference="change-notice:7",
)


def subscriber(address: str, *, confirmed: bool = True) -> Subscriber:
    row = Subscriber(
        address=address,
        unsubscribe_hash=digest(unsubscribe_token(address)),
        confirmed_at=now() if confirmed else None,
        confirm_token_hash=None if confirmed else digest(address),
        confirm_expires_at=None if confirmed else now(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_notice_refuses_line_breaks_in_the_subject() -> None:
    with pytest.raises(MailError):
        Notice(subject="Hi\r\nBcc: x@example.org", summary="s", links=[], reference="r")
    with pytest.raises(MailError):
        Notice(subject="Hi", summary="s", links=[("Register", "javascript:alert(1)")], reference="r")


def test_announce_queues_confirmed_subscribers_and_every_data_lead_once(app: Flask, count_queries: Any) -> None:
    school, trust = make_school(), make_trust()
    lead = make_user(email="Lead@Example.org", tenancy=school, role=Role.DATA_LEAD)
    make_user(email="admin@example.org", tenancy=trust, role=Role.TRUST_ADMIN)
    make_user(email="viewer@example.org", tenancy=school, role=Role.VIEWER)
    # the same person is data lead of two schools: one mail
    from portal.tenancy.models import Membership

    db.session.add(Membership(user=lead, tenancy=make_school(), role=Role.DATA_LEAD))
    subscriber("parent@example.org")
    subscriber("lead@example.org")  # also a data lead: gets the data lead's mail only
    subscriber("pending@example.org", confirmed=False)
    db.session.flush()
    with count_queries() as counter:
        queued = announce(NOTICE)
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    # one statement per audience, whatever the number of recipients and their languages (#29)
    assert len(inserts) == 2
    assert queued == 3
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [(r.recipient, r.list_unsubscribe) for r in rows] == [
        ("admin@example.org", False),
        ("lead@example.org", False),
        ("parent@example.org", True),
    ]
    assert {r.body_text for r in rows} == {notice_text(NOTICE)}  # one helper builds both
    assert {(r.reference, r.category, r.subject) for r in rows} == {("change-notice:7", "notice", NOTICE.subject)}


def test_announce_without_data_leads(app: Flask) -> None:
    make_user(email="lead@example.org", tenancy=make_school(), role=Role.DATA_LEAD)
    subscriber("parent@example.org")
    assert announce(NOTICE, include_data_leads=False) == 1


def test_subscriber_mail_has_a_personal_unsubscribe_link_and_rfc_8058_headers(app: Flask, mail_sink: MailSink) -> None:
    make_user(email="lead@example.org", tenancy=make_school(), role=Role.DATA_LEAD)
    subscriber("parent@example.org")
    subscriber("dpo@example.org")
    announce(NOTICE)
    db.session.commit()
    assert deliver_due().sent == 3
    assert Counter(m.recipients[0] for m in mail_sink.messages) == Counter(
        ["lead@example.org", "parent@example.org", "dpo@example.org"]
    )
    mails = {m.recipients[0]: m for m in mail_sink.messages}
    parent, dpo, lead = mails["parent@example.org"], mails["dpo@example.org"], mails["lead@example.org"]
    url = f"http://portal.test/unsubscribe/{unsubscribe_token('parent@example.org')}"
    assert parent.message["List-Unsubscribe"] == f"<{url}>"
    assert parent.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in parent.links  # visible in the body too
    assert dpo.message["List-Unsubscribe"] != parent.message["List-Unsubscribe"]
    assert lead.message["List-Unsubscribe"] is None
    for mail in (parent, lead):
        assert "Acme Analytics" in mail.text and "1 March 2027" in mail.text
        assert "http://portal.test/diff/3" in mail.links and "http://portal.test/sub-processors" in mail.links
        assert mail.subject == NOTICE.subject


def test_announce_writes_nothing_until_the_caller_commits(app: Flask) -> None:
    subscriber("parent@example.org")
    db.session.commit()
    with db.session.begin_nested() as nested:
        assert announce(NOTICE) == 1
        nested.rollback()
    assert db.session.scalar(select(OutboxMessage)) is None
