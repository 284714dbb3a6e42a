"""No change without notice (#21): what a publication or option change would give each tenancy.

Decided by the effective set, set-based for every tenancy at once. Tenancies that decide alike
(the same option values, exclusions and standing objections) are grouped, and each group's set
is decided before and after the proposed change on today and on every date the register names
ahead. Anything a set would gain (a supplier not in it before, or an included supplier changed
materially as `portal.register.materiality` judges it) must be covered by an announced change
notice naming that supplier and taking effect on or before that date; the notice itself was
announced at least the notice period ahead (`portal.changes.service.announce_change`). Removals,
switching something off and editorial changes gain nothing, so they need no notice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from portal.dates import govuk_date, now, uk_today
from portal.extensions import db
from portal.register.choices import OptionDefinition, OptionState, tenancy_choices, tenancy_standstills
from portal.register.effective import _decide
from portal.register.errors import PublishError
from portal.register.materiality import compare_entries
from portal.register.models import EntryStatus, RegisterEntry, RegisterVersion
from portal.tenancy.models import Tenancy, TenancyKind


@dataclass(frozen=True)
class Gain:
    """A supplier some tenancies' sets would gain, uncovered by notice: what, for how many, from when."""

    key: str
    supplier: str
    what: str
    on: dt.date
    schools: int
    trusts: int

    def message(self, earliest: dt.date) -> str:
        schools = ngettext("%(num)d school", "%(num)d schools", self.schools)
        trusts = ngettext("%(num)d trust", "%(num)d trusts", self.trusts)
        return str(
            _(
                "%(supplier)s (%(what)s) would apply to %(schools)s and %(trusts)s from %(on)s without notice. "
                "Announce the change first: it may take effect on %(earliest)s at the earliest.",
                supplier=self.supplier,
                what=self.what,
                schools=schools,
                trusts=trusts,
                on=govuk_date(self.on),
                earliest=govuk_date(max(earliest, self.on)),
            )
        )


class NoticeRequired(PublishError):
    """A change that would reach schools before their notice has run."""

    def __init__(self, gains: Sequence[Gain], earliest: dt.date) -> None:
        super().__init__(" ".join(gain.message(earliest) for gain in gains))
        self.gains = list(gains)
        self.earliest = earliest


def _covering_notices(before: RegisterVersion | None, today: dt.date) -> dict[str, dt.date]:
    """The earliest effective date of an announced notice naming each entry key, among those that
    can still cover a change: announced since the register now in force was published, or not yet
    in effect (an old notice, already carried out, does not cover a new change to the same supplier)."""
    from portal.changes.models import ChangeKind, ChangeNotice, NoticeState

    fresh = ChangeNotice.effective_on >= today
    if before is not None and before.published_at is not None:
        fresh = or_(fresh, ChangeNotice.published_at > before.published_at)
    query = select(ChangeNotice.entry_key, ChangeNotice.effective_on).where(
        ChangeNotice.state == NoticeState.ANNOUNCED, ChangeNotice.kind != ChangeKind.REMOVAL, fresh
    )
    covered: dict[str, dt.date] = {}
    for key, on in db.session.execute(query):
        covered[key] = min(on, covered.get(key, on))
    return covered


def _announced_dates() -> dict[str, set[dt.date]]:
    from portal.changes.models import ChangeKind, ChangeNotice, NoticeState

    query = select(ChangeNotice.entry_key, ChangeNotice.effective_on).where(
        ChangeNotice.state == NoticeState.ANNOUNCED, ChangeNotice.kind != ChangeKind.REMOVAL
    )
    dates: dict[str, set[dt.date]] = defaultdict(set)
    for key, on in db.session.execute(query):
        dates[key].add(on)
    return dates


def _states_under(states: dict[int, OptionState], options: Sequence[OptionDefinition]) -> dict[int, OptionState]:
    """A tenancy's option values under other option definitions (its own settings kept)."""
    result = {}
    for option in options:
        before = states.get(option.id)
        setting = before.setting if before is not None else None
        enabled = setting.enabled if setting is not None else option.default_enabled
        result[option.id] = OptionState(option, enabled, setting)
    return result


def _dates(today: dt.date, *versions: Sequence[RegisterEntry]) -> list[dt.date]:
    found = {today}
    for entries in versions:
        for entry in entries:
            found.update(d for d in (entry.effective_on, entry.retires_on) if d is not None and d > today)
    return sorted(found)


