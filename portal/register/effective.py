"""A tenancy's effective set: which suppliers touch its data today, and why each is in or out.

One function decides this for every page that shows it (the tenancy page, its JSON, the DPA
annex, the DPIA pack). It reads the current published register, the option settings and the
accommodated-objection exclusions, and runs a constant number of queries however many entries
or tenancies there are.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import EllipsisType

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import joinedload

from portal.dates import govuk_date, uk_today
from portal.extensions import db
from portal.register.models import (
    EntryStatus,
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionSetting,
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
    option: TenancyOption | None = None
    excluded_by_objection: bool = False


@dataclass(frozen=True)
class UpcomingChange:
    """A dated change announced in the register: an addition (planned entry) or a removal."""

    entry: RegisterEntry
    on: dt.date
    kind: str  # "addition" or "removal"
    applies: bool
    note: str


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

    @property
    def included(self) -> list[EffectiveLine]:
        return [line for line in self.lines if line.included]

    @property
    def excluded(self) -> list[EffectiveLine]:
        return [line for line in self.lines if not line.included]

    @property
    def options_by_id(self) -> dict[int, OptionState]:
        """The tenancy's option values by option id, as `option_states` gives them."""
        return {state.option.id: state for state in self.options}

    def line_for(self, key: str) -> EffectiveLine | None:
        return next((line for line in self.lines if line.entry.key == key), None)


@dataclass(frozen=True)
class OptionState:
    """An option's value for one tenancy: its own setting, or the default when it has none."""

    option: TenancyOption
    enabled: bool
    setting: TenancyOptionSetting | None

    @property
    def version(self) -> int:
        """The version a change must name (0: no setting yet)."""
        return self.setting.version if self.setting is not None else 0

    @property
    def is_default(self) -> bool:
        return self.setting is None


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
) -> dict[int, EffectiveSet]:
    """The effective sets of many tenancies at once, in a constant number of queries.

    They are decided against the current published version, or against `version` when the
    caller has already found the current one (say, with the announced notices in one statement).
    """
    from portal.register.service import current_published

    today = today or uk_today()
    ids = [t.id for t in tenancies]
    if version is ...:
        version = current_published()
    options, states = options_with_states(ids)
    exclusions = _exclusions(ids)
    by_key = {key: option for option in options for key in option.entry_keys}
    entries: Sequence[RegisterEntry] = version.entries if version is not None else []
    result = {}
    for tenancy_id in ids:
        lines = [
            _line(entry, by_key.get(entry.key), states[tenancy_id], exclusions.get((tenancy_id, entry.key)), today)
            for entry in entries
        ]
        upcoming = _upcoming(lines, by_key, states[tenancy_id], today)
        result[tenancy_id] = EffectiveSet(
            tenancy_id, version, today, lines, upcoming, list(states[tenancy_id].values())
        )
    return result


def load_options() -> list[TenancyOption]:
    """Every option definition with the entry keys it governs (one query: a handful of rows, joined)."""
    query = (
        select(TenancyOption)
        .options(joinedload(TenancyOption.governed))
        .order_by(TenancyOption.position, TenancyOption.id)
    )
    return list(db.session.scalars(query).unique())


def options_with_states(tenancy_ids: Sequence[int]) -> tuple[list[TenancyOption], dict[int, dict[int, OptionState]]]:
    """Every option with the keys it governs, and each tenancy's value of each (one query).

    The options and these tenancies' settings are joined in one statement: a page that shows
    an effective set pays one round trip for both.
    """
    options: dict[int, TenancyOption] = {}
    settings: dict[tuple[int, int], TenancyOptionSetting] = {}
    for option, setting in db.session.execute(_options_statement(), {"tenancy_ids": list(tenancy_ids)}).unique():
        options.setdefault(option.id, option)
        if setting is not None:
            settings[(setting.tenancy_id, setting.option_id)] = setting
    ordered = list(options.values())
    return ordered, _states(tenancy_ids, ordered, settings)


@cache
def _options_statement() -> Select[TenancyOption, TenancyOptionSetting]:
    """`options_with_states`'s statement, built once (the tenancy ids are an expanding bound
    parameter), so SQLAlchemy need not work out its cache key again on every request."""
    return (
        select(TenancyOption, TenancyOptionSetting)
        .outerjoin(
            TenancyOptionSetting,
            and_(
                TenancyOptionSetting.option_id == TenancyOption.id,
                TenancyOptionSetting.tenancy_id.in_(bindparam("tenancy_ids", expanding=True)),
            ),
        )
        .options(joinedload(TenancyOption.governed))
        .order_by(TenancyOption.position, TenancyOption.id)
    )


def option_states(tenancy_ids: Sequence[int], options: Sequence[TenancyOption]) -> dict[int, dict[int, OptionState]]:
    """Each tenancy's value of each option, by tenancy id then option id (one query)."""
    settings: dict[tuple[int, int], TenancyOptionSetting] = {}
    if tenancy_ids and options:
        rows = db.session.scalars(select(TenancyOptionSetting).where(TenancyOptionSetting.tenancy_id.in_(tenancy_ids)))
        settings = {(row.tenancy_id, row.option_id): row for row in rows}
    return _states(tenancy_ids, options, settings)


