"""One description of processing per tenancy and date, from the facts of its effective set (#20 item 4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.dates import uk_today
from portal.demo import identity as demo_identity
from portal.demo.register import load_settings
from portal.extensions import db
from portal.register.effective import effective_set
from portal.register.processing import describe_processing
from portal.register.vocabulary import Activity
from portal.tenancy.models import Tenancy


def _school(urn: str) -> Tenancy:
    school = db.session.scalar(select(Tenancy).where(Tenancy.urn == urn))
    assert school is not None
    return school


def _demo_schools(demo_register) -> tuple[Tenancy, Tenancy]:
    list(demo_identity.load())
    list(load_settings())
    return _school("149901"), _school("107701")


def _us_inference(description) -> list:
    return [t for t in description.transfers if "US" in t.countries and Activity.AI_INFERENCE in t.activities]


def test_aurora_with_voice_input_lists_voice_recordings_and_pupils(app, demo_register):
    aurora, _meadowbank = _demo_schools(demo_register)
    description = describe_processing(aurora, uk_today())
    assert "Pupils" in description.subjects and "Staff" in description.subjects
    voice = next(c for c in description.categories if c.key == "voice_recordings")
    assert voice.suppliers == ("Microsoft Azure AI Speech",) and not voice.special_category
    # Accessibility and SEND needs are health data: special category, derived and never typed.
    assert description.special_category
    assert any(c.key == "accessibility_send" and c.special_category for c in description.categories)
    assert "speech recognition: turning voice into text" in description.nature
    assert {s.key for s in description.ai_services} == {"pennine-cloud", "azure-openai", "azure-speech"}
    speech = next(s for s in description.ai_services if s.key == "azure-speech")
    assert "Voice input" in speech.why
    assert _us_inference(description), "the Azure fallback is on for Aurora: support access from the US"
    assert {law.supplier for law in description.foreign_law} >= {"Microsoft Azure OpenAI Service"}
    assert description.locations[0].startswith("United Kingdom")


def test_meadowbank_with_the_fallback_off_has_no_us_transfer_for_inference(app, demo_register):
    _aurora, meadowbank = _demo_schools(demo_register)
    description = describe_processing(meadowbank, uk_today())
    assert _us_inference(description) == []
    assert "voice_recordings" not in {c.key for c in description.categories}
    assert {s.key for s in description.ai_services} == {"pennine-cloud"}
    # Transactional mail still goes to the US, under the Data Privacy Framework.
    mail = next(t for t in description.transfers if t.key == "postwick-mail")
    assert mail.mechanism.value == "uk_dpf_extension" and mail.dpf_checked_on is not None


def test_the_two_descriptions_differ_exactly_as_the_effective_sets_do(app, demo_register):
    aurora, meadowbank = _demo_schools(demo_register)
    a, m = describe_processing(aurora, uk_today()), describe_processing(meadowbank, uk_today())
    assert set(a.suppliers) - set(m.suppliers) == {"Microsoft Azure OpenAI Service", "Microsoft Azure AI Speech"}
    assert set(m.suppliers) - set(a.suppliers) == set()
    only_aurora = {c.key for c in a.categories} - {c.key for c in m.categories}
    assert only_aurora == {"voice_recordings", "pseudonymous_identifier"}
    # Each category is there because an entry in that school's effective set has it, and only then.
    sets = {school.id: effective_set(school) for school in (aurora, meadowbank)}
    for school, description in ((aurora, a), (meadowbank, m)):
        from_set = {key for line in sets[school.id].included for key in line.entry.facts.categories}
        assert {c.key for c in description.categories} == from_set
    assert {t.key for t in a.transfers} - {t.key for t in m.transfers} == {"azure-openai", "azure-speech"}


def test_a_past_date_reads_the_version_then_current(app, demo_register):
    aurora, _ = _demo_schools(demo_register)
    # Version 1.3 was current 100 days ago: its Azure fallback ran one model, not two.
    then = describe_processing(aurora, uk_today() - dt.timedelta(days=100))
    assert then.register_version == "1.3"
    azure = next(s for s in then.ai_services if s.key == "azure-openai")
    assert [m.name for m in azure.models] == ["gpt-4.1-mini"]
    assert describe_processing(aurora, uk_today()).register_version == "1.4"
    before_anything = describe_processing(aurora, uk_today() - dt.timedelta(days=400))
    assert before_anything.register_version is None and before_anything.suppliers == ()
