"""What tenancies chose about the register: the options with each tenancy's value, and the
entries kept out of a tenancy's set because its objection was accommodated.

Read in two plain statements for any number of tenancies (`tenancy_choices`), as frozen
values: pages never change them. The vendor's console and `set_option` use the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.orm import joinedload

from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection
from portal.changes.states import ObjectionState
from portal.dates import start_of_uk_day, uk_today
from portal.db import plain_rows
from portal.extensions import db
from portal.register.cache import register_cache
from portal.register.models import (
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
    VersionStatus,
)


@dataclass(frozen=True)
class OptionDefinition:
    """An option as pages read it: plain values, read with the tenancies' choices.

    The vendor's console edits the database row (`TenancyOption`); pages never need more than this.
    """

    id: int
    key: str
    name: str
    description: str
    default_enabled: bool
    entry_keys: tuple[str, ...]
    # The vendor's Welsh (#29), None until written: pages read them through register/welsh.py.
    name_cy: str | None = None
    description_cy: str | None = None


@dataclass(frozen=True)
class OptionSetting:
    """A tenancy's own value of an option."""

    enabled: bool
    version: int
    updated_at: dt.datetime
    # When the vendor's platform confirmed it applied this version (#27); None: still waiting.
    applied_at: dt.datetime | None = None


@dataclass(frozen=True)
class Exclusion:
    """An entry kept out of a tenancy's set because its objection was accommodated."""

    reason: str
    since: dt.datetime
    applied_at: dt.datetime | None = None  # when the platform confirmed it stopped using the supplier (#27)


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

    Two plain statements, built once (the tenancy ids are an expanding bound parameter), read as
    plain rows: pages never change these values, so no ORM objects are built for them. The options
    come with these tenancies' settings of them, joined: a round trip less on every set page (#26).
    """
    ids = {"tenancy_ids": list(tenancy_ids)}
    definitions: dict[int, Any] = {}
    keys: dict[int, dict[str, None]] = {}  # in order, once each (a key repeats for each setting)
    settings: dict[tuple[int, int], OptionSetting] = {}
    for row in plain_rows(db.session, _OPTIONS_AND_SETTINGS, ids):
        definitions.setdefault(row.id, row)
        governed = keys.setdefault(row.id, {})
        if row.entry_key is not None:
            governed[row.entry_key] = None
        if row.tenancy_id is not None:
            settings[(row.tenancy_id, row.id)] = OptionSetting(row.enabled, row.version, row.updated_at, row.applied_at)
    options = [
        OptionDefinition(
            row.id,
            row.key,
            row.name,
            row.description or "",
            row.default_enabled,
            tuple(keys[id_]),
            row.name_cy,
            row.description_cy,
        )
        for id_, row in definitions.items()
    ]
    exclusions: dict[int, dict[str, Exclusion]] = {}
    for kept_out in plain_rows(db.session, _EXCLUSIONS, ids):
        exclusion = Exclusion(kept_out.reason or "", kept_out.since, kept_out.applied_at)
        exclusions.setdefault(kept_out.tenancy_id, {})[kept_out.entry_key] = exclusion
    return Choices(options, _states(tenancy_ids, options, settings), exclusions)


# Every option with each entry key it governs and each of these tenancies' settings of it: one row
# per key and setting (an option governing no key, or set by none of them, still has its rows).
_OPTIONS_AND_SETTINGS = (
    select(
        TenancyOption.id,
        TenancyOption.key,
        TenancyOption.name,
        TenancyOption.description,
        TenancyOption.default_enabled,
        TenancyOption.name_cy,
        TenancyOption.description_cy,
        TenancyOptionEntry.entry_key,
        TenancyOptionSetting.tenancy_id,
        TenancyOptionSetting.enabled,
        TenancyOptionSetting.version,
        TenancyOptionSetting.updated_at,
        TenancyOptionSetting.applied_at,
    )
    .outerjoin(TenancyOptionEntry, TenancyOptionEntry.option_id == TenancyOption.id)
    .outerjoin(
        TenancyOptionSetting,
        and_(
            TenancyOptionSetting.option_id == TenancyOption.id,
            TenancyOptionSetting.tenancy_id.in_(bindparam("tenancy_ids", expanding=True)),
        ),
    )
    .order_by(TenancyOption.position, TenancyOption.id, TenancyOptionEntry.entry_key)
)
# These tenancies' exclusions of entries (accommodated objections).
_EXCLUSIONS = select(
    TenancyExclusion.tenancy_id,
    TenancyExclusion.entry_key,
    TenancyExclusion.reason,
    TenancyExclusion.since,
    TenancyExclusion.applied_at,
).where(TenancyExclusion.tenancy_id.in_(bindparam("tenancy_ids", expanding=True)))


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


@dataclass(frozen=True)
class Standstill:
    """A change kept out of one tenancy's set while its objection stands (#21).

    From the change's effective date until the objection is decided and, if not accommodated,
    until the school answers the exit offer or its answer deadline passes.
    """

    entry_key: str
    effective_on: dt.date
    state: str  # the objection's state
    lodged_on: dt.date
    exit_answer_by: dt.date | None
    exit_choice: str | None
    chosen_on: dt.date | None
    # The notice's kind. A material change of a supplier already in use keeps only the change out:
    # the supplier stays in on its terms before the change (`previous`, the entry as the register
    # stood before the change's effective date). A new supplier (no `previous`) stays wholly out.
    kind: str = "addition"
    previous: RegisterEntry | None = None
    # A replacement: the supplier it replaces, and that supplier's entry as the register stood before the
    # change's effective date. The retirement is part of the change, so it is kept out too: the objecting
    # school keeps the old supplier while the new one is kept out (and for good once accommodated).
    replaces_key: str | None = None
    replaced: RegisterEntry | None = None

    @property
    def keeps_previous_terms(self) -> bool:
        return self.kind == "material_change" and self.previous is not None

    def holds_on(self, day: dt.date) -> bool:
        """Whether the change is still kept out on this UK date, with today's knowledge."""
        if day < self.effective_on:
            return False
        if self.state in ("lodged", "acknowledged", "accommodated") or self.exit_choice == "exit_taken":
            return True
        if self.exit_choice == "accepted" and self.chosen_on is not None:
            return day <= self.chosen_on
        return self.exit_answer_by is not None and day <= self.exit_answer_by


