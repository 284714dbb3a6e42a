"""Publishing by classification: the publish page shows material or editorial per entry; an
editorial-only version mails nobody and leaves DPIAs as they were (#20 item 3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.dates import uk_today
from portal.dpia.freshness import summarise
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register import service
from portal.register.effective import effective_set
from portal.register.facts import EntryFacts
from portal.tenancy.models import Role
from tests.factories import make_school, make_user
from tests.pages import check_page
from tests.register.test_admin_pages import date_fields, form_values, text_of


def _publish_form(summary: str) -> dict:
    return {
        "number": "1.5",
        "owner_name": "Helen Marsh, Chief Executive",
        "contact_email": "privacy@larkspur.example",
        **date_fields("reviewed_on", uk_today()),
        **date_fields("next_review_on", uk_today() + dt.timedelta(days=300)),
        "summary": summary,
    }


def _edit(client_request, key: str, **changes) -> None:
    entry = next(e for e in service.draft_version().entries if e.key == key)
    form = form_values(client_request.get("register_admin.edit_entry", entry_id=entry.id))
    form.update(changes)
    client_request.post("register_admin.edit_entry", form, entry_id=entry.id)


def _outbox() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def _someone_to_tell() -> None:
    school = make_school("Meadowbank Primary School")
    make_user("Grace Moyo", tenancy=school, role=Role.DATA_LEAD)
    db.session.flush()


def test_a_reworded_purpose_is_editorial_and_mails_nobody(client_request, demo_register, vendor_staff):
    _someone_to_tell()
    school = make_school("Aurora Primary Academy")
    before = summarise(effective_set(school), effective_set(school).options_by_id)
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    _edit(client_request, "pennine-cloud", purpose="Hosting the Larkspur application and its data; primary AI.")

    page = client_request.get("register_admin.publish")
    row = text_of(page.find(id="classification-pennine-cloud"))
    assert "Editorial" in row and "changed: purpose" in row
    assert "nobody is emailed" in text_of(page)
    mails = _outbox()
    response = client_request.post("register_admin.publish", _publish_form("Wording of Pennine's purpose."))
    followed = client_request.client.get(response.location)
    assert "editorial: nobody was emailed" in followed.get_data(as_text=True)

    assert _outbox() == mails
    published = service.current_version()
    assert (published.number, published.material, published.material_since) == ("1.5", False, "1.4")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "register.published"))
    assert event.details["material"] is False and event.details["classification"] == {"pennine-cloud": "editorial"}
    # The DPIA pack depends on the last material version: an editorial one leaves it up to date.
    assert summarise(effective_set(school), effective_set(school).options_by_id) == before


def test_a_new_data_category_is_material_and_cannot_take_effect_without_notice(
    client_request, demo_register, vendor_staff
):
    _someone_to_tell()
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    entry = next(e for e in service.draft_version().entries if e.key == "pennine-cloud")
    categories = [*entry.facts.categories, "voice_recordings"]
    _edit(client_request, "pennine-cloud", categories=categories)

    page = client_request.get("register_admin.publish")
    row = text_of(page.find(id="classification-pennine-cloud"))
    assert "Material" in row and "new data categories: voice recordings" in row
    assert "changes suppliers materially" in text_of(page)
    mails = _outbox()
    # Material, so it needs the contract's notice first (#21): refused, nothing published, nobody mailed.
    response = client_request.post(
        "register_admin.publish", _publish_form("Pennine now transcribes voice."), _expected_status=400
    )
    summary = text_of(check_page(response.get_data(as_text=True)).find(class_="govuk-error-summary"))
    assert "new data categories: voice recordings" in summary and "without notice" in summary
    assert _outbox() == mails
    assert service.current_version().number == "1.4"


def test_training_on_customer_data_needs_a_signed_instruction(client_request, demo_register, vendor_staff):
    client_request.sign_in(vendor_staff)
    client_request.post("register_admin.start_draft")
    _edit(client_request, "azure-openai", ai_training="yes", ai_training_instruction="")
    response = client_request.post("register_admin.publish", _publish_form("Training."), _expected_status=400)
    summary = text_of(check_page(response.get_data(as_text=True)).find(class_="govuk-error-summary"))
    assert "record the signed instruction" in summary
    assert service.current_version().number == "1.4"

    _edit(client_request, "azure-openai", ai_training="yes", ai_training_instruction="Instruction INS-12, signed")
    client_request.post("register_admin.publish", _publish_form("Training, as instructed."))
    azure = next(e for e in service.current_version().entries if e.key == "azure-openai")
    facts: EntryFacts = azure.facts
    assert facts.ai is not None and facts.ai.trains_on_customer_data
