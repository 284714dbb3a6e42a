"""Tenancy options: defined by the vendor, switched by data leads and trust admins, never over each other."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import Actor
from portal.extensions import db
from portal.register.errors import OptionConflict, OptionInvalid
from portal.register.models import TenancyOptionSetting
from portal.register.options import define_option, set_option, set_option_for_academies, update_option
from portal.tenancy.models import Role
from tests.factories import make_school, make_trust, make_user


def setting_of(tenancy, option):
    return db.session.scalar(
        select(TenancyOptionSetting)
        .where(TenancyOptionSetting.tenancy_id == tenancy.id, TenancyOptionSetting.option_id == option.id)
        .execution_options(populate_existing=True)
    )


def test_switching_an_option_is_versioned_and_audited(app, azure_fallback, school, data_lead):
    first = set_option(school, azure_fallback, False, expected_version=0, actor=Actor.of(data_lead))
    assert (first.enabled, first.version, first.updated_by_id) == (False, 1, data_lead.id)
    second = set_option(school, azure_fallback, True, expected_version=1, actor=Actor.of(data_lead))
    assert (second.enabled, second.version) == (True, 2)

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tenancy.option_changed")).all()
    assert [(e.tenancy_id, e.object_id, e.details["from"], e.details["to"]) for e in events] == [
        (school.id, "azure-fallback", "on", "off"),
        (school.id, "azure-fallback", "off", "on"),
    ]


def test_a_stale_change_is_refused_with_who_changed_it_and_nothing_is_overwritten(
    app, azure_fallback, school, data_lead
):
    other_lead = make_user("Olu Other", tenancy=school, role=Role.DATA_LEAD)
    # Both read version 1; Olu saves first.
    set_option(school, azure_fallback, True, expected_version=0, actor=Actor.of(data_lead))
    set_option(school, azure_fallback, False, expected_version=1, actor=Actor.of(other_lead))
    with pytest.raises(OptionConflict) as conflict:
        set_option(school, azure_fallback, True, expected_version=1, actor=Actor.of(data_lead))
    assert "Olu Other changed “Azure OpenAI fallback”" in conflict.value.message
    assert "it is now off" in conflict.value.message and "Nothing you chose was saved" in conflict.value.message
    setting = setting_of(school, azure_fallback)
    assert (setting.enabled, setting.version, setting.updated_by_id) == (False, 2, other_lead.id)


def test_two_first_settings_at_once_cannot_both_win(app, azure_fallback, school, data_lead):
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.of(data_lead))
    # A second request that also saw "no setting yet" hits the unique constraint, not a silent overwrite.
    with pytest.raises(OptionConflict):
        set_option(school, azure_fallback, True, expected_version=0, actor=Actor.of(data_lead))
    assert setting_of(school, azure_fallback).enabled is False


def test_saving_the_value_already_saved_changes_nothing(app, azure_fallback, school, data_lead):
    set_option(school, azure_fallback, False, expected_version=0, actor=Actor.of(data_lead))
    again = set_option(school, azure_fallback, False, expected_version=1, actor=Actor.of(data_lead))
    assert again.version == 1


def test_a_trust_admin_switches_every_academy_at_once_or_none(app, azure_fallback):
    trust = make_trust()
    academies = [make_school(trust=trust) for _ in range(3)]
    admin = make_user(tenancy=trust, role=Role.TRUST_ADMIN)
    set_option(academies[0], azure_fallback, True, expected_version=0, actor=Actor.system())
    seen = {academies[0].id: 1, academies[1].id: 0, academies[2].id: 0}

    changed = set_option_for_academies(trust, azure_fallback, False, expected_versions=seen, actor=Actor.of(admin))
    assert [s.enabled for s in changed] == [False, False, False]

    # Someone changes one academy; the next trust-wide change, made from the old page, changes none.
    set_option(academies[2], azure_fallback, True, expected_version=1, actor=Actor.system())
    stale = {a.id: 1 if a is not academies[0] else 2 for a in academies}
    with pytest.raises(OptionConflict, match="No academy was changed"):
        set_option_for_academies(trust, azure_fallback, False, expected_versions=stale, actor=Actor.of(admin))
    assert [setting_of(a, azure_fallback).enabled for a in academies] == [False, False, True]


def test_a_trust_wide_change_refuses_a_changed_list_of_academies(app, azure_fallback):
    trust = make_trust()
    academy = make_school(trust=trust)
    with pytest.raises(OptionConflict, match="academies changed"):
        set_option_for_academies(
            trust, azure_fallback, False, expected_versions={academy.id + 1000: 0}, actor=Actor.system()
        )


def test_defining_options_checks_keys_and_one_option_per_entry(app, demo_register, vendor_staff, azure_fallback):
    actor = Actor.of(vendor_staff)
    option = define_option(
        key="moderation",
        name="Automated moderation",
        description="d",
        default_enabled=True,
        entry_keys=["kestrel-moderation"],
        actor=actor,
    )
    assert option.entry_keys == ["kestrel-moderation"]
    with pytest.raises(OptionInvalid, match="already governed"):
        define_option(
            key="another",
            name="Another",
            description="",
            default_enabled=True,
            entry_keys=["azure-openai"],
            actor=actor,
        )
    with pytest.raises(OptionInvalid, match="No register entry"):
        define_option(
            key="ghost", name="Ghost", description="", default_enabled=True, entry_keys=["nobody"], actor=actor
        )
    with pytest.raises(OptionInvalid, match="key"):
        define_option(key="Bad Key", name="Bad", description="", default_enabled=True, entry_keys=[], actor=actor)

    # Changing an option keeps its key and may take on more entries not governed elsewhere.
    update_option(
        azure_fallback,
        name="AI fallback",
        description="x",
        default_enabled=False,
        entry_keys=["azure-openai", "fellside-infrastructure"],
        actor=actor,
    )
    assert azure_fallback.entry_keys == ["azure-openai", "fellside-infrastructure"]
    assert azure_fallback.key == "azure-fallback" and azure_fallback.default_enabled is False
