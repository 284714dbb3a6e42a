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
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from types import EllipsisType
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    CompoundSelect,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload

from portal.dates import govuk_date, uk_today
from portal.db import UTCDateTime
from portal.extensions import db
from portal.register.cache import register_cache
from portal.register.models import (
    EntryStatus,
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
    VersionStatus,
)
from portal.tenancy.models import Tenancy

Since = dt.date | dt.datetime | None


@dataclass(frozen=True)
class OptionDefinition:
    """An option as pages read it: plain values, read with the tenancies' choices in one statement.

    The vendor's console edits the database row (`TenancyOption`); pages never need more than this.
    """

    id: int
    key: str
    name: str
    description: str
    default_enabled: bool
    entry_keys: tuple[str, ...]


@dataclass(frozen=True)
class OptionSetting:
    """A tenancy's own value of an option."""

    enabled: bool
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class Exclusion:
    """An entry kept out of a tenancy's set because its objection was accommodated."""

    reason: str
    since: dt.datetime


@dataclass(frozen=True)
class EffectiveLine:
    """One register entry for one tenancy: in or out, why, and since when."""

    entry: RegisterEntry
    included: bool
    reason: str
    since: Since
    option: OptionDefinition | None = None
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


@dataclass(frozen=True)
class OptionState:
    """An option's value for one tenancy: its own setting, or the default when it has none."""

    option: OptionDefinition
    enabled: bool
    setting: OptionSetting | None

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
    The decided lines of a published version are kept in the register's cache under everything
    they depend on (`EffectiveSet.decided_by`), so tenancies that decide alike share them.
    """
    from portal.register.service import current_published

    today = today or uk_today()
    ids = [t.id for t in tenancies]
    if version is ...:
        version = current_published()
    choices = tenancy_choices(ids)
    options = tuple(choices.options)
    entries: Sequence[RegisterEntry] = version.entries if version is not None else []
    cache = register_cache()
    result = {}
    for tenancy_id in ids:
        states, own = choices.states[tenancy_id], choices.exclusions.get(tenancy_id, {})
        # Everything the lines depend on. Most schools share it (default options, no objection
        # accommodated), so their lines are decided once a day per version, not once a request.
        decided_by: Hashable = (
            version.id if version is not None else None,
            today,
            options,
            tuple((state.enabled, state.setting) for state in states.values()),
            tuple(sorted(own.items())),
        )
        decide = partial(_decide, entries, options, states, own, today)
        if version is None or version.status is VersionStatus.PUBLISHED:
            lines, upcoming = cache.fragment(("effective-lines", decided_by), decide)
        else:  # a draft's content can change under the same id: decided afresh, and kept nowhere
            (lines, upcoming), decided_by = decide(), None
        result[tenancy_id] = EffectiveSet(
            tenancy_id, version, today, list(lines), list(upcoming), list(states.values()), decided_by
        )
    return result


def _decide(
    entries: Sequence[RegisterEntry],
    options: Sequence[OptionDefinition],
    states: dict[int, OptionState],
    exclusions: dict[str, Exclusion],
    today: dt.date,
) -> tuple[tuple[EffectiveLine, ...], tuple[UpcomingChange, ...]]:
    """One tenancy's lines and upcoming changes, from its option values and exclusions."""
    by_key = {key: option for option in options for key in option.entry_keys}
    lines = [_line(entry, by_key.get(entry.key), states, exclusions.get(entry.key), today) for entry in entries]
    return tuple(lines), tuple(_upcoming(lines, by_key, states, today))


def load_options() -> list[TenancyOption]:
    """Every option definition with the entry keys it governs (one query: a handful of rows, joined)."""
    query = (
        select(TenancyOption)
        .options(joinedload(TenancyOption.governed))
        .order_by(TenancyOption.position, TenancyOption.id)
    )
    return list(db.session.scalars(query).unique())


@dataclass(frozen=True)
class Choices:
    """Every option, each tenancy's value of each, and the tenancies' accommodated objections."""

    options: list[OptionDefinition]
    # By tenancy id, then option id, in the options' order.
    states: dict[int, dict[int, OptionState]]
    # By tenancy id, then entry key (a tenancy without any is absent).
    exclusions: dict[int, dict[str, Exclusion]]


