"""A tenancy's effective set: which suppliers touch its data today, and why each is in or out.

One function decides this for every page that shows it (the tenancy page, its JSON, the DPA
annex, the DPIA pack). It reads the current published register and the tenancies' choices
(register/choices.py: option settings and accommodated-objection exclusions), and runs a
constant number of queries however many entries or tenancies there are.

Dates are UK calendar dates. A planned entry is in from its `effective_on` date (UK) onwards,
and an entry with `retires_on` is out from that date: the set is computed from the date every
time it is asked for, so no scheduled job has to flip statuses at midnight, and there is no
window in which a job that failed to run leaves a planned supplier out or a retired one in. A
planned supplier processes nothing before its date, so counting it in from the start of that UK
day is exact enough for a controller's record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import EllipsisType
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, select

from portal.changes.models import ChangeNotice
from portal.dates import end_of_uk_day, govuk_date, uk_today
from portal.extensions import db
from portal.register.cache import register_cache
from portal.register.choices import (
    Exclusion,
    OptionDefinition,
    OptionState,
    Standstill,
    standstills_from,
    tenancy_choices,
    tenancy_standstills,
)
from portal.register.materiality import compare_entries
from portal.register.models import EntryStatus, RegisterEntry, RegisterVersion, VersionStatus
from portal.register.service import current_published
from portal.register.signals import register_today
from portal.register.standstill import previous_terms_note, replaced_note, standstill_reason
from portal.register.upcoming import (
    MaterialNotice,
    UpcomingChange,
    material_from,
    material_notices,
    upcoming_changes,
)
from portal.tenancy.models import Tenancy

Since = dt.date | dt.datetime | None


@dataclass(frozen=True)
class EffectiveLine:
    """One register entry for one tenancy: in or out, why, and since when."""

    entry: RegisterEntry
    included: bool
    reason: str
    since: Since
    option: OptionDefinition | None = None
    excluded_by_objection: bool = False
    # Kept out while this tenancy's objection stands (#21).
    standstill: bool = False


@dataclass
class EffectiveSet:
    """The effective set of one tenancy on one UK date, under one published register version."""

    tenancy_id: int
    version: RegisterVersion | None
    today: dt.date
    lines: list[EffectiveLine] = field(default_factory=list)
    upcoming: list[UpcomingChange] = field(default_factory=list)
    # The tenancy's value of every option, in the options' order.
    options: list[OptionState] = field(default_factory=list)
    # A hashable summary of everything the lines were decided from: equal for two sets with the
    # same lines, so what is made from the lines alone can be kept under it (see `effective_sets`).
    decided_by: Hashable = None

    @property
    def included(self) -> list[EffectiveLine]:
        return [line for line in self.lines if line.included]

    @property
    def excluded(self) -> list[EffectiveLine]:
        return [line for line in self.lines if not line.included]

    @property
    def options_by_id(self) -> dict[int, OptionState]:
        """The tenancy's option values by option id, as `tenancy_choices(...).states` gives them."""
        return {state.option.id: state for state in self.options}

    def line_for(self, key: str) -> EffectiveLine | None:
        return next((line for line in self.lines if line.entry.key == key), None)


def has_own_set(tenancy: Tenancy) -> bool:
    """Whether suppliers process this tenancy's own data: a school's, or a trust's whose central staff use
    the service itself. Any other trust is the controller for its academies only: its pages show theirs."""
    return not tenancy.is_trust or tenancy.central_staff_use_service


def effective_set(
    tenancy: Tenancy, *, today: dt.date | None = None, version: RegisterVersion | EllipsisType | None = ...
) -> EffectiveSet:
    """The effective set of one tenancy (an academy's own settings, not its trust's)."""
    return effective_sets([tenancy], today=today, version=version)[tenancy.id]


