"""A tenancy's upcoming changes: what is announced to come, each with its date and whether it reaches
this tenancy (its options, its objections), for the effective set's panel, its JSON and the DPIA.

The register announces additions (planned entries) and removals (`retires_on`) itself; a material
change of a supplier already listed is published in the register only once it takes effect, so until
then only its notice announces it (#21): those notices are read beside the register, as plain values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select

from portal.changes.models import ChangeKind, ChangeNotice, NoticeState
from portal.dates import end_of_uk_day
from portal.extensions import db
from portal.register.choices import OptionDefinition, OptionState, Standstill
from portal.register.models import EntryStatus, RegisterEntry
from portal.register.standstill import held_change_note, replaced_note, standstill_reason

if TYPE_CHECKING:
    from portal.register.effective import EffectiveLine


@dataclass(frozen=True)
class UpcomingChange:
    """A dated change announced: an addition (planned entry), a removal, or a material change (a notice)."""

    entry: RegisterEntry
    on: dt.date
    kind: str  # "addition", "removal" or "material_change"
    applies: bool
    note: str
    # A material change: what its notice says changes, and the notice.
    title: str = ""
    notice_id: int | None = None


@dataclass(frozen=True)
class MaterialNotice:
    """An announced material change of a supplier in the register, as the upcoming changes read it."""

    id: int
    entry_key: str
    on: dt.date
    title: str


def announced_changes(entries: Sequence[RegisterEntry], today: dt.date) -> list[UpcomingChange]:
    """Dated additions (planned entries) and removals still to come, as the register announces them."""
    changes = []
    for entry in entries:
        if entry.status is EntryStatus.RETIRED:
            continue
        if entry.status is EntryStatus.PLANNED and entry.effective_on is not None and entry.effective_on > today:
            changes.append(UpcomingChange(entry, entry.effective_on, "addition", True, str(_("To be added."))))
        if entry.retires_on is not None and entry.retires_on > today:
            changes.append(UpcomingChange(entry, entry.retires_on, "removal", True, str(_("To be removed."))))
    changes.sort(key=lambda change: (change.on, change.entry.supplier))
    return changes


def material_notices(today: dt.date, known_on: dt.date) -> tuple[MaterialNotice, ...]:
    """Material changes announced by the end of `known_on` and still to come on `today` (one query)."""
    query = (
        select(ChangeNotice.id, ChangeNotice.entry_key, ChangeNotice.effective_on, ChangeNotice.title)
        .where(
            ChangeNotice.state == NoticeState.ANNOUNCED,
            ChangeNotice.kind == ChangeKind.MATERIAL_CHANGE,
            ChangeNotice.effective_on > today,
            ChangeNotice.published_at < end_of_uk_day(known_on),
        )
        .order_by(ChangeNotice.effective_on, ChangeNotice.id)
    )
    return tuple(MaterialNotice(*row) for row in db.session.execute(query))


def material_from(notices: Iterable[ChangeNotice], today: dt.date) -> tuple[MaterialNotice, ...]:
    """`material_notices` from notices a page has already read (announced, not yet in effect)."""
    return tuple(
        MaterialNotice(n.id, n.entry_key, n.effective_on, n.title)
        for n in notices
        if n.kind is ChangeKind.MATERIAL_CHANGE and n.state is NoticeState.ANNOUNCED and n.effective_on > today
    )


def upcoming_changes(
    lines: Sequence[EffectiveLine],
    by_key: dict[str, OptionDefinition],
    states: dict[int, OptionState],
    today: dt.date,
    standstills: dict[str, Standstill],
    material: Sequence[MaterialNotice] = (),
) -> list[UpcomingChange]:
    """The announced changes, each saying whether it will reach this tenancy."""
    line_for = {line.entry.key: line for line in lines}
    replaced = {s.replaces_key: s for s in standstills.values() if s.replaces_key}
    changes = []
    for change in announced_changes([line.entry for line in lines], today):
        standing = (replaced if change.kind == "removal" else standstills).get(change.entry.key)
        if standing is not None and standing.effective_on == change.on and standing.holds_on(change.on):
            # The tenancy's objection keeps the change out: the new supplier and the retirement it brings.
            note = replaced_note(standing) if change.kind == "removal" else standstill_reason(standing)
            changes.append(dataclasses.replace(change, applies=False, note=note))
            continue
        if change.kind == "removal":
            changes.append(dataclasses.replace(change, note=str(_("Will no longer be used."))))
            continue
        option = by_key.get(change.entry.key)
        applies, note = _would_apply(line_for[change.entry.key], states[option.id] if option is not None else None)
        changes.append(dataclasses.replace(change, applies=applies, note=note))
    for notice in material:
        line = line_for.get(notice.entry_key)
        if line is None:
            continue  # not in this register: nothing of this tenancy's changes
        applies, note = _material_applies(line, notice, states, standstills.get(notice.entry_key))
        changes.append(UpcomingChange(line.entry, notice.on, "material_change", applies, note, notice.title, notice.id))
    changes.sort(key=lambda change: (change.on, change.entry.supplier))
    return changes


def _material_applies(
    line: EffectiveLine, notice: MaterialNotice, states: dict[int, OptionState], standing: Standstill | None
) -> tuple[bool, str]:
    """Whether a material change announced for a supplier will reach this tenancy, and why (not)."""
    ours = standing is not None and standing.kind == "material_change" and standing.effective_on == notice.on
    if standing is not None and ours and standing.holds_on(notice.on):
        return False, held_change_note(standing)
    state = states.get(line.option.id) if line.option is not None else None
    if line.excluded_by_objection or (state is not None and not state.enabled):
        return _would_apply(line, state)
    if not line.included:
        return False, str(_("Does not affect your organisation: this supplier is not used for it."))
    return True, str(_("Applies to your organisation from this date."))


def _would_apply(line: EffectiveLine, state: OptionState | None) -> tuple[bool, str]:
    if line.excluded_by_objection:
        return False, str(_("Will not apply to your organisation: your objection was accommodated."))
    if state is not None and not state.enabled:
        return False, str(_("Will not apply while the option “%(option)s” is off.", option=state.option.name))
    return True, str(_("Will be used from this date."))
