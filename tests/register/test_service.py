"""Drafts, publishing (audited, announced, never changed afterwards) and comparing versions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.dates import uk_today
from portal.extensions import db
from portal.notify.models import OutboxMessage
from portal.register import service
from portal.register.models import EntryKind, EntryStatus, RegisterEntry, RegisterVersion, VersionStatus
from portal.tenancy.models import Role
from tests.factories import make_user
from tests.register.builders import entry, publish_version


def publish(draft: RegisterVersion, actor: Actor, number: str = "1.5", **overrides) -> RegisterVersion:
    values = {
        "number": number,
        "owner_name": "Helen Marsh, Chief Executive",
        "contact_email": "privacy@larkspur.example",
        "reviewed_on": uk_today(),
        "next_review_on": uk_today() + dt.timedelta(days=300),
        "summary": "Kestrel's start date is confirmed.",
        "actor": actor,
    }
    values.update(overrides)
    return service.publish_register(draft, **values)


def test_a_draft_starts_as_a_copy_of_the_current_version_and_only_one_exists(app, demo_register, vendor_staff):
    actor = Actor.of(vendor_staff)
    draft = service.start_draft(actor=actor)
    assert draft.number == "1.5" and draft.is_draft
    assert [e.key for e in draft.entries] == [e.key for e in demo_register.entries]
    assert [s.supplier for s in draft.statements] == ["Quayside Edge Ltd"]
    with pytest.raises(service.DraftExists):
        service.start_draft(actor=actor)


def test_the_database_refuses_a_second_draft(app, demo_register, vendor_staff):
    service.start_draft(actor=Actor.of(vendor_staff))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert(RegisterVersion).values(sequence=99, number="9.9", status=VersionStatus.DRAFT))


def test_publishing_makes_the_current_version_audits_and_tells_subscribers_and_data_leads(
    app, demo_register, vendor_staff, school
):
    make_user("Dana Lead", tenancy=school, role=Role.DATA_LEAD, email="dana@oakfield.example")
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    speech = next(e for e in draft.entries if e.key == "azure-speech")
    fields = {f.name: getattr(speech, f.name) for f in dataclasses.fields(service.EntryData)}
    # A new data category is material, so it is announced (an editorial version is not: see
    # test_publish_classification.py). Speech runs only where voice input is switched on, which no
    # school here has done, so no school's set changes and no notice period applies (#21).
    facts = dataclasses.replace(speech.facts, categories=(*speech.facts.categories, "images"))
    changed = service.EntryData(**{**fields, "certifications": "ISO 27001", "facts_data": facts.to_json()})
    service.update_entry(draft, speech, changed, actor=Actor.of(vendor_staff))

    version = publish(draft, Actor.of(vendor_staff))

    assert service.current_version().id == version.id
    assert version.published_by_id == vendor_staff.id and version.published_at is not None
    # Unchanged suppliers keep the date they were first listed with this status.
    assert (
        next(e for e in version.entries if e.key == "azure-speech").listed_since
        == next(e for e in demo_register.entries if e.key == "azure-speech").listed_since
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "register.published"))
    assert event.actor_id == vendor_staff.id and event.details["number"] == "1.5"
    assert event.details["changes"]["changed"] == 1
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.reference == f"register-version:{version.id}"))
    assert mail.recipient == "dana@oakfield.example"
    assert "version 1.5" in mail.subject
    assert "http://portal.test/sub-processors" in mail.body_text


def test_a_published_version_never_changes_through_the_service(app, demo_register, vendor_staff):
    entry_ = demo_register.entries[0]
    data = service.EntryData(key=entry_.key, supplier="Renamed", kind=entry_.kind, status=entry_.status)
    with pytest.raises(service.VersionImmutable):
        service.update_entry(demo_register, entry_, data, actor=Actor.of(vendor_staff))
    with pytest.raises(service.VersionImmutable):
        service.add_statement(demo_register, supplier="X", reason="Y", actor=Actor.of(vendor_staff))


@pytest.mark.parametrize(
    "statement",
    [
        lambda v: update(RegisterEntry).where(RegisterEntry.version_id == v.id).values(supplier="Changed"),
        lambda v: delete(RegisterEntry).where(RegisterEntry.version_id == v.id),
        lambda v: insert(RegisterEntry).values(
            version_id=v.id,
            key="sneaked-in",
            supplier="Sneaky",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.ACTIVE,
        ),
        lambda v: update(RegisterVersion).where(RegisterVersion.id == v.id).values(summary="Rewritten"),
        lambda v: delete(RegisterVersion).where(RegisterVersion.id == v.id),
        lambda v: text(f"UPDATE not_sub_processor SET reason = 'x' WHERE version_id = {v.id}"),
    ],
    ids=["update-entry", "delete-entry", "insert-entry", "update-version", "delete-version", "update-statement"],
)
def test_the_database_refuses_to_change_a_published_version(app, demo_register, statement):
    with pytest.raises(DatabaseError, match="published register version never changes"), db.session.begin_nested():
        db.session.execute(statement(demo_register))


def test_a_planned_entry_needs_an_announced_notice(app, demo_register, vendor_staff):
    # The rules themselves are tested in tests/changes/test_notice_required.py (#21).
    actor = Actor.of(vendor_staff)
    draft = service.start_draft(actor=actor)
    service.add_entry(
        draft,
        service.EntryData(
            key="new-ai",
            supplier="New AI Ltd",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.PLANNED,
            effective_on=uk_today() + dt.timedelta(days=29),
        ),
        actor=actor,
    )
    with pytest.raises(service.PublishError, match="needs an announced change notice"):
        publish(draft, actor)


def test_a_version_number_is_never_reused_and_review_dates_make_sense(app, demo_register, vendor_staff):
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    with pytest.raises(service.PublishError, match="already exists") as taken:
        publish(draft, Actor.of(vendor_staff), number="1.4")
    assert taken.value.field == "number"
    with pytest.raises(service.PublishError, match="next review"):
        publish(draft, Actor.of(vendor_staff), next_review_on=uk_today())


def test_a_conditional_entry_names_its_service_in_the_database_too(app, demo_register, vendor_staff):
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    with pytest.raises(service.EntryInvalid):
        service.add_entry(
            draft,
            service.EntryData(key="x", supplier="X", kind=EntryKind.DATA_SUBPROCESSOR, status=EntryStatus.CONDITIONAL),
            actor=Actor.of(vendor_staff),
        )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            insert(RegisterEntry).values(
                version_id=draft.id,
                key="x",
                supplier="X",
                kind=EntryKind.DATA_SUBPROCESSOR,
                status=EntryStatus.CONDITIONAL,
            )
        )


def test_compare_versions_entry_by_entry_and_field_by_field(app, demo_register):
    earlier = service.get_version(1)
    comparison = service.compare_versions(earlier, demo_register)
    changes = {c.key: c for c in comparison.entries}
    assert changes["kestrel-moderation"].change == "added"
    azure = changes["azure-openai"]
    assert azure.change == "changed"
    assert next((f.label, f.before, f.after) for f in azure.fields) == (
        "Services used",
        "Azure OpenAI (gpt-4.1-mini)",
        "Azure OpenAI (gpt-4.1-mini, gpt-4.1)",
    )
    # The facts are compared too: the model added to the fallback.
    facts = azure.fields[1]
    assert facts.label == "Facts" and "AI models: gpt-4.1-mini;" in facts.before
    assert "AI models: gpt-4.1-mini, gpt-4.1;" in facts.after
    fellside = changes["fellside-infrastructure"]
    assert [f.label for f in fellside.fields] == ["Removed on"] and fellside.fields[0].before == "Not set"
    assert comparison.unchanged == 4
    assert comparison.counts() == {"added": 1, "removed": 0, "changed": 2, "statements": 0}
    backwards = service.compare_versions(demo_register, earlier)
    assert {c.key: c.change for c in backwards.entries}["kestrel-moderation"] == "removed"


def test_discarding_a_draft_leaves_the_published_register_alone(app, demo_register, vendor_staff):
    draft = service.start_draft(actor=Actor.of(vendor_staff))
    service.discard_draft(draft, actor=Actor.of(vendor_staff))
    assert service.draft_version() is None
    assert service.current_version().number == "1.4"


def test_the_first_version_may_list_active_suppliers(app, vendor_staff):
    actor = Actor.of(vendor_staff)
    draft = service.start_draft(actor=actor)
    assert draft.number == "1.0"
    service.add_entry(
        draft,
        service.EntryData(
            key="cloud", supplier="Cloud Ltd", kind=EntryKind.DATA_SUBPROCESSOR, status=EntryStatus.ACTIVE
        ),
        actor=actor,
    )
    version = publish(draft, actor, number="1.0")
    assert version.entries[0].listed_since == uk_today()
    assert publish_version([entry("cloud")]).sequence == 2
