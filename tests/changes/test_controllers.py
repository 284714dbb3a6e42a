"""Every controller told, by name, with a direct link; the notice period is the contract's (#21 items 2, 5)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import window
from portal.changes.models import ChangeKind
from portal.dates import uk_today
from portal.documents import versions
from portal.documents.models import Agreement, DpaTextVersion, SignerCapacity
from portal.extensions import db
from portal.notify.models import OutboxMessage, Subscriber
from portal.tenancy.models import Role
from tests.changes.builders import announced
from tests.factories import make_school, make_trust, make_user

SYSTEM = Actor.system("test")


def sign(tenancy, *, contact: str | None = None, period: int | None = None) -> Agreement:
    """A signed agreement for a tenancy, naming a notice contact in Annex I."""
    text = versions.latest_text_version() or versions.publish_text_version(actor=SYSTEM, summary="First.")
    if period is not None:
        text.notice_period_days = period
    pdf = b"%PDF-1.7 signed"
    agreement = Agreement(
        tenancy_id=tenancy.id,
        text_version_id=text.id,
        signed_at=db.func.now(),
        signer_name="Sam Signer",
        signer_role="Headteacher",
        capacity=SignerCapacity.SELF,
        annex=[],
        filename="agreement.pdf",
        sha256=hashlib.sha256(pdf).hexdigest(),
        size_bytes=len(pdf),
        pdf=pdf,
        notice_contact_name="Office manager" if contact else None,
        notice_contact_email=contact,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _mails(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)))


def test_the_notice_contact_of_a_signed_agreement_is_told_by_name_with_a_direct_link(app):
    bramble = make_school("Bramble Hill Primary School")  # signed, but no data lead in the portal
    sign(bramble, contact="office@bramblehill.example")
    change = announced()
    [mail] = _mails("office@bramblehill.example")
    assert "Bramble Hill Primary School" in mail.subject
    assert mail.headers == {"Auto-Submitted": "auto-generated"}
    assert f"/t/{bramble.slug}/changes?change={change.id}#change-{change.id}" in mail.body_text
    assert "Quillmark Analytics Ltd will process Bramble Hill Primary School's data from" in mail.body_text
    assert "whether or not you subscribed" in mail.body_text
    assert "You can object for Bramble Hill Primary School until" in mail.body_text


@pytest.mark.parametrize("uses_service", [False, True], ids=["trust-for-academies", "trust-uses-service"])
def test_data_leads_and_trust_admins_get_one_mail_per_school_and_subscribers_no_second(app, uses_service):
    trust = make_trust("Northfell Learning Trust", central_staff_use_service=uses_service)
    academy = make_school("Fellside Academy", trust=trust)
    make_school("Ghyll Academy", trust=trust)  # no member of its own: its trust's admin is told
    lead = make_user("Dana Lead", tenancy=academy, role=Role.DATA_LEAD)
    admin = make_user("Tia Trust", tenancy=trust, role=Role.TRUST_ADMIN)
    db.session.add(Subscriber(address=lead.email.lower(), confirmed_at=db.func.now(), unsubscribe_hash="x" * 64))
    db.session.flush()
    announced()
    [to_lead] = _mails(lead.email.lower())
    assert "Fellside Academy" in to_lead.subject and not to_lead.list_unsubscribe
    subjects = sorted(m.subject for m in _mails(admin.email.lower()))
    # One per academy, and the trust's own only where its staff use the service: otherwise nothing
    # processes the trust's own data, and a mail saying a supplier will would be untrue (#21).
    assert len(subjects) == (3 if uses_service else 2)
    for name in ("Fellside Academy", "Ghyll Academy"):
        assert any(name in s for s in subjects), name
    assert any("change for Northfell Learning Trust on" in s for s in subjects) is uses_service


def test_a_removal_notice_is_information_only(app):
    school = make_school("Aurora Primary Academy")
    lead = make_user("Ada Lead", tenancy=school, role=Role.DATA_LEAD)
    announced(kind=ChangeKind.REMOVAL)
    [mail] = _mails(lead.email.lower())
    assert (
        "No action needed: Hostwell Cloud Ltd will stop processing Aurora Primary Academy's data on" in mail.body_text
    )
    assert "nothing to object to" in mail.body_text and "You can object" not in mail.body_text


def test_the_notice_period_is_the_longest_promised_by_a_text_in_force(app):
    school = make_school()
    assert window.notice_period_days() == 30
    sign(school, period=45)
    assert window.notice_period_days() == 45
    app.config["NOTICE_PERIOD_DAYS"] = 10  # configuration can never shorten what was signed
    assert window.notice_period_days() == 45
    app.config["NOTICE_PERIOD_DAYS"] = 60  # but may lengthen it
    assert window.notice_period_days() == 60


def test_a_new_text_promises_at_least_the_period_in_force(app):
    text = versions.publish_text_version(actor=SYSTEM, summary="First.")
    assert text.notice_period_days == 30
    assert db.session.scalar(select(DpaTextVersion.notice_period_days)) == 30


@pytest.mark.parametrize("period", [30, 45])
def test_a_notice_needs_the_whole_period_in_clear_days(app, period):
    from portal.changes.errors import NoticeInvalid
    from tests.changes.builders import publish_register

    sign(make_school(), period=period)
    from portal.changes import service

    too_soon = uk_today() + dt.timedelta(days=period)
    publish_register(planned_on=too_soon)
    with pytest.raises(NoticeInvalid, match=f"after {period} clear days"):
        service.announce_change(
            kind=ChangeKind.ADDITION, entry_key="quillmark", title="T", reason="R", effective_on=too_soon, actor=SYSTEM
        )
    enough = too_soon + dt.timedelta(days=1)
    publish_register(planned_on=enough)
    assert (
        service.announce_change(
            kind=ChangeKind.ADDITION, entry_key="quillmark", title="T", reason="R", effective_on=enough, actor=SYSTEM
        ).effective_on
        == enough
    )