def tenancy_standstills(tenancy_ids: Sequence[int]) -> dict[int, dict[str, Standstill]]:
    """Standing objections of these tenancies, by tenancy id then entry key (one query; one more, for
    the register as it stood before, only when one of them is to a material change or a replacement)."""
    return standstills_from(announced_objections(tenancy_ids))


def announced_objections(tenancy_ids: Sequence[int]) -> list[Row[Any]]:
    """Every objection of these tenancies to an announced change, oldest first, as plain rows with the
    change's entry key, effective date, kind and replaced key: one statement, built once.

    Both things a set page shows of them come from these rows: the standstills that keep a change
    out (`standstills_from`) and each tenancy's position on each announced change (its state and
    exit choice, in place of the call to object). They read the same objections, so one round trip."""
    if not tenancy_ids:
        return []
    return list(plain_rows(db.session, _ANNOUNCED_OBJECTIONS, {"tenancy_ids": list(tenancy_ids)}))


_ANNOUNCED_OBJECTIONS = (
    select(
        Objection.id,
        Objection.tenancy_id,
        Objection.change_id,
        Objection.state,
        Objection.lodged_at,
        Objection.received_on,
        Objection.exit_answer_by,
        Objection.exit_choice,
        Objection.exit_chosen_at,
        ChangeNotice.entry_key,
        ChangeNotice.effective_on,
        ChangeNotice.kind,
        ChangeNotice.replaces_key,
    )
    .join(ChangeNotice, ChangeNotice.id == Objection.change_id)
    .where(
        Objection.tenancy_id.in_(bindparam("tenancy_ids", expanding=True)),
        ChangeNotice.state == NoticeState.ANNOUNCED,
    )
    .order_by(Objection.lodged_at, Objection.id)
)
# An objection stands while it is open or awaits the school's answer to an exit offer; an accommodated
# one to a replacement stands for good.
_STANDING = frozenset({ObjectionState.LODGED, ObjectionState.ACKNOWLEDGED, ObjectionState.NOT_ACCOMMODATED})


def _stands(row: Row[Any]) -> bool:
    if row.kind is ChangeKind.REMOVAL:
        return False
    return row.state in _STANDING or (row.state is ObjectionState.ACCOMMODATED and row.kind is ChangeKind.REPLACEMENT)


def standstills_from(objections: Sequence[Row[Any]]) -> dict[int, dict[str, Standstill]]:
    """The standing objections among `announced_objections`' rows, by tenancy id then entry key (one
    more query, for the register as it stood before, only when one is to a material change or a
    replacement).

    An accommodated objection to a replacement stands too, for good: the exclusion keeps the new
    supplier out (register/models.py `TenancyExclusion`), the standstill keeps the old one in."""
    rows = [row for row in objections if _stands(row)]
    dated = {row.effective_on for row in rows if row.kind in (ChangeKind.MATERIAL_CHANGE, ChangeKind.REPLACEMENT)}
    before = _entries_before(dated)
    found: dict[int, dict[str, Standstill]] = {}
    for row in rows:
        kind, replaces_key = row.kind, row.replaces_key
        previous = before.get(row.effective_on, {}).get(row.entry_key) if kind is ChangeKind.MATERIAL_CHANGE else None
        replaced = before.get(row.effective_on, {}).get(replaces_key) if replaces_key else None
        found.setdefault(row.tenancy_id, {}).setdefault(
            row.entry_key,
            Standstill(
                row.entry_key,
                row.effective_on,
                row.state.value,
                row.received_on or uk_today(row.lodged_at),
                row.exit_answer_by,
                row.exit_choice.value if row.exit_choice else None,
                uk_today(row.exit_chosen_at) if row.exit_chosen_at else None,
                kind.value,
                previous,
                replaces_key,
                replaced,
            ),
        )
    return found


def _entries_before(days: set[dt.date]) -> dict[dt.date, dict[str, RegisterEntry]]:
    """For each UK date, the entries of the register as it stood before that day began: the terms a
    material change effective that day changes. Read-only, detached, from the register's cache.

    A material change cannot be published before its notice's effective date (the notice guard
    refuses it), so the version published last before that day still holds the previous terms."""
    if not days:
        return {}
    published = db.session.execute(
        select(RegisterVersion.id, RegisterVersion.published_at)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED)
        .order_by(RegisterVersion.sequence)
    ).all()
    found: dict[dt.date, dict[str, RegisterEntry]] = {}
    for day in days:
        starts = start_of_uk_day(day)
        earlier = [version_id for version_id, at in published if at is not None and at < starts]
        version = register_cache().version(earlier[-1]) if earlier else None
        found[day] = {entry.key: entry for entry in version.entries} if version is not None else {}
    return found
