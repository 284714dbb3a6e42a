"""`flask demo scale` at a tiny scale: every count as planned, links in place, and no second run."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from portal.auth.models import Identity, User
from portal.changes.models import Objection, ObjectionStep
from portal.changes.states import ObjectionState, StepKind
from portal.demo.scale import AlreadyLoaded, Plan, load_scale, scale_command
from portal.demo.scale_register import EXCLUDED_KEY, OPTION_ENTRY_KEY
from portal.documents.models import Agreement
from portal.extensions import db
from portal.notify.models import Subscriber
from portal.register.effective import effective_set
from portal.register.models import (
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
    VersionStatus,
)
from portal.register.service import current_version
from portal.tenancy.models import Membership, Tenancy, TenancyKind

SCALE = 0.002


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_plan_at_full_scale_is_england_sized():
    plan = Plan.at(1.0)
    assert (plan.schools, plan.trusts, plan.users, plan.subscribers) == (24_000, 2_500, 50_000, 50_000)
    assert (plan.entries, plan.versions, plan.objections, plan.agreements) == (40, 10, 500, 20_000)


def test_scale_set_has_every_planned_row(app):
    plan = Plan.at(SCALE)
    lines = list(load_scale(SCALE))
    assert len(lines) == 7
    assert count(Tenancy, Tenancy.kind == TenancyKind.SCHOOL) == plan.schools == 48
    assert count(Tenancy, Tenancy.kind == TenancyKind.TRUST) == plan.trusts == 5
    assert count(Tenancy, Tenancy.trust_id.is_not(None)) == plan.schools // 2
    assert count(User) == plan.users == 100
    assert count(User, User.vendor_role.is_not(None)) == 2
    assert count(Membership) == plan.users - 2
    assert count(Identity) == plan.users
    assert count(Subscriber, Subscriber.confirmed_at.is_not(None), Subscriber.confirm_token_hash.is_(None)) == 100
    assert count(RegisterVersion, RegisterVersion.status == VersionStatus.PUBLISHED) == plan.versions
    assert count(RegisterEntry) == plan.versions * plan.entries
    current = current_version()
    assert current is not None and current.number == "10.0" and len(current.entries) == 40
    assert count(TenancyOption) == 1 and count(TenancyOptionEntry) == 1
    assert count(TenancyOptionSetting, TenancyOptionSetting.enabled.is_(False)) == 48 // 5 + 1
    assert count(TenancyExclusion) == 1
    first = db.session.scalars(select(Tenancy).where(Tenancy.slug == "scale-school-0")).one()
    lines_of_first = {line.entry.key: line for line in effective_set(first).lines}
    assert not lines_of_first[OPTION_ENTRY_KEY].included and lines_of_first[OPTION_ENTRY_KEY].option is not None
    assert lines_of_first[EXCLUDED_KEY].excluded_by_objection
    assert count(Objection, Objection.state == ObjectionState.LODGED) == plan.objections == 1
    assert count(ObjectionStep, ObjectionStep.step == StepKind.LODGED) == plan.objections
    assert count(Agreement) == plan.agreements == 40
    agreement = db.session.scalars(select(Agreement)).first()
    assert agreement is not None and hashlib.sha256(agreement.pdf).hexdigest() == agreement.sha256
    assert agreement.size_bytes == len(agreement.pdf)


def test_scale_set_refuses_a_database_with_data(app):
    list(load_scale(SCALE))
    with pytest.raises(AlreadyLoaded, match="freshly migrated, empty database"):
        list(load_scale(SCALE))


def test_command_reports_progress_and_refuses_a_second_run(app):
    runner = app.test_cli_runner()
    first = runner.invoke(scale_command, ["--scale", "0.001"])
    assert first.exit_code == 0, first.output
    assert "24 schools" in first.output and "committed" in first.output
    second = runner.invoke(scale_command, ["--scale", "0.001"])
    assert second.exit_code == 1
    assert "freshly migrated, empty database" in second.output
    assert count(Tenancy, Tenancy.kind == TenancyKind.SCHOOL) == 24