def effective_sets(
    tenancies: Iterable[Tenancy],
    *,
    today: dt.date | None = None,
    version: RegisterVersion | EllipsisType | None = ...,
    notices: Sequence[ChangeNotice] | None = None,
    objections: Sequence[Row[Any]] | None = None,
) -> dict[int, EffectiveSet]:
    """The effective sets of many tenancies at once, in a constant number of queries.

    They are decided against the current published version, or against `version` when the
    caller has already found the current one (say, with the announced notices in one statement:
    pass them as `notices` and the upcoming material changes are read from them, not queried; and
    a caller that has read the tenancies' `announced_objections` passes them as `objections`).
    The decided lines of a published version are kept in the register's cache under everything
    they depend on (`EffectiveSet.decided_by`), so tenancies that decide alike share them.
    """
    today = today or uk_today()
    ids = [t.id for t in tenancies]
    if version is ... and today < uk_today():
        version = published_on(today)
    elif version is ... and notices is None:
        # The current version and the notices announced, in one statement.
        published = register_today(today)
        version, notices = published.version, published.notices
    elif version is ...:
        version = current_published()
    known_on = min(today, uk_today())  # a past date knows the notices announced by then; a later one, today's
    material = material_from(notices, today) if notices is not None else material_notices(today, known_on)
    if version is not None and version.status is not VersionStatus.PUBLISHED:
        # Only a published version's content is fixed; the lines are kept under its id.
        raise ValueError("effective sets are decided against a published register version")
    choices = tenancy_choices(ids)
    standing = standstills_from(objections) if objections is not None else tenancy_standstills(ids)
    options = tuple(choices.options)
    entries: Sequence[RegisterEntry] = version.entries if version is not None else []
    cache = register_cache()
    result = {}
    for tenancy_id in ids:
        states, own = choices.states[tenancy_id], choices.exclusions.get(tenancy_id, {})
        stands = standing.get(tenancy_id, {})
        # Everything the lines depend on. Most schools share it (default options, no objection
        # accommodated), so their lines are decided once a day per version, not once a request.
        decided_by: Hashable = (
            version.id if version is not None else None,
            today,
            options,
            tuple((state.enabled, state.setting) for state in states.values()),
            tuple(sorted(own.items())),
            tuple(sorted(stands.items())),
            material,
        )
        decide = partial(_decide, entries, options, states, own, today, stands, material)
        lines, upcoming = cache.fragment(("effective-lines", decided_by), decide)
        result[tenancy_id] = EffectiveSet(
            tenancy_id, version, today, list(lines), list(upcoming), list(states.values()), decided_by
        )
    return result


def published_on(day: dt.date) -> RegisterVersion | None:
    """The version in force at the end of a past UK day: the last published by then (one query; read-only,
    from the register's cache). A set on a past date is decided against the register of that date."""
    found = db.session.scalar(
        select(RegisterVersion.id)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED, RegisterVersion.published_at < end_of_uk_day(day))
        .order_by(RegisterVersion.sequence.desc())
        .limit(1)
    )
    return register_cache().version(found) if found is not None else None


def _decide(
    entries: Sequence[RegisterEntry],
    options: Sequence[OptionDefinition],
    states: dict[int, OptionState],
    exclusions: dict[str, Exclusion],
    today: dt.date,
    standstills: dict[str, Standstill] | None = None,
    material: Sequence[MaterialNotice] = (),
) -> tuple[tuple[EffectiveLine, ...], tuple[UpcomingChange, ...]]:
    """One tenancy's lines and upcoming changes, from its option values, exclusions and standing objections."""
    by_key = {key: option for option in options for key in option.entry_keys}
    standstills = standstills or {}
    # A replacement this tenancy objected to is kept out as a whole: the supplier it retires stays in.
    kept = {s.replaces_key: s for s in standstills.values() if s.replaces_key and s.holds_on(today)}
    lines = []
    for entry in entries:
        option, exclusion = by_key.get(entry.key), exclusions.get(entry.key)
        keeping = kept.pop(entry.key, None)
        if keeping is not None and _retired_by(entry, keeping, today):
            lines.append(_kept_from_replacement(entry, keeping, option, states, exclusion, today))
        else:
            lines.append(_line(entry, option, states, exclusion, today, standstills.get(entry.key)))
    for keeping in kept.values():  # a later version no longer lists the supplier it replaced
        if keeping.replaced is not None and keeping.replaced.status is not EntryStatus.RETIRED:
            option = by_key.get(keeping.replaced.key)
            lines.append(_kept_from_replacement(keeping.replaced, keeping, option, states, None, today))
    upcoming = upcoming_changes(lines, by_key, states, today, standstills, material)
    return tuple(lines), tuple(upcoming)