def _states(
    tenancy_ids: Sequence[int],
    options: Sequence[TenancyOption],
    settings: dict[tuple[int, int], TenancyOptionSetting],
) -> dict[int, dict[int, OptionState]]:
    states: dict[int, dict[int, OptionState]] = {}
    for tenancy_id in tenancy_ids:
        states[tenancy_id] = {}
        for option in options:
            setting = settings.get((tenancy_id, option.id))
            enabled = setting.enabled if setting is not None else option.default_enabled
            states[tenancy_id][option.id] = OptionState(option, enabled, setting)
    return states


def _exclusions(tenancy_ids: Sequence[int]) -> dict[tuple[int, str], TenancyExclusion]:
    if not tenancy_ids:
        return {}
    rows = db.session.scalars(_exclusions_statement(), {"tenancy_ids": list(tenancy_ids)})
    return {(row.tenancy_id, row.entry_key): row for row in rows}


@cache
def _exclusions_statement() -> Select[TenancyExclusion]:
    """Built once, like `_options_statement`."""
    return select(TenancyExclusion).where(TenancyExclusion.tenancy_id.in_(bindparam("tenancy_ids", expanding=True)))


def _later(*values: Since) -> Since:
    """The latest of some dates and instants, compared on the UK calendar day."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return max(present, key=lambda v: (uk_today(v) if isinstance(v, dt.datetime) else v, isinstance(v, dt.datetime)))


def _line(
    entry: RegisterEntry,
    option: TenancyOption | None,
    states: dict[int, OptionState],
    exclusion: TenancyExclusion | None,
    today: dt.date,
) -> EffectiveLine:
    """Decide one entry for one tenancy. The order matters: the most final reason wins."""
    listed = entry.listed_since
    if entry.status is EntryStatus.RETIRED:
        return EffectiveLine(entry, False, "Retired: no longer used by the service.", listed)
    if entry.retires_on is not None and entry.retires_on <= today:
        return EffectiveLine(
            entry, False, f"Removed from the service on {govuk_date(entry.retires_on)}.", entry.retires_on
        )
    if exclusion is not None:
        reason = "Excluded for your organisation because your objection was accommodated."
        if exclusion.reason:
            reason = f"{reason} {exclusion.reason}"
        return EffectiveLine(entry, False, reason, exclusion.since, option, excluded_by_objection=True)
    if entry.status is EntryStatus.PLANNED and entry.effective_on is not None and entry.effective_on > today:
        return EffectiveLine(
            entry,
            False,
            f"Planned: takes effect on {govuk_date(entry.effective_on)}; it processes nothing before then.",
            None,
            option,
        )
    started = entry.effective_on if entry.status is EntryStatus.PLANNED else listed
    if option is not None:
        state = states[option.id]
        since = _later(started, state.setting.updated_at if state.setting else None)
        how = "by default" if state.is_default else "for your organisation"
        if not state.enabled:
            return EffectiveLine(entry, False, f"Not used: the option “{option.name}” is off {how}.", since, option)
        if entry.status is EntryStatus.CONDITIONAL:
            reason = f"Used because “{option.name}” is on {how} ({entry.condition_service})."
        else:
            reason = f"Used: the option “{option.name}” is on {how}."
        return EffectiveLine(entry, True, reason, since, option)
    if entry.status is EntryStatus.CONDITIONAL:
        reason = (
            f"Not used: only where {entry.condition_service} is enabled, which is not available to your organisation."
        )
        return EffectiveLine(entry, False, reason, listed)
    if entry.status is EntryStatus.PLANNED:
        return EffectiveLine(entry, True, f"Added to the service on {govuk_date(entry.effective_on)}.", started)
    if entry.status is EntryStatus.ACTIVE_TEMPORARY:
        return EffectiveLine(entry, True, "Used: active for a temporary engagement.", listed)
    return EffectiveLine(entry, True, "Used: an active supplier of the service.", listed)


def announced_changes(entries: Sequence[RegisterEntry], today: dt.date) -> list[UpcomingChange]:
    """Dated additions (planned entries) and removals still to come, as the register announces them."""
    changes = []
    for entry in entries:
        if entry.status is EntryStatus.RETIRED:
            continue
        if entry.status is EntryStatus.PLANNED and entry.effective_on is not None and entry.effective_on > today:
            changes.append(UpcomingChange(entry, entry.effective_on, "addition", True, "To be added."))
        if entry.retires_on is not None and entry.retires_on > today:
            changes.append(UpcomingChange(entry, entry.retires_on, "removal", True, "To be removed."))
    changes.sort(key=lambda change: (change.on, change.entry.supplier))
    return changes


def _upcoming(
    lines: Sequence[EffectiveLine], by_key: dict[str, TenancyOption], states: dict[int, OptionState], today: dt.date
) -> list[UpcomingChange]:
    """The announced changes, each saying whether it will reach this tenancy."""
    line_for = {line.entry.key: line for line in lines}
    changes = []
    for change in announced_changes([line.entry for line in lines], today):
        if change.kind == "removal":
            changes.append(dataclasses.replace(change, note="Will no longer be used."))
            continue
        option = by_key.get(change.entry.key)
        applies, note = _would_apply(line_for[change.entry.key], states[option.id] if option is not None else None)
        changes.append(dataclasses.replace(change, applies=applies, note=note))
    return changes


def _would_apply(line: EffectiveLine, state: OptionState | None) -> tuple[bool, str]:
    if line.excluded_by_objection:
        return False, "Will not apply to your organisation: your objection was accommodated."
    if state is not None and not state.enabled:
        return False, f"Will not apply while the option “{state.option.name}” is off."
    return True, "Will be used from this date."
