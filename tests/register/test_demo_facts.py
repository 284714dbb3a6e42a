"""The demo register fills every fact of every entry, stays idempotent, and so does the scale set (#20 item 7)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.demo.register import load_register
from portal.demo.register_data import OPTIONS
from portal.demo.scale import load_scale
from portal.extensions import db
from portal.register import service
from portal.register.models import RegisterEntry, RegisterVersion
from portal.register.vocabulary import AIUse, TransferMechanism

SCALE = 0.002


def test_every_demo_entry_has_every_fact_and_loading_twice_adds_nothing(app):
    list(load_register())
    counts = (
        db.session.scalar(select(func.count(RegisterVersion.id))),
        db.session.scalar(select(func.count(RegisterEntry.id))),
    )
    assert list(load_register()) == []
    assert (
        db.session.scalar(select(func.count(RegisterVersion.id))),
        db.session.scalar(select(func.count(RegisterEntry.id))),
    ) == counts
    for version in service.published_versions(with_content=True):
        assert version.material_since == version.number
        for entry in version.entries:
            facts = entry.facts
            assert facts.subjects and facts.categories and facts.activities, entry.key
            assert facts.parent_country and facts.countries and facts.retention, entry.key
            if facts.outside_uk:
                assert facts.transfer is not TransferMechanism.NONE, entry.key
    current = {e.key: e.facts for e in service.current_version().entries}
    # Modelled on the seeds: UK-sovereign primary inference, a US-owned fallback pinned to the UK,
    # speech only with voice input, US mail under the DPF, billing in Ireland, a temporary contractor.
    assert current["pennine-cloud"].ai.use is AIUse.PRIMARY and current["pennine-cloud"].parent_country == "GB"
    assert current["azure-openai"].ai.use is AIUse.FALLBACK and current["azure-openai"].ai.inference_country == "GB"
    assert current["azure-openai"].parent_country == "US"
    assert current["azure-speech"].ai.use is AIUse.OPTION and "voice_recordings" in current["azure-speech"].categories
    assert current["postwick-mail"].transfer is TransferMechanism.DPF and current["postwick-mail"].dpf_checked_on
    assert current["tollgate-payments"].countries == ("IE",)
    assert current["tollgate-payments"].transfer is TransferMechanism.ADEQUACY
    assert "accessibility_send" in current["fellside-infrastructure"].categories
    # The options text no longer points at a note that does not exist.
    assert all("See the CLOUD Act note" not in option["description"] for option in OPTIONS)
    for entry in service.current_version().entries:
        assert "See the CLOUD Act note" not in entry.residency_note + entry.risk_note


def test_the_scale_set_has_facts_too(app):
    list(load_scale(SCALE))
    entries = service.current_version().entries
    assert all(entry.facts.subjects and entry.facts.countries for entry in entries)
    assert any(entry.facts.ai is not None for entry in entries)
    assert any(entry.facts.transfer is TransferMechanism.ADEQUACY for entry in entries)
