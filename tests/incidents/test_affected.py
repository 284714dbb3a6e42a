"""Who an incident concerns: decided from each school's effective set over the period, set-based."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.audit.service import Actor
from portal.dates import now
from portal.extensions import db
from portal.incidents import affected, service
from portal.incidents.models import IncidentTenancy
from tests.factories import make_school
from tests.incidents.builders import (
    FALLBACK,
    HOST,
    SPEECH,
    exclude,
    last_week,
    open_incident,
    register,
    set_option,
    uk_morning,
)


def _affected(keys, start=None, end=None):
    week = last_week()
    return set(affected.affected_tenancies(keys, start or week[0], end or week[1]).tenancies)


def test_a_school_that_switched_the_fallback_off_before_the_period_is_not_affected(app):
    options = register()
    start, _end = last_week()
    default = make_school("Default Primary")
    off_before = make_school("Meadowbank Primary")
    set_option(off_before, options["fallback"], False, uk_morning(start - dt.timedelta(days=30)))
    off_during = make_school("Switched Mid-Week Primary")
    set_option(off_during, options["fallback"], False, uk_morning(start + dt.timedelta(days=2)))
    off_after = make_school("Switched Since Primary")
    set_option(off_after, options["fallback"], False, now())
    assert _affected([FALLBACK]) == {default.id, off_during.id, off_after.id}


def test_a_school_that_switched_an_option_on_only_after_the_period_is_not_affected(app):
    options = register()
    start, _end = last_week()
    on_after = make_school("Voice Later Primary")
    set_option(on_after, options["voice"], True, now())
    on_before = make_school("Voice Primary")
    set_option(on_before, options["voice"], True, uk_morning(start - dt.timedelta(days=3)))
    on_during = make_school("Voice Mid-Week Primary")
    set_option(on_during, options["voice"], True, uk_morning(start + dt.timedelta(days=1)))
    make_school("No Voice Primary")
    assert _affected([SPEECH]) == {on_before.id, on_during.id}


def test_a_setting_changed_more_than_once_after_the_period_began_counts_the_school_in(app):
    options = register()
    start, _ = last_week()
    flipped = make_school("Flipped Primary")
    # Now off after two changes: it was on at some time since the period began, so it is told.
    set_option(flipped, options["fallback"], False, uk_morning(start + dt.timedelta(days=1)), version=2)
    assert flipped.id in _affected([FALLBACK])


def test_an_exclusion_keeps_a_school_out_only_if_it_began_before_the_period(app):
    register()
    start, _ = last_week()
    excluded_before = make_school("Objected Early Primary")
    exclude(excluded_before, HOST, uk_morning(start - dt.timedelta(days=10)))
    excluded_during = make_school("Objected Late Primary")
    exclude(excluded_during, HOST, uk_morning(start + dt.timedelta(days=3)))
    other = make_school("Plain Primary")
    assert _affected([HOST]) == {excluded_during.id, other.id}


def test_a_supplier_not_in_use_during_the_period_concerns_nobody(app):
    register(published_on=dt.date.today() - dt.timedelta(days=2))
    make_school("Any Primary")
    start, _end = last_week()
    result = affected.affected_tenancies([HOST], start - dt.timedelta(days=30), start - dt.timedelta(days=20))
    assert result.tenancies == {} and not result.findings[0].in_use


def test_staff_additions_and_removals_survive_a_recompute_with_their_reasons(app):
    options = register()
    start, _ = last_week()
    kept = make_school("Kept Primary")
    removed = make_school("Removed Primary")
    outside = make_school("Outside Primary")
    set_option(outside, options["fallback"], False, uk_morning(start - dt.timedelta(days=40)))
    actor = Actor.system("staff")
    incident = open_incident(actor)
    service.remove_tenancy(incident, removed.id, reason="Its pupils never used the AI tutor.", actor=actor)
    service.add_tenancy(incident, outside, reason="Its staff used a trial account on the fallback.", actor=actor)
    service.recompute(incident, actor=actor)
    rows = {r.tenancy_id: r for r in db.session.scalars(select(IncidentTenancy))}
    assert rows[kept.id].included and rows[kept.id].concerns == "Microsoft Azure OpenAI"
    assert not rows[removed.id].included and rows[removed.id].reason == "Its pupils never used the AI tutor."
    assert rows[outside.id].included and rows[outside.id].source.value == "added"
