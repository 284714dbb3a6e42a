"""#21's acceptance on the demo data, in a browser as its users would try it: Meadowbank (objection open) has
Kestrel out of its set on the day after the change, saying why, and Aurora has it in; the trust objects for
all its academies and, once accommodated, Kestrel is out of each academy's set; Bramble Hill's notice contact
was sent the change mail; switching an option's default on without notice is refused; staff record a
letter's objection and the school sees it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from portal import demo
from portal.audit.service import Actor
from portal.auth.models import User
from portal.changes import objections
from portal.changes.models import ChangeNotice, Objection
from portal.dates import uk_today
from portal.documents import keys
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register.models import TenancyOption
from portal.tenancy.models import Role, Tenancy
from tests.browser import assert_accessible
from tests.changes.test_journey import _as
from tests.documents.conftest import key_config
from tests.factories import make_user

pytestmark = pytest.mark.browser
KESTREL = "kestrel-moderation"


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _tenancy(slug: str) -> Tenancy:
    return db.session.scalars(select(Tenancy).where(Tenancy.slug == slug)).one()


def _kestrel(page, base: str, slug: str, on: str) -> dict:
    page.goto(f"{base}/t/{slug}/sub-processors.json?on={on}")
    data = json.loads(page.locator("body").inner_text())
    return next(line for line in data["lines"] if line["key"] == KESTREL)


def test_the_acceptance_of_issue_21_on_the_demo_data(page, live_server, console_errors, tmp_path):
    # As `make run` does: a signing key, so the demo signs Bramble Hill's agreement with its notice contact.
    live_server.app.config.update(key_config(keys.generate(tmp_path)))
    list(demo.load())
    notice = db.session.scalars(select(ChangeNotice).where(ChangeNotice.entry_key == KESTREL)).one()
    notice_id, on = notice.id, (notice.effective_on + dt.timedelta(days=1)).isoformat()
    grace, amira = _user("grace.moyo@meadowbank.example"), _user("amira.shah@northernlights.example")
    tom, sam = _user("tom.okafor@northernlights.example"), _user("sam.patel@larkspur.example")
    bramble = _tenancy("bramble-hill-infant-school")
    ben = make_user("Bea Office", tenancy=bramble, role=Role.VIEWER)
    db.session.commit()
    base = live_server.url

    # Meadowbank, whose objection is open, has Kestrel out on the day after, with the reason; Aurora has it in.
    _as(page, live_server, grace)
    held = _kestrel(page, base, "meadowbank-primary-school", on)
    assert not held["included"] and "awaiting a decision" in held["reason"]
    page.goto(f"{base}/t/meadowbank-primary-school/sub-processors?on={on}")
    assert "Not used for your school: your objection of" in page.locator("#not-in-use").inner_text()
    assert_accessible(page)
    _as(page, live_server, amira)
    assert _kestrel(page, base, "aurora-primary-academy", on)["included"]

    # The trust objects for all its academies on its changes page.
    _as(page, live_server, tom)
    page.goto(f"{base}/t/northern-lights-learning-trust/changes")
    card = page.locator(f"#change-{notice_id}")
    card.get_by_label(re.compile(r"All \d+ academies that have not objected")).check()
    card.get_by_label("Your grounds for objecting").fill("Our academies' DPIAs do not cover moderation.")
    card.get_by_role("button", name="Object to this change").click()
    page.wait_for_selector(".govuk-notification-banner")
    assert "Objection lodged for Aurora Primary Academy, Polaris High Academy" in page.locator("main").inner_text()
    assert_accessible(page)
    db.session.rollback()
    lodged = db.session.scalars(
        select(Objection).join(Tenancy).where(Objection.change_id == notice_id, Tenancy.trust_id.is_not(None))
    ).all()
    assert {o.tenancy.slug for o in lodged} == {"aurora-primary-academy", "polaris-high-academy"}
    for objection in lodged:
        objections.acknowledge(objection, actor=Actor.of(sam))
        objections.accommodate(objection, reason="We will not use Kestrel for your academies.", actor=Actor.of(sam))
    db.session.commit()
    for slug in ("aurora-primary-academy", "polaris-high-academy"):
        line = _kestrel(page, base, slug, on)
        assert not line["included"] and "accommodated" in line["reason"], slug
    page.goto(f"{base}/t/northern-lights-learning-trust/sub-processors?on={on}")
    assert_accessible(page)

    # Bramble Hill's notice contact, named in its signed agreement, was sent the change mail.
    [mail] = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.recipient == "head@bramblehill.example", OutboxMessage.category == "notice"
        )
    )
    assert "Bramble Hill Infant School" in mail.subject and f"#change-{notice_id}" in mail.body_text

    # Switching voice input on by default (one of the five ways round the notice) is refused, saying why.
    _as(page, live_server, sam)
    voice = db.session.scalars(select(TenancyOption).where(TenancyOption.key == "voice-input")).one()
    page.goto(f"{base}/vendor/register/options/{voice.id}")
    page.locator("[name=default][value=on]").check()
    page.get_by_role("button", name="Save option").click()
    page.wait_for_selector(".govuk-error-summary")
    refused = page.locator(".govuk-error-summary").inner_text()
    assert "Azure AI Speech" in refused and "without notice" in refused and "at the earliest" in refused
    assert_accessible(page)
    db.session.rollback()
    assert not db.session.get(TenancyOption, voice.id).default_enabled
    assert console_errors == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    console_errors.clear()  # the refusal answers 400, as it should

    # Vendor staff record Bramble Hill's objection that came by letter; the school sees it.
    page.goto(f"{base}/vendor/changes/{notice_id}/record-objection")
    assert_accessible(page)
    today = uk_today()
    page.locator("[name=organisation]").fill(f"URN {bramble.urn}")
    page.locator("[name=channel][value=letter]").check()
    for field, value in zip(
        page.locator("[name=received_on]").all(), (today.day, today.month, today.year), strict=True
    ):
        field.fill(str(value))
    page.locator("[name=sender]").fill("Head teacher, by post")
    page.locator("[name=grounds]").fill("We object to Kestrel Moderation.")
    page.get_by_role("button", name="Record the objection").click()
    page.wait_for_selector(".govuk-notification-banner")
    _as(page, live_server, ben)
    page.goto(f"{base}/t/{bramble.slug}/changes")
    card = page.locator(f"#change-{notice_id}").inner_text()
    assert "Objection for Bramble Hill Infant School" in card
    assert "By letter on" in page.locator("main").inner_text()
    assert_accessible(page)
    assert console_errors == []
