"""The effective set: each rule, with its reason and its date, for one tenancy and for many."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from portal.audit.service import Actor
from portal.dates import uk_today
from portal.extensions import db
from portal.register.choices import Exclusion, OptionSetting, tenancy_choices
from portal.register.effective import effective_set, effective_sets
from portal.register.models import EntryKind, EntryStatus, TenancyExclusion
from portal.register.options import set_option, update_option
from portal.tenancy.models import Tenancy, TenancyKind
from tests.factories import make_school, make_trust
from tests.register.builders import entry, make_option, publish_version


def keys(lines):
    return [line.entry.key for line in lines]


def test_no_published_register_gives_an_empty_set(app, school):
    found = effective_set(school)
    assert found.version is None and found.lines == [] and found.upcoming == []


def test_active_and_temporary_entries_are_in_since_they_were_listed(app, school):
    listed = uk_today() - dt.timedelta(days=40)
    publish_version(
        [
            entry("cloud", listed_since=listed),
            entry("contractor", status=EntryStatus.ACTIVE_TEMPORARY, listed_since=listed),
            entry("billing", kind=EntryKind.PLATFORM_UTILITY, listed_since=listed),
        ]
    )
    found = effective_set(school)
    assert keys(found.included) == ["cloud", "contractor", "billing"]
    assert all(line.since == listed for line in found.included)
    assert "temporary" in found.line_for("contractor").reason


def test_a_conditional_entry_is_in_only_while_its_option_is_on(app, school, data_lead):
    publish_version([entry("speech", status=EntryStatus.CONDITIONAL, condition_service="Voice input")])
    voice = make_option("voice-input", default=False, governs=["speech"], name="Voice input")

    line = effective_set(school).line_for("speech")
    assert not line.included
    assert line.reason == "Not used: the option “Voice input” is off by default."

    set_option(school, voice, True, expected_version=0, actor=Actor.of(data_lead))
    line = effective_set(school).line_for("speech")
    assert line.included and "Voice input" in line.reason and "for your organisation" in line.reason
    assert line.since.date() == dt.datetime.now(dt.UTC).date()


def test_a_conditional_entry_without_an_option_stays_out(app, school):
    publish_version([entry("speech", status=EntryStatus.CONDITIONAL, condition_service="Voice input")])
    line = effective_set(school).line_for("speech")
    assert not line.included and "voice input is enabled" in line.reason.lower()


def test_switching_an_option_off_takes_its_entry_out_with_the_reason_and_time(app, school, data_lead):
    publish_version([entry("primary"), entry("azure-openai")])
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"], name="Azure OpenAI fallback")
    assert effective_set(school).line_for("azure-openai").included

    setting = set_option(school, fallback, False, expected_version=0, actor=Actor.of(data_lead))
    found = effective_set(school)
    line = found.line_for("azure-openai")
    assert not line.included
    assert line.reason.startswith("Not used: the option “Azure OpenAI fallback” is off for your organisation.")
    # Until the platform confirms it (#27), the line says the switch is a request, dated when asked.
    assert line.reason.endswith("waiting for Larkspur Learning's platform to apply it.")
    assert line.since == setting.updated_at
    assert keys(found.included) == ["primary"]
    # Another school keeps the default.
    assert effective_set(make_school()).line_for("azure-openai").included


def test_a_planned_entry_is_out_until_its_uk_date_then_in(app, school):
    starts = uk_today() + dt.timedelta(days=31)
    publish_version([entry("moderation", status=EntryStatus.PLANNED, effective_on=starts)])

    before = effective_set(school)
    assert not before.line_for("moderation").included
    assert "takes effect on" in before.line_for("moderation").reason
    assert [(c.entry.key, c.on, c.kind, c.applies) for c in before.upcoming] == [
        ("moderation", starts, "addition", True)
    ]

    on_the_day = effective_set(school, today=starts)
    assert on_the_day.line_for("moderation").included
    assert on_the_day.line_for("moderation").since == starts
    assert on_the_day.upcoming == []


def test_entries_announced_for_removal_leave_on_their_date_and_retired_ones_are_out(app, school):
    ends = uk_today() + dt.timedelta(days=20)
    publish_version([entry("contractor", retires_on=ends), entry("old", status=EntryStatus.RETIRED)])

    found = effective_set(school)
    assert keys(found.included) == ["contractor"]
    assert [(c.entry.key, c.kind, c.on) for c in found.upcoming] == [("contractor", "removal", ends)]
    assert "Retired" in found.line_for("old").reason

    after = effective_set(school, today=ends)
    line = after.line_for("contractor")
    assert not line.included and line.since == ends and "Removed" in line.reason


def test_an_accommodated_objection_excludes_the_entry_for_that_tenancy_only(app, school, other_school):
    publish_version([entry("cloud"), entry("azure-openai")])
    db.session.add(
        TenancyExclusion(tenancy_id=school.id, entry_key="azure-openai", reason="Agreed in writing.", objection_id=7)
    )
    db.session.flush()

    line = effective_set(school).line_for("azure-openai")
    assert not line.included and line.excluded_by_objection
    assert "because your objection was accommodated" in line.reason and "Agreed in writing." in line.reason
    assert line.since is not None
    assert effective_set(other_school).line_for("azure-openai").included


def test_an_upcoming_addition_says_when_it_will_not_reach_this_tenancy(app, school, data_lead):
    starts = uk_today() + dt.timedelta(days=35)
    publish_version([entry("new-ai", status=EntryStatus.PLANNED, effective_on=starts)])
    option = make_option("new-ai-option", default=True, governs=["new-ai"], name="New AI")
    set_option(school, option, False, expected_version=0, actor=Actor.of(data_lead))
    (change,) = effective_set(school).upcoming
    assert not change.applies and "New AI" in change.note


def test_an_academy_uses_its_own_settings_not_its_trusts(app, data_lead):
    publish_version([entry("azure-openai")])
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"])
    trust = make_trust()
    academy = make_school(trust=trust)
    set_option(trust, fallback, False, expected_version=0, actor=Actor.system())
    assert not effective_set(trust).line_for("azure-openai").included
    assert effective_set(academy).line_for("azure-openai").included


def test_options_settings_and_exclusions_are_read_in_two_plain_statements(app, count_queries, school, other_school):
    """The options joined with the tenancies' settings, then the exclusions: two plain statements for
    any number of tenancies (#19, #26): each comes back whole, typed and in the options' order, an
    option's keys once each however many tenancies set it."""
    voice = make_option("voice-input", default=False, governs=["speech", "dictation"], name="Voice input")
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"])
    fallback.position, voice.position = 1, 2
    bare = make_option("no-entries", default=True, governs=[])
    bare.position = 3
    db.session.flush()
    set_option(school, voice, True, expected_version=0, actor=Actor.system())
    set_option(other_school, fallback, False, expected_version=0, actor=Actor.system())
    set_option(other_school, voice, False, expected_version=0, actor=Actor.system())
    db.session.add(TenancyExclusion(tenancy_id=school.id, entry_key="cloud", reason="Agreed.", objection_id=3))
    db.session.add(TenancyExclusion(tenancy_id=other_school.id, entry_key="billing", objection_id=4))
    db.session.flush()

    with count_queries() as counted:
        choices = tenancy_choices([school.id, other_school.id])
    assert counted.count == 2
    assert [(o.key, o.entry_keys, o.default_enabled) for o in choices.options] == [
        ("azure-fallback", ("azure-openai",), True),
        ("voice-input", ("dictation", "speech"), False),
        ("no-entries", (), True),
    ]
    assert choices.options[1].name == "Voice input" and choices.options[1].description == "What voice-input does."
    mine, theirs = choices.states[school.id], choices.states[other_school.id]
    assert [(s.option.key, s.enabled, s.is_default) for s in mine.values()] == [
        ("azure-fallback", True, True),
        ("voice-input", True, False),
        ("no-entries", True, True),
    ]
    setting = mine[voice.id].setting
    assert isinstance(setting, OptionSetting) and setting.version == 1 and setting.enabled is True
    assert setting.updated_at.tzinfo is not None  # aware UTC on SQLite as on PostgreSQL
    assert not theirs[fallback.id].enabled and theirs[fallback.id].version == 1
    assert not theirs[voice.id].enabled and not theirs[voice.id].is_default
    assert tenancy_choices([]).options == choices.options  # no tenancies: the options alone
    assert set(choices.exclusions[school.id]) == {"cloud"} and set(choices.exclusions[other_school.id]) == {"billing"}
    cloud, billing = choices.exclusions[school.id]["cloud"], choices.exclusions[other_school.id]["billing"]
    assert cloud.reason == "Agreed." and cloud.since.tzinfo is not None
    assert billing == Exclusion("", billing.since)

    nobody = tenancy_choices([])
    assert [o.key for o in nobody.options] == ["azure-fallback", "voice-input", "no-entries"]
    assert nobody.states == {} and nobody.exclusions == {}


def test_schools_that_decide_alike_share_their_lines_and_any_change_is_seen_at_once(app, school, other_school):
    """Lines are kept under everything that decides them (register/cache.py): nothing stale is served."""
    publish_version([entry("cloud"), entry("azure-openai", status=EntryStatus.CONDITIONAL, condition_service="AI")])
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"], name="Azure fallback")

    sets = effective_sets([school, other_school])
    mine, theirs = sets[school.id], sets[other_school.id]
    assert mine.decided_by == theirs.decided_by
    assert all(a is b for a, b in zip(mine.lines, theirs.lines, strict=True))  # decided once, for both

    set_option(school, fallback, False, expected_version=0, actor=Actor.system())
    mine, theirs = effective_set(school), effective_set(other_school)
    assert mine.decided_by != theirs.decided_by
    assert not mine.line_for("azure-openai").included and theirs.line_for("azure-openai").included

    update_option(
        fallback,
        name="Azure OpenAI",
        description="",
        default_enabled=True,
        entry_keys=["azure-openai"],
        actor=Actor.system(),
    )
    assert "“Azure OpenAI” is on by default" in effective_set(other_school).line_for("azure-openai").reason

    update_option(
        fallback, name="Azure OpenAI", description="", default_enabled=True, entry_keys=[], actor=Actor.system()
    )
    assert effective_set(other_school).line_for("azure-openai").reason.startswith("Not used: only where AI")

    db.session.add(TenancyExclusion(tenancy_id=other_school.id, entry_key="cloud", reason="", objection_id=9))
    db.session.flush()
    line = effective_set(other_school).line_for("cloud")
    assert not line.included and line.excluded_by_objection
    assert effective_set(school).line_for("cloud").included

    tomorrow = effective_set(other_school, today=uk_today() + dt.timedelta(days=1))
    assert tomorrow.decided_by != effective_set(other_school).decided_by


def test_a_drafts_set_is_refused_and_nothing_is_kept(app, school):
    """Only a published version's content is fixed (its lines are kept under its id); a draft can change."""
    from portal.register.cache import register_cache
    from portal.register.models import RegisterEntry, RegisterVersion, VersionStatus

    draft = RegisterVersion(
        sequence=99, number="9.9", status=VersionStatus.DRAFT, owner_name="O", contact_email="o@x.example"
    )
    draft.entries = [RegisterEntry(**entry("cloud"), position=1)]
    db.session.add(draft)
    db.session.flush()
    kept = len(register_cache()._fragments)

    with pytest.raises(ValueError, match="published register version"):
        effective_set(school, version=draft)
    assert len(register_cache()._fragments) == kept


def test_many_tenancies_at_once_in_a_constant_number_of_queries(app, count_queries, data_lead):
    publish_version([entry(f"supplier-{n}") for n in range(5)] + [entry("azure-openai")])
    fallback = make_option("azure-fallback", default=True, governs=["azure-openai"])

    def tenancies(count: int) -> list[Tenancy]:
        start = db.session.query(Tenancy).count()
        rows = [
            {
                "kind": TenancyKind.SCHOOL,
                "slug": f"bulk-{start + n}",
                "name": f"Bulk {n}",
                "urn": f"{700000 + start + n}",
            }
            for n in range(count)
        ]
        db.session.execute(insert(Tenancy), rows)
        return db.session.query(Tenancy).filter(Tenancy.slug.in_([r["slug"] for r in rows])).all()

    few, many = tenancies(3), tenancies(300)
    set_option(many[5], fallback, False, expected_version=0, actor=Actor.system())
    effective_sets(few)  # the published version's content is loaded once, then cached (register/cache.py)
    with count_queries() as small:
        effective_sets(few)
    with count_queries() as large:
        sets = effective_sets(many)
    # The current version's id; the options with these tenancies' settings, and their exclusions
    # (#19, #26); their standing objections (#21).
    assert small.count == large.count == 4
    assert not sets[many[5].id].line_for("azure-openai").included
    assert sets[many[6].id].line_for("azure-openai").included
