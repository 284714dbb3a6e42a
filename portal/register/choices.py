"""What tenancies chose about the register: the options with each tenancy's value, and the
entries kept out of a tenancy's set because its objection was accommodated.

Read in one statement of plain rows for any number of tenancies (`tenancy_choices`), as frozen
values: pages never change them. The vendor's console and `set_option` use the models.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    CompoundSelect,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import joinedload

from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection
from portal.dates import start_of_uk_day, uk_today
from portal.db import UTCDateTime
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
    """An option as pages read it: plain values, read with the tenancies' choices in one statement.

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
            settings[(row.tenancy_id, row.option_id)] = OptionSetting(bool(row.flag), row.number, row.at, row.applied)
        else:
            exclusions.setdefault(row.tenancy_id, {})[row.entry_key] = Exclusion(row.text or "", row.at, row.applied)
    options = [
        OptionDefinition(
            row.option_id, row.key, row.name, row.text or "", bool(row.flag), tuple(keys), row.name_cy, row.text_cy
        )
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

    `applied` is when the vendor's platform confirmed a setting or exclusion (#27).
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
        nothing(UTCDateTime(), "applied"),
        option.c.name_cy,
        option.c.description_cy.label("text_cy"),
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
        setting.c.applied_at,
        nothing(String, "name_cy"),
        nothing(Text, "text_cy"),
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
        exclusion.c.applied_at,
        nothing(String, "name_cy"),
        nothing(Text, "text_cy"),
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
    the register as it stood before, only when one of them is to a material change or a replacement).

    An accommodated objection to a replacement stands too, for good: the exclusion keeps the new
    supplier out (register/models.py `TenancyExclusion`), the standstill keeps the old one in."""
    if not tenancy_ids:
        return {}
    query = (
        select(
            Objection, ChangeNotice.entry_key, ChangeNotice.effective_on, ChangeNotice.kind, ChangeNotice.replaces_key
        )
        .join(ChangeNotice, ChangeNotice.id == Objection.change_id)
        .where(
            Objection.tenancy_id.in_(list(tenancy_ids)),
            or_(
                Objection.state.in_(["lodged", "acknowledged", "not_accommodated"]),
                and_(Objection.state == "accommodated", ChangeNotice.kind == ChangeKind.REPLACEMENT),
            ),
            ChangeNotice.state == NoticeState.ANNOUNCED,
            ChangeNotice.kind != ChangeKind.REMOVAL,
        )
        .order_by(Objection.lodged_at)
    )
    rows = db.session.execute(query).all()
    dated = {row.effective_on for row in rows if row.kind in (ChangeKind.MATERIAL_CHANGE, ChangeKind.REPLACEMENT)}
    before = _entries_before(dated)
    found: dict[int, dict[str, Standstill]] = {}
    for objection, entry_key, effective_on, kind, replaces_key in rows:
        previous = before.get(effective_on, {}).get(entry_key) if kind is ChangeKind.MATERIAL_CHANGE else None
        replaced = before.get(effective_on, {}).get(replaces_key) if replaces_key else None
        found.setdefault(objection.tenancy_id, {}).setdefault(
            entry_key,
            Standstill(
                entry_key,
                effective_on,
                objection.state.value,
                objection.received_on or uk_today(objection.lodged_at),
                objection.exit_answer_by,
                objection.exit_choice.value if objection.exit_choice else None,
                uk_today(objection.exit_chosen_at) if objection.exit_chosen_at else None,
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
