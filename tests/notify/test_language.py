"""Notices in each reader's language (#29): a subscriber's, a data lead's own, else their school's."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from portal.dates import govuk_date
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.models import OutboxMessage, Subscriber
from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.notify.test_fanout import subscriber

DAY = dt.date(2027, 3, 1)


def _notice() -> Notice:
    # Built once per language: the date comes out in the language being written.
    return Notice(subject=f"From {govuk_date(DAY)}", summary=govuk_date(DAY), reference="change-notice:9")


def test_each_reader_gets_the_notice_in_their_language(app: Flask) -> None:
    subscriber("saesneg@example.org")
    subscriber("cymraeg@example.org").language = "cy"
    welsh_school = make_school("Ysgol Iaith", language="cy")
    make_user(email="lead@ysgol.example", tenancy=welsh_school, role=Role.DATA_LEAD)
    english_lead = make_user(email="english@ysgol.example", tenancy=welsh_school, role=Role.DATA_LEAD)
    english_lead.language = "en"  # their own choice beats their school's
    make_user(email="lead@school.example", tenancy=make_school("English School"), role=Role.DATA_LEAD)
    db.session.flush()

    assert announce(_notice) == 5
    subjects = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject)).all())
    assert subjects == {
        "saesneg@example.org": "From 1 March 2027",
        "cymraeg@example.org": "From 1 Mawrth 2027",
        "lead@ysgol.example": "From 1 Mawrth 2027",
        "english@ysgol.example": "From 1 March 2027",
        "lead@school.example": "From 1 March 2027",
    }


def test_a_subscription_keeps_the_language_it_was_made_in(app: Flask, client) -> None:
    client.get("/language/cy")  # the visitor chose Cymraeg
    page = client.get("/subscribe")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/subscribe", data={"email": "tanysgrifiwr@example.org", "csrf_token": token})
    row = db.session.scalars(select(Subscriber).where(Subscriber.address == "tanysgrifiwr@example.org")).one()
    assert row.language == "cy"


def test_a_welsh_schools_people_are_invited_in_welsh(app: Flask) -> None:
    from flask_babel import force_locale, gettext

    from portal.audit.service import Actor
    from portal.tenancy.invitations import invite

    school = make_school("Ysgol Gwahodd", language="cy")
    invite(tenancy=school, email="newydd@ysgol.example", role=Role.VIEWER, invited_by=None, actor=Actor(None, "test"))
    row = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "newydd@ysgol.example")).one()
    with force_locale("cy"):
        expected = gettext(
            "You are invited to %(name)s on the %(vendor)s data protection portal",
            name="Ysgol Gwahodd",
            vendor=app.config["VENDOR_NAME"],
        )
    assert row.subject == expected and "invited" not in row.subject


def test_a_notice_reaches_the_smtp_relay_in_each_readers_language(app: Flask, mail_sink) -> None:
    from flask_babel import force_locale, gettext

    from portal.notify.worker import deliver_due

    subscriber("saesneg@example.org")
    subscriber("cymraeg@example.org").language = "cy"
    announce(_notice)
    db.session.commit()
    assert deliver_due().sent == 2
    mails = {m.recipients[0]: m for m in mail_sink.messages}
    welsh, english = mails["cymraeg@example.org"], mails["saesneg@example.org"]
    assert welsh.subject == "From 1 Mawrth 2027" and english.subject == "From 1 March 2027"
    dpo = {"name": app.config["VENDOR_DPO_NAME"], "email": app.config["VENDOR_DPO_EMAIL"]}
    with force_locale("cy"):
        in_welsh = gettext("Data protection officer: %(name)s, %(email)s", **dpo)
    assert in_welsh in welsh.text and in_welsh not in english.text
