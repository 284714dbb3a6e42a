"""Compare two register versions entry by entry (matched by key) and field by field."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.dates import govuk_date
from portal.register.facts import summary
from portal.register.models import NotSubProcessor, RegisterEntry, RegisterVersion

# The fields a reader compares, in the order the register shows them.
ENTRY_FIELDS: list[tuple[str, LazyString]] = [
    ("supplier", _l("Supplier")),
    ("parent_entity", _l("Parent entity")),
    ("kind", _l("Kind")),
    ("status", _l("Status")),
    ("condition_service", _l("Conditional on")),
    ("effective_on", _l("Takes effect on")),
    ("retires_on", _l("Removed on")),
    ("services_used", _l("Services used")),
    ("purpose", _l("Purpose")),
    ("data_categories", _l("Data categories processed")),
    ("location", _l("Location")),
    ("residency_note", _l("Residency note")),
    ("certifications", _l("Certifications")),
    ("dpa_reference", _l("DPA reference")),
    ("privacy_contact", _l("Privacy contact")),
    ("risk_note", _l("Risk note")),
]

VERSION_FIELDS: list[tuple[str, LazyString]] = [
    ("owner_name", _l("Owner")),
    ("contact_email", _l("Contact")),
    ("reviewed_on", _l("Reviewed")),
    ("next_review_on", _l("Next review")),
    ("notes", _l("Notes")),
]


def show(value: Any) -> str:
    """A field's value as a reader sees it."""
    if value is None or value == "":
        return str(_("Not set"))
    if isinstance(value, dt.date):
        return govuk_date(value)
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its name, label and both values as shown."""

    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryChange:
    """One supplier added, removed or changed between two versions."""

    key: str
    supplier: str
    change: str  # "added", "removed" or "changed"
    fields: list[FieldChange]
    before: RegisterEntry | None
    after: RegisterEntry | None


@dataclass(frozen=True)
class StatementChange:
    """A "not a sub-processor" statement added, removed or reworded (matched by supplier)."""

    supplier: str
    change: str
    before: str | None
    after: str | None


@dataclass
class VersionComparison:
    """Everything that differs between an earlier and a later version."""

    before: RegisterVersion
    after: RegisterVersion
    entries: list[EntryChange] = field(default_factory=list)
    statements: list[StatementChange] = field(default_factory=list)
    details: list[FieldChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.entries or self.statements or self.details)

    def counts(self) -> dict[str, int]:
        """How many entries were added, removed and changed (for the audit row)."""
        counts = {"added": 0, "removed": 0, "changed": 0}
        for change in self.entries:
            counts[change.change] += 1
        counts["statements"] = len(self.statements)
        return counts


def _diff(before: Any, after: Any, fields: list[tuple[str, LazyString]]) -> list[FieldChange]:
    changes = []
    for name, label in fields:
        old, new = getattr(before, name), getattr(after, name)
        if (old or None) != (new or None):
            changes.append(FieldChange(name, str(label), show(old), show(new)))
    return changes


def compare_versions(a: RegisterVersion, b: RegisterVersion) -> VersionComparison:
    """What changed from version a to version b: entries added, removed and changed field by field."""
    result = VersionComparison(before=a, after=b, details=_diff(a, b, VERSION_FIELDS))
    old = {e.key: e for e in a.entries}
    new = {e.key: e for e in b.entries}
    for entry in b.entries:
        previous = old.get(entry.key)
        if previous is None:
            result.entries.append(EntryChange(entry.key, entry.supplier, "added", [], None, entry))
            continue
        fields = _diff(previous, entry, ENTRY_FIELDS)
        if (previous.facts_data or {}) != (entry.facts_data or {}):
            fields.append(
                FieldChange("facts", _("Facts"), summary(previous.facts) or _("Not set"), summary(entry.facts))
            )
        if fields:
            result.entries.append(EntryChange(entry.key, entry.supplier, "changed", fields, previous, entry))
        else:
            result.unchanged += 1
    for entry in a.entries:
        if entry.key not in new:
            result.entries.append(EntryChange(entry.key, entry.supplier, "removed", [], entry, None))
    result.statements = _statements(a.statements, b.statements)
    return result


def _statements(a: list[NotSubProcessor], b: list[NotSubProcessor]) -> list[StatementChange]:
    old = {s.supplier: s.reason for s in a}
    new = {s.supplier: s.reason for s in b}
    changes = []
    for supplier, reason in new.items():
        if supplier not in old:
            changes.append(StatementChange(supplier, "added", None, reason))
        elif old[supplier] != reason:
            changes.append(StatementChange(supplier, "changed", old[supplier], reason))
    changes.extend(StatementChange(s, "removed", r, None) for s, r in old.items() if s not in new)
    return changes