def find_gains(
    *,
    before: RegisterVersion | None,
    after: RegisterVersion | None,
    options_after: Sequence[OptionDefinition] | None = None,
    today: dt.date | None = None,
) -> list[Gain]:
    """What every tenancy's set would gain without notice if `after` (and `options_after`) replaced today's."""
    today = today or uk_today()
    rows = db.session.execute(select(Tenancy.id, Tenancy.kind)).all()
    kinds = dict(rows)
    choices = tenancy_choices(list(kinds))
    standing = tenancy_standstills(list(kinds))
    options_before = tuple(choices.options)
    new_options = tuple(options_after) if options_after is not None else options_before
    entries_before = before.entries if before is not None else []
    entries_after = after.entries if after is not None else []
    by_key_before = {entry.key: entry for entry in entries_before}
    covered = _covering_notices(before, today)
    groups: dict[Hashable, list[int]] = defaultdict(list)
    decide_with: dict[Hashable, tuple[Any, ...]] = {}
    for tenancy_id in kinds:
        states = choices.states[tenancy_id]
        own = choices.exclusions.get(tenancy_id, {})
        stands = standing.get(tenancy_id, {})
        signature: Hashable = (
            tuple(
                (option_id, state.enabled, state.setting is not None and state.setting.enabled)
                for option_id, state in states.items()
            ),
            tuple(sorted(own)),
            tuple(sorted(stands.items())),
        )
        groups[signature].append(tenancy_id)
        decide_with[signature] = (states, own, stands)
    found: dict[tuple[str, str, dt.date], set[int]] = defaultdict(set)
    suppliers: dict[str, str] = {}
    for signature, members in groups.items():
        states, own, stands = decide_with[signature]
        states_after = _states_under(states, new_options)
        for day in _dates(today, entries_before, entries_after):
            was, _upcoming = _decide(entries_before, options_before, states, own, day, stands)
            will, _upcoming = _decide(entries_after, new_options, states_after, own, day, stands)
            had = {line.entry.key for line in was if line.included}
            for line in will:
                if not line.included:
                    continue
                key = line.entry.key
                if key in had:
                    difference = compare_entries(by_key_before.get(key), line.entry)
                    if not difference.material:
                        continue
                    what = ", ".join(difference.reasons)
                else:
                    what = _("new for these schools")
                if key in covered and covered[key] <= day:
                    continue
                suppliers[key] = line.entry.supplier
                found[(key, what, day)].update(members)
    gains = []
    seen: set[tuple[str, str]] = set()
    for (key, what, day), reached in sorted(found.items(), key=lambda item: (item[0][2], item[0][0])):
        if (key, what) in seen:
            continue  # the first date it would apply is the one to tell
        seen.add((key, what))
        trusts = sum(1 for tenancy_id in reached if kinds[tenancy_id] is TenancyKind.TRUST)
        gains.append(Gain(key, suppliers[key], what, day, len(reached) - trusts, trusts))
    return gains


def unannounced_planned(before: RegisterVersion | None, after: RegisterVersion) -> list[RegisterEntry]:
    """Planned entries, new or re-dated, that no announced notice names for their date."""
    previous = {entry.key: entry for entry in before.entries} if before is not None else {}
    announced = _announced_dates()
    missing = []
    for entry in after.entries:
        if entry.status is not EntryStatus.PLANNED or entry.effective_on is None:
            continue
        earlier = previous.get(entry.key)
        if earlier is not None and earlier.status is EntryStatus.PLANNED and earlier.effective_on == entry.effective_on:
            continue
        if entry.effective_on not in announced.get(entry.key, set()):
            missing.append(entry)
    return missing


def require_notice(
    *,
    before: RegisterVersion | None,
    after: RegisterVersion | None,
    options_after: Sequence[OptionDefinition] | None = None,
) -> None:
    """Refuse (NoticeRequired, PublishError) a change that would reach any tenancy before its notice has run."""
    from portal.changes import window

    if before is None:
        return  # the first register ever published: no controller has signed against anything yet
    if after is not None:
        missing = unannounced_planned(before, after)
        if missing:
            names = ", ".join(entry.supplier for entry in missing)
            raise PublishError(
                _(
                    "%(names)s: a planned supplier needs an announced change notice naming it for its date. "
                    "Announce the change first, then publish.",
                    names=names,
                )
            )
    gains = find_gains(before=before, after=after, options_after=options_after)
    if gains:
        raise NoticeRequired(gains, window.earliest_effective_date(now()))
