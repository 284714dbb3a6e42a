"""No change without notice (#21 item 1): the five ways round the notice, each refused, and what needs none."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from portal.audit.service import Actor
from portal.changes import service as changes
from portal.changes.models import ChangeKind
from portal.dates import uk_today
from portal.demo.register import load_register
from portal.extensions import db
from portal.register import service
from portal.register.errors import OptionInvalid, PublishError
from portal.register.models import EntryKind, EntryStatus, RegisterVersion, TenancyOption
from portal.register.notice_guard import NoticeRequired
from portal.register.options import update_option
from tests.factories import make_school, make_trust

ACTOR = Actor.system("test")


@pytest.fixture
def register(app) -> RegisterVersion:
    """The demo register (1.4 current), two schools and a trust with one academy."""
    list(load_register())
    make_school("Aurora Primary Academy")
    make_school("Meadowbank Primary School")
    trust = make_trust("Northfell Learning Trust")
    make_school("Fellside Academy", trust=trust)
    version = service.current_version()
    assert version is not None
    return version


def _publish(draft: RegisterVersion) -> RegisterVersion:
    today = uk_today()
    return service.publish_register(
        draft,
        number="9.9",
        owner_name="Helen Marsh",
        contact_email="privacy@larkspur.example",
        reviewed_on=today,
        next_review_on=today + dt.timedelta(days=300),
        summary="Changes",
        actor=ACTOR,
    )


def _data(draft: RegisterVersion, key: str, **changes) -> service.EntryData:
    entry = next(e for e in draft.entries if e.key == key)
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(service.EntryData)}
    return service.EntryData(**{**fields, **changes})


def _edit(key: str, **changes) -> RegisterVersion:
    draft = service.start_draft(actor=ACTOR)
    entry = next(e for e in draft.entries if e.key == key)
    service.update_entry(draft, entry, _data(draft, key, **changes), actor=ACTOR)
    return draft


def _option(key: str) -> TenancyOption:
    option = db.session.scalar(select(TenancyOption).where(TenancyOption.key == key))
    assert option is not None
    return option


def _refused_message(draft: RegisterVersion) -> str:
    with pytest.raises(NoticeRequired) as caught:
        _publish(draft)
    return caught.value.message


def _earliest() -> str:
    from portal.changes.window import earliest_effective_date
    from portal.dates import govuk_date

    return govuk_date(earliest_effective_date())


def test_a_new_platform_utility_published_as_active_is_refused(register):
    draft = service.start_draft(actor=ACTOR)
    service.add_entry(
        draft,
        service.EntryData(
            key="inkwell", supplier="Inkwell Billing Ltd", kind=EntryKind.PLATFORM_UTILITY, status=EntryStatus.ACTIVE
        ),
        actor=ACTOR,
    )
    message = _refused_message(draft)
    assert "Inkwell Billing Ltd" in message and "3 schools and 1 trust" in message
    assert f"on {_earliest()} at the earliest" in message
    assert service.current_version().number == register.number


def test_a_new_conditional_supplier_under_an_option_on_by_default_is_refused(register):
    draft = service.start_draft(actor=ACTOR)
    service.add_entry(
        draft,
        service.EntryData(
            key="backup-ai",
            supplier="Backup AI Ltd",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.CONDITIONAL,
            condition_service="the AI fallback",
        ),
        actor=ACTOR,
    )
    fallback = _option("azure-fallback")
    assert fallback.default_enabled
    # Governing a key only the draft has changes nobody's set today: allowed.
    update_option(
        fallback,
        name=fallback.name,
        description=fallback.description,
        default_enabled=True,
        entry_keys=[*fallback.entry_keys, "backup-ai"],
        actor=ACTOR,
    )
    assert "Backup AI Ltd" in _refused_message(draft)


def test_a_supplier_moved_to_the_us_with_a_new_data_category_is_refused(register):
    draft = _edit(
        "pennine-cloud", location="United States (Virginia)", data_categories="Pupil names, pupil voice recordings"
    )
    message = _refused_message(draft)
    assert "new location" in message and "new data categories" in message


def test_a_utility_reclassified_as_a_data_sub_processor_is_refused(register):
    draft = _edit("tollgate-payments", kind=EntryKind.DATA_SUBPROCESSOR)
    assert "now a data sub-processor" in _refused_message(draft)


def test_switching_an_options_default_on_is_refused(register):
    voice = _option("voice-input")
    assert not voice.default_enabled
    with pytest.raises(OptionInvalid, match=r"Azure AI Speech .* without notice") as caught:
        update_option(
            voice,
            name=voice.name,
            description=voice.description,
            default_enabled=True,
            entry_keys=voice.entry_keys,
            actor=ACTOR,
        )
    assert caught.value.field == "default"  # the form's radio
    db.session.refresh(voice)
    assert not voice.default_enabled


def test_removals_switching_off_and_rewording_need_no_notice(register):
    draft = _edit("fellside-infrastructure", retires_on=uk_today() + dt.timedelta(days=3), purpose="Reworded purpose.")
    _publish(draft)
    fallback = _option("azure-fallback")
    update_option(
        fallback,
        name=fallback.name,
        description=fallback.description,
        default_enabled=False,
        entry_keys=fallback.entry_keys,
        actor=ACTOR,
    )
    assert not fallback.default_enabled


def test_a_planned_entry_needs_an_announced_notice_naming_it(register):
    on = uk_today() + dt.timedelta(days=45)
    draft = service.start_draft(actor=ACTOR)
    service.add_entry(
        draft,
        service.EntryData(
            key="quill",
            supplier="Quill Ltd",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.PLANNED,
            effective_on=on,
        ),
        actor=ACTOR,
    )
    with pytest.raises(PublishError, match="Quill Ltd: a planned supplier needs an announced change notice"):
        _publish(draft)
    changes.announce_change(
        kind=ChangeKind.ADDITION,
        entry_key="quill",
        title="We plan to add Quill",
        reason="Marking help.",
        effective_on=on,
        actor=ACTOR,
    )
    assert _publish(draft).number == "9.9"


def test_a_material_change_is_allowed_once_its_notice_has_run_and_not_before(register):
    on = uk_today() + dt.timedelta(days=31)
    changes.announce_change(
        kind=ChangeKind.MATERIAL_CHANGE,
        entry_key="pennine-cloud",
        title="Moving to the US",
        reason="Capacity.",
        effective_on=on,
        actor=ACTOR,
    )
    draft = _edit("pennine-cloud", location="United States (Virginia)")
    assert "new location" in _refused_message(draft)