def tenancy_choices(tenancy_ids: Sequence[int]) -> Choices:
    """The options (with the entry keys each governs), these tenancies' settings and exclusions.

    One statement of plain rows: a page showing an effective set pays one round trip for all
    three, and builds no ORM objects for them (see `_choices_statement`).
    """
    definitions: dict[int, tuple[Any, list[str]]] = {}
    settings: dict[tuple[int, int], OptionSetting] = {}
    exclusions: dict[int, dict[str, Exclusion]] = {}
    for row in db.session.execute(_choices_statement(), {"tenancy_ids": list(tenancy_ids)}):
        if row.kind == _DEFINITION:
            keys = definitions.setdefault(row.option_id, (row, []))[1]
            if row.entry_key is not None:
                keys.append(row.entry_key)
        elif row.kind == _SETTING:
            settings[(row.tenancy_id, row.option_id)] = OptionSetting(bool(row.flag), row.number, row.at)
        else:
            exclusions.setdefault(row.tenancy_id, {})[row.entry_key] = Exclusion(row.text or "", row.at)
    options = [
        OptionDefinition(row.option_id, row.key, row.name, row.text or "", bool(row.flag), tuple(keys))
        for row, keys in definitions.values()
    ]
    return Choices(options, _states(tenancy_ids, options, settings), exclusions)


_DEFINITION, _SETTING, _EXCLUSION = 0, 1, 2


@cache
def _choices_statement() -> CompoundSelect[Any]:
    """`tenancy_choices`' statement, built once (the tenancy ids are an expanding bound parameter).

    Three kinds of row in one UNION ALL, told apart by `kind`, with the same columns:

    - an option and one entry key it governs (`number` is the option's position);
    - a tenancy's setting of an option (`flag` is its value, `number` its version);
    - a tenancy's exclusion of an entry (`text` is the reason, `at` the date it started).
    """
    option, governed = TenancyOption.__table__, TenancyOptionEntry.__table__
    setting, exclusion = TenancyOptionSetting.__table__, TenancyExclusion.__table__
    tenancy_ids: BindParameter[int] = bindparam("tenancy_ids", expanding=True)

    def kind(value: int) -> Any:
        return literal_column(str(value), Integer).label("kind")

    def nothing(type_: Any, label: str) -> Any:
        return cast(null(), type_).label(label)

    definitions = select(
        kind(_DEFINITION),
        option.c.id.label("option_id"),
        nothing(Integer, "tenancy_id"),
        option.c.key.label("key"),
        governed.c.entry_key.label("entry_key"),
        option.c.name.label("name"),
        option.c.description.label("text"),
        option.c.default_enabled.label("flag"),
        option.c.position.label("number"),
        nothing(UTCDateTime(), "at"),
    ).select_from(option.outerjoin(governed, governed.c.option_id == option.c.id))
    settings = select(
        kind(_SETTING),
        setting.c.option_id,
        setting.c.tenancy_id,
        nothing(String, "key"),
        nothing(String, "entry_key"),
        nothing(String, "name"),
        nothing(Text, "text"),
        setting.c.enabled,
        setting.c.version,
        setting.c.updated_at,
    ).where(setting.c.tenancy_id.in_(tenancy_ids))
    exclusions = select(
        kind(_EXCLUSION),
        nothing(Integer, "option_id"),
        exclusion.c.tenancy_id,
        nothing(String, "key"),
        exclusion.c.entry_key,
        nothing(String, "name"),
        exclusion.c.reason,
        nothing(Boolean, "flag"),
        nothing(Integer, "number"),
        exclusion.c.since,
    ).where(exclusion.c.tenancy_id.in_(tenancy_ids))
    union = union_all(definitions, settings, exclusions)
    columns = union.selected_columns
    return union.order_by(columns.kind, columns.number, columns.option_id, columns.entry_key)


def _states(
    tenancy_ids: Sequence[int],
    options: Sequence[OptionDefinition],
    settings: dict[tuple[int, int], OptionSetting],
) -> dict[int, dict[int, OptionState]]:
    states: dict[int, dict[int, OptionState]] = {}
    for tenancy_id in tenancy_ids:
        states[tenancy_id] = {}
        for option in options:
            setting = settings.get((tenancy_id, option.id))
            enabled = setting.enabled if setting is not None else option.default_enabled
            states[tenancy_id][option.id] = OptionState(option, enabled, setting)
    return states


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
    lines: Sequence[EffectiveLine], by_key: dict[str, OptionDefinition], states: dict[int, OptionState], today: dt.date
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
