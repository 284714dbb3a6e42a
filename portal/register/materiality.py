"""Material versus editorial: what a change to a register entry means for the controllers.

PLACEHOLDER for the notice enforcement of #21, judged on today's free-text fields. The facts
branch (register as facts) replaces the bodies of `compare_entries` and `compare_versions`
at merge, keeping this interface exactly: the notice enforcement calls only these two.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.register.models import EntryKind, EntryStatus, RegisterEntry, RegisterVersion

# Statuses in which a supplier processes data (planned entries are in from their own date).
_IN_USE = frozenset({EntryStatus.ACTIVE, EntryStatus.ACTIVE_TEMPORARY})


@dataclass(frozen=True)
class EntryDifference:
    """How one supplier differs between two versions, and whether controllers must be told first."""

    key: str
    supplier: str
    change: str  # "added" | "removed" | "changed" | "unchanged"
    material: bool
    reasons: tuple[str, ...]


def _words(text: str) -> set[str]:
    return {part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()}


def compare_entries(previous: RegisterEntry | None, current: RegisterEntry | None) -> EntryDifference:
    """Compare one supplier's entry in two versions (None: absent from that version)."""
    if previous is None and current is None:
        raise ValueError("compare_entries needs at least one entry")
    if current is None:
        assert previous is not None
        return EntryDifference(previous.key, previous.supplier, "removed", False, ())
    if previous is None:
        return EntryDifference(current.key, current.supplier, "added", True, ("new supplier",))
    reasons: list[str] = []
    changed = False
    if previous.kind is not current.kind:
        changed = True
        if current.kind is EntryKind.DATA_SUBPROCESSOR:
            reasons.append("now a data sub-processor")
    if previous.status is not current.status:
        changed = True
        # Planned becoming active is the planned date arriving; its own notice covered it.
        if current.status in _IN_USE and previous.status in (EntryStatus.CONDITIONAL, EntryStatus.RETIRED):
            reasons.append("now in use")
    if previous.location.strip() != current.location.strip():
        changed = True
        reasons.append("new location")
    if _words(current.data_categories) - _words(previous.data_categories):
        changed = True
        reasons.append("new data categories")
    elif previous.data_categories.strip() != current.data_categories.strip():
        changed = True
    if (previous.condition_service or "") != (current.condition_service or ""):
        changed = True
        if previous.status is EntryStatus.CONDITIONAL and current.status is EntryStatus.CONDITIONAL:
            reasons.append("condition loosened")
    for name in ("supplier", "parent_entity", "services_used", "purpose", "residency_note", "risk_note"):
        if (getattr(previous, name) or "") != (getattr(current, name) or ""):
            changed = True
    if previous.effective_on != current.effective_on or previous.retires_on != current.retires_on:
        changed = True
    change = "changed" if changed else "unchanged"
    return EntryDifference(current.key, current.supplier, change, bool(reasons), tuple(reasons))


def compare_versions(previous: RegisterVersion | None, current: RegisterVersion) -> list[EntryDifference]:
    """Every supplier in either version, compared (in the current version's order, removed ones last)."""
    before = {entry.key: entry for entry in previous.entries} if previous is not None else {}
    found = [compare_entries(before.get(entry.key), entry) for entry in current.entries]
    now_keys = {entry.key for entry in current.entries}
    found.extend(compare_entries(entry, None) for key, entry in before.items() if key not in now_keys)
    return found