def _retired_by(entry: RegisterEntry, standstill: Standstill, today: dt.date) -> bool:
    """Whether the register has this entry out on this date because of the replacement kept out."""
    if entry.status is EntryStatus.RETIRED:
        return standstill.replaced is not None and standstill.replaced.status is not EntryStatus.RETIRED
    return entry.retires_on is not None and entry.retires_on == standstill.effective_on and entry.retires_on <= today


def _kept_from_replacement(
    entry: RegisterEntry,
    standstill: Standstill,
    option: OptionDefinition | None,
    states: dict[int, OptionState],
    exclusion: Exclusion | None,
    today: dt.date,
) -> EffectiveLine:
    """A supplier the register retires on the date of a replacement this tenancy objected to: decided as if it
    were not retired (on its entry from before the change, if the register no longer lists it as in use)."""
    if entry.status is EntryStatus.RETIRED and standstill.replaced is not None:
        entry = standstill.replaced
    held = _line(entry, option, states, exclusion, today, retiring=False)
    if not held.included:
        return held  # out for its own reasons (an option off, say): that reason is the one to give
    why = replaced_note(standstill)
    reason = f"{why} {held.reason}" if option is not None else why
    return EffectiveLine(entry, True, reason, held.since, option, standstill=True)


def _later(*values: Since) -> Since:
    """The latest of some dates and instants, compared on the UK calendar day."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present, key=lambda v: (uk_today(v) if isinstance(v, dt.datetime) else v, isinstance(v, dt.datetime)))


def _line(
    entry: RegisterEntry,
    option: OptionDefinition | None,
    states: dict[int, OptionState],
    exclusion: Exclusion | None,
    today: dt.date,
    standstill: Standstill | None = None,
    *,
    retiring: bool = True,
) -> EffectiveLine:
    """Decide one entry for one tenancy. The order matters: the most final reason wins.

    `retiring=False`: its date of removal does not apply to this tenancy (a replacement kept out)."""
    listed = entry.listed_since
    if entry.status is EntryStatus.RETIRED:
        return EffectiveLine(entry, False, str(_("Retired: no longer used by the service.")), listed)
    if retiring and entry.retires_on is not None and entry.retires_on <= today:
        return EffectiveLine(
            entry,
            False,
            str(_("Removed from the service on %(date)s.", date=govuk_date(entry.retires_on))),
            entry.retires_on,
        )
    if exclusion is not None:
        reason = str(_("Excluded for your organisation because your objection was accommodated."))
        if exclusion.reason:
            reason = f"{reason} {exclusion.reason}"
        reason = f"{reason} {application_note(exclusion.since, exclusion.applied_at)}"
        excluded_since = exclusion.applied_at or exclusion.since
        return EffectiveLine(entry, False, reason, excluded_since, option, excluded_by_objection=True)
    if entry.status is EntryStatus.PLANNED and entry.effective_on is not None and entry.effective_on > today:
        return EffectiveLine(
            entry,
            False,
            str(
                _(
                    "Planned: takes effect on %(date)s; it processes nothing before then.",
                    date=govuk_date(entry.effective_on),
                )
            ),
            None,
            option,
        )
    if standstill is not None and standstill.holds_on(today):
        if standstill.keeps_previous_terms:
            assert standstill.previous is not None
            return _on_previous_terms(entry, standstill.previous, option, states, today, standstill)
        return EffectiveLine(
            entry, False, standstill_reason(standstill), standstill.effective_on, option, standstill=True
        )
    started = entry.effective_on if entry.status is EntryStatus.PLANNED else listed
    if option is not None:
        state = states[option.id]
        setting = state.setting
        # The record's date is when the platform applied the choice, once it has (#27).
        since = _later(started, (setting.applied_at or setting.updated_at) if setting else None)
        note = f" {application_note(setting.updated_at, setting.applied_at)}" if setting else ""
        if not state.enabled:
            reason = _option_reason("off", state.is_default, option.name, entry.condition_service) + note
            return EffectiveLine(entry, False, reason, since, option)
        kind = "conditional" if entry.status is EntryStatus.CONDITIONAL else "on"
        reason = _option_reason(kind, state.is_default, option.name, entry.condition_service) + note
        return EffectiveLine(entry, True, reason, since, option)
    if entry.status is EntryStatus.CONDITIONAL:
        reason = str(
            _(
                "Not used: only where %(service)s is enabled, which is not available to your organisation.",
                service=entry.condition_service,
            )
        )
        return EffectiveLine(entry, False, reason, listed)
    if entry.status is EntryStatus.PLANNED:
        added = str(_("Added to the service on %(date)s.", date=govuk_date(entry.effective_on)))
        return EffectiveLine(entry, True, added, started)
    if entry.status is EntryStatus.ACTIVE_TEMPORARY:
        return EffectiveLine(entry, True, str(_("Used: active for a temporary engagement.")), listed)
    return EffectiveLine(entry, True, str(_("Used: an active supplier of the service.")), listed)


def _option_reason(kind: str, is_default: bool, name: str, service: str | None) -> str:
    """Why an option's supplier is in or out: one whole sentence for each case, so each translates whole."""
    if kind == "off" and is_default:
        return str(_("Not used: the option “%(option)s” is off by default.", option=name))
    if kind == "off":
        return str(_("Not used: the option “%(option)s” is off for your organisation.", option=name))
    if kind == "conditional" and is_default:
        return str(_("Used because “%(option)s” is on by default (%(service)s).", option=name, service=service))
    if kind == "conditional":
        return str(
            _("Used because “%(option)s” is on for your organisation (%(service)s).", option=name, service=service)
        )
    if is_default:
        return str(_("Used: the option “%(option)s” is on by default.", option=name))
    return str(_("Used: the option “%(option)s” is on for your organisation.", option=name))


