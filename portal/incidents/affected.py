"""Which tenancies an incident concerns: those whose effective set held an involved supplier during its period.

Decided set-based, one statement per supplier however many tenancies there are, from the same
facts the effective set is decided from (register/effective.py) but over a period, not a day:

- the supplier must have been in use under a register version in force during the period
  (not retired, a planned entry's date reached, a removal not yet taken effect);
- an accommodated objection's exclusion keeps it out only if it began before the period;
- an option governing it counts by what the tenancy's setting was during the period. A setting
  records its value and when it last changed (`updated_at`), with a version counting changes, and
  a change always flips the value (`register.options.set_option`): so before the last change the
  value was the default (version 1) or the opposite (later versions). A setting last changed
  before the period held throughout it; one changed during or after it is judged by both values,
  and when an earlier value is unknown the tenancy is counted in: telling a school too much
  is a lesser fault than not telling it at all.

A conditional entry no option governs is used by nobody, as in the effective set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select, true

from portal.changes.models import ChangeKind, ChangeNotice, NoticeState, Objection
from portal.dates import end_of_uk_day, govuk_date, start_of_uk_day
from portal.extensions import db
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


@dataclass(frozen=True)
class SupplierFinding:
    """What was decided for one supplier: in use during the period, how, and why."""

    key: str
    supplier: str
    in_use: bool
    explanation: str
    option_name: str | None = None


@dataclass
class Affected:
    """The tenancies concerned, each with the suppliers that concerned it, and the reasoning per supplier."""

    tenancies: dict[int, list[str]] = field(default_factory=dict)
    findings: list[SupplierFinding] = field(default_factory=list)


def in_force_entries(keys: list[str], start: dt.date, end: dt.date) -> dict[str, list[RegisterEntry]]:
    """The entries for these keys in every published version in force at some time in the period."""
    begin, finish = start_of_uk_day(start), end_of_uk_day(end)
    versions = list(
        db.session.execute(
            select(RegisterVersion.id, RegisterVersion.published_at)
            .where(RegisterVersion.status == VersionStatus.PUBLISHED, RegisterVersion.published_at < finish)
            .order_by(RegisterVersion.sequence)
        )
    )
    # The version current when the period began, and every one published during it.
    before = [row.id for row in versions if row.published_at <= begin][-1:]
    during = [row.id for row in versions if row.published_at > begin]
    ids = before + during
    found: dict[str, list[RegisterEntry]] = {key: [] for key in keys}
    if not ids or not keys:
        return found
    query = select(RegisterEntry).where(RegisterEntry.version_id.in_(ids), RegisterEntry.key.in_(keys))
    for entry in db.session.scalars(query):
        found[entry.key].append(entry)
    return found


def _used_during(entry: RegisterEntry, start: dt.date, end: dt.date) -> bool:
    if entry.status is EntryStatus.RETIRED:
        return False
    if entry.status is EntryStatus.PLANNED and (entry.effective_on is None or entry.effective_on > end):
        return False
    return entry.retires_on is None or entry.retires_on > start


def affected_tenancies(keys: list[str], start: dt.date, end: dt.date) -> Affected:
    """The tenancies whose effective set included any of the suppliers at some time from `start` to `end`."""
    result = Affected()
    entries = in_force_entries(keys, start, end)
    governing = {
        row.entry_key: row
        for row in db.session.execute(
            select(TenancyOptionEntry.entry_key, TenancyOption.id, TenancyOption.name, TenancyOption.default_enabled)
            .join(TenancyOption, TenancyOption.id == TenancyOptionEntry.option_id)
            .where(TenancyOptionEntry.entry_key.in_(keys))
        )
    }
    kept = _kept_by_objection(keys, end)
    for key in keys:
        used = [e for e in entries[key] if _used_during(e, start, end)]
        supplier = (used or entries[key])[0].supplier if (used or entries[key]) else key
        option = governing.get(key)
        conditional_only = all(e.status is EntryStatus.CONDITIONAL for e in used)
        for tenancy_id in kept.get(key, ()):
            result.tenancies.setdefault(tenancy_id, []).append(supplier)
        if kept.get(key) and not used:
            why = _(
                "Retired before %(start)s, but still used for schools whose objection to its replacement kept the "
                "replacement out."
            ) % {"start": govuk_date(start)}
            result.findings.append(SupplierFinding(key, supplier, True, why))
            continue
        if not used or (conditional_only and option is None):
            why = _("Not in use under any register version in force from %(start)s to %(end)s.")
            result.findings.append(
                SupplierFinding(key, supplier, False, why % {"start": govuk_date(start), "end": govuk_date(end)})
            )
            continue
        for tenancy_id in db.session.scalars(_statement(key, start, end, option)):
            result.tenancies.setdefault(tenancy_id, []).append(supplier)
        if option is None:
            why = _("In use for every school; only an accommodated objection before the period keeps a school out.")
        else:
            why = _(
                "Governed by the option “%(option)s”: schools that switched it off before %(start)s are not affected."
            ) % {"option": option.name, "start": govuk_date(start)}
        result.findings.append(SupplierFinding(key, supplier, True, why, option.name if option else None))
    return result


def _kept_by_objection(keys: list[str], end: dt.date) -> dict[str, list[int]]:
    """Tenancies that keep a supplier the register retired, because their objection to its replacement kept
    the replacement out (#21): by replaced key, every objection that may have stood by the end of the period
    (one query). One since withdrawn or answered is counted in too: telling a school too much is the lesser fault."""
    query = (
        select(ChangeNotice.replaces_key, Objection.tenancy_id)
        .join(Objection, Objection.change_id == ChangeNotice.id)
        .where(
            ChangeNotice.kind == ChangeKind.REPLACEMENT,
            ChangeNotice.state == NoticeState.ANNOUNCED,
            ChangeNotice.replaces_key.in_(keys),
            ChangeNotice.effective_on <= end,
            Objection.lodged_at < end_of_uk_day(end),
        )
        .order_by(Objection.tenancy_id)
    )
    found: dict[str, list[int]] = {}
    for key, tenancy_id in db.session.execute(query):
        found.setdefault(key or "", []).append(tenancy_id)
    return found


def _statement(key: str, start: dt.date, end: dt.date, option: Any) -> Any:
    """The ids of tenancies concerned by one supplier in use during the period."""
    begin, finish = start_of_uk_day(start), end_of_uk_day(end)
    exclusion = TenancyExclusion
    query = (
        select(Tenancy.id)
        .outerjoin(exclusion, and_(exclusion.tenancy_id == Tenancy.id, exclusion.entry_key == key))
        .where(or_(exclusion.id.is_(None), exclusion.since >= begin))
        .order_by(Tenancy.id)
    )
    if option is None:
        return query
    setting = TenancyOptionSetting
    default = true() if option.default_enabled else false()
    changed_later = setting.updated_at > begin
    held = or_(
        and_(setting.id.is_(None), default),
        and_(setting.id.is_not(None), ~changed_later, setting.enabled.is_(True)),
        and_(
            setting.id.is_not(None),
            changed_later,
            or_(setting.version > 1, and_(setting.updated_at < finish, setting.enabled.is_(True)), default),
        ),
    )
    return query.outerjoin(setting, and_(setting.tenancy_id == Tenancy.id, setting.option_id == option.id)).where(held)
