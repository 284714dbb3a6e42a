"""Material or editorial: each kind of change in item 3 of #20, decided by the facts alone."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.dates import uk_today
from portal.register.facts import AIFacts, AIModel, EntryFacts
from portal.register.materiality import compare_entries, compare_versions, is_material
from portal.register.models import EntryKind, EntryStatus, RegisterEntry, RegisterVersion
from portal.register.vocabulary import AIUse, DataSubject, TransferMechanism

BASE = EntryFacts(
    subjects=(DataSubject.STAFF,),
    categories=("contact_details",),
    parent_country="GB",
    countries=("GB",),
    ai=AIFacts(models=(AIModel("Model A", "Maker", "Chat"),), use=AIUse.FALLBACK),
)


def entry(facts: EntryFacts = BASE, **fields) -> RegisterEntry:
    values = {
        "key": "supplier",
        "supplier": "Supplier Ltd",
        "purpose": "Hosting.",
        "kind": EntryKind.DATA_SUBPROCESSOR,
        "status": EntryStatus.ACTIVE,
        "facts_data": facts.to_json(),
    }
    values.update(fields)
    return RegisterEntry(**values)


def changed(**facts) -> RegisterEntry:
    return entry(dataclasses.replace(BASE, **facts))


def ai(**fields) -> AIFacts:
    assert BASE.ai is not None
    return dataclasses.replace(BASE.ai, **fields)


@pytest.mark.parametrize(
    ("after", "reason"),
    [
        (changed(subjects=(DataSubject.STAFF, DataSubject.PUPILS)), "new data subjects: pupils"),
        (changed(categories=("contact_details", "voice_recordings")), "new data categories: voice recordings"),
        (changed(countries=("GB", "US")), "new processing countries: United States"),
        (
            changed(countries=("GB", "US"), transfer=TransferMechanism.IDTA),
            "transfer mechanism now: International Data Transfer Agreement",
        ),
        (changed(parent_country="US"), "parent now headquartered in United States"),
        (
            changed(ai=ai(models=(AIModel("Model A", "Maker", "Chat"), AIModel("Model B", "M", "P")))),
            "new AI models: Model B",
        ),
        (changed(ai=ai(trains_on_customer_data=True)), "may now use customer data to train"),
        (changed(ai=ai(use=AIUse.PRIMARY)), "condition loosened"),
        (changed(ai=ai(inference_country="US")), "inference now runs in United States"),
        (entry(kind=EntryKind.DATA_SUBPROCESSOR), None),
    ],
)
def test_what_adds_exposure_is_material(app, after, reason):
    difference = compare_entries(entry(), after)
    if reason is None:
        assert difference.change == "unchanged" and not difference.material and difference.reasons == ()
        return
    assert difference.change == "changed" and difference.material, difference
    assert any(reason in text for text in difference.reasons), difference.reasons
    assert difference.classification == "material"


def test_a_utility_becoming_a_data_sub_processor_is_material(app):
    before = entry(kind=EntryKind.PLATFORM_UTILITY)
    difference = compare_entries(before, entry(kind=EntryKind.DATA_SUBPROCESSOR))
    assert difference.material and "now a data sub-processor" in difference.reasons[0]


@pytest.mark.parametrize(
    ("before_status", "extra", "material"),
    [
        (EntryStatus.RETIRED, {}, True),
        (EntryStatus.CONDITIONAL, {"condition_service": "Voice input"}, True),
        (EntryStatus.PLANNED, {"effective_on": uk_today() + dt.timedelta(days=10)}, True),
        # The announced addition taking effect: its notice has already run.
        (EntryStatus.PLANNED, {"effective_on": uk_today() - dt.timedelta(days=1)}, False),
        (EntryStatus.ACTIVE_TEMPORARY, {}, False),
    ],
)
def test_a_status_moving_into_use(app, before_status, extra, material):
    difference = compare_entries(entry(status=before_status, **extra), entry(status=EntryStatus.ACTIVE))
    assert difference.material is material, difference


@pytest.mark.parametrize(
    "after",
    [
        entry(purpose="Hosting the application and its data."),  # reworded
        changed(categories=()),  # a category removed
        changed(ai=ai(use=AIUse.OPTION)),  # a condition narrowed
        changed(ai=ai(trains_on_customer_data=False, prompt_retention="Thirty days")),
        entry(retires_on=uk_today() + dt.timedelta(days=40)),  # a removal announced
        entry(kind=EntryKind.PLATFORM_UTILITY),  # a data sub-processor demoted
    ],
)
def test_wording_removals_and_narrowing_are_editorial(app, after):
    difference = compare_entries(entry(), after)
    assert difference.change == "changed" and not difference.material, difference
    assert difference.reasons and difference.classification == "editorial"


def test_added_and_removed_suppliers(app):
    added = compare_entries(None, entry())
    assert (added.change, added.material, added.reasons) == ("added", True, ("new supplier",))
    removed = compare_entries(entry(), None)
    assert (removed.change, removed.material) == ("removed", False)


def test_the_demo_versions_compare_by_facts(app, demo_register):
    from portal.register import service

    earlier = service.get_version(1)
    assert earlier is not None
    differences = {d.key: d for d in compare_versions(earlier, demo_register)}
    # 1.4 added Kestrel and a model to the Azure fallback (material) and announced Fellside's end (editorial).
    assert differences["kestrel-moderation"].change == "added" and differences["kestrel-moderation"].material
    assert differences["azure-openai"].material and "new AI models: gpt-4.1" in differences["azure-openai"].reasons
    assert differences["fellside-infrastructure"].classification == "editorial"
    assert differences["pennine-cloud"].change == "unchanged"
    assert is_material(list(differences.values()))
    # Against nothing, every entry is a new supplier.
    assert all(d.change == "added" for d in compare_versions(None, demo_register))


def test_an_unpublished_version_has_no_previous_to_compare_with(app):
    version = RegisterVersion(sequence=1, number="1.0", entries=[entry()])
    assert [d.change for d in compare_versions(None, version)] == ["added"]