def _on_previous_terms(
    entry: RegisterEntry,
    previous: RegisterEntry,
    option: OptionDefinition | None,
    states: dict[int, OptionState],
    today: dt.date,
    standstill: Standstill,
) -> EffectiveLine:
    """A supplier already in use whose material change this tenancy objected to: only the change is
    kept out. The line is decided on the entry as it stood before the change, and says so and why."""
    held = _line(previous, option, states, None, today)
    if not held.included:
        return held  # out on its previous terms too (an option off, say): that reason is the one to give
    changed = compare_entries(previous, entry)
    what = ", ".join(changed.reasons) if changed.material else ""
    reason = f"{previous_terms_note(standstill, what)} {held.reason}"
    return dataclasses.replace(held, reason=reason, standstill=True)


def application_note(requested_at: dt.datetime, applied_at: dt.datetime | None) -> str:
    """Whether the vendor's platform has applied a school's choice yet, and when (#27)."""
    if applied_at is not None:
        return str(_("Applied on %(date)s.", date=govuk_date(applied_at)))
    vendor = current_app.config.get("VENDOR_NAME", _("the vendor"))
    return str(
        _(
            "Requested on %(date)s: waiting for %(vendor)s's platform to apply it.",
            date=govuk_date(requested_at),
            vendor=vendor,
        )
    )
