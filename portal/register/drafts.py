"""Editing the one draft of the register: entries, "not a sub-processor" statements and notes."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from typing import Any

from flask_babel import gettext as _

from portal.audit.service import Actor, record
from portal.extensions import db
from portal.register.errors import EntryInvalid, VersionImmutable
from portal.register.facts import EntryFacts, problems
from portal.register.models import EntryKind, EntryStatus, NotSubProcessor, RegisterEntry, RegisterVersion


@dataclasses.dataclass(frozen=True)
class EntryData:
    """What an editor may set on an entry (everything but its version, id and computed dates)."""

    key: str
    supplier: str
    kind: EntryKind
    status: EntryStatus
    parent_entity: str = ""
    services_used: str = ""
    purpose: str = ""
    data_categories: str = ""
    location: str = ""
    residency_note: str = ""
    certifications: str = ""
    dpa_reference: str = ""
    privacy_contact: str = ""
    risk_note: str = ""
    condition_service: str | None = None
    effective_on: dt.date | None = None
    retires_on: dt.date | None = None
    # The controlled facts as stored (EntryFacts.to_json()).
    facts_data: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The Welsh beside the English (#29, models.ENTRY_WELSH_FIELDS): None where not written.
    services_used_cy: str | None = None
    purpose_cy: str | None = None
    data_categories_cy: str | None = None
    location_cy: str | None = None
    residency_note_cy: str | None = None
    risk_note_cy: str | None = None


def copy_entry(entry: RegisterEntry) -> RegisterEntry:
    """A draft copy of a published entry (its dates since are worked out again on publishing)."""
    fields = {f.name: getattr(entry, f.name) for f in dataclasses.fields(EntryData)}
    fields["facts_data"] = copy.deepcopy(entry.facts_data or {})
    return RegisterEntry(**fields, position=entry.position, listed_since=None)


def require_draft(version: RegisterVersion) -> None:
    """Refuse any change to a published version (the database refuses it too)."""
    if not version.is_draft:
        raise VersionImmutable(_("Version %(number)s is published and cannot be changed.", number=version.number))


def update_draft_notes(draft: RegisterVersion, *, notes: str, actor: Actor, notes_cy: str | None = None) -> None:
    """Change the general notes shown under the draft's tables (and their Welsh, #29)."""
    require_draft(draft)
    draft.notes = notes.strip()
    draft.notes_cy = (notes_cy or "").strip() or None
    db.session.flush()
    record(
        "register.draft_edited",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"notes": True},
    )


def _check_entry(draft: RegisterVersion, data: EntryData, entry: RegisterEntry | None) -> None:
    if not data.key or not data.supplier.strip():
        raise EntryInvalid(_("Enter the supplier's name and key"))
    if any(e.key == data.key and e is not entry for e in draft.entries):
        raise EntryInvalid(_("Another entry in this draft already uses the key “%(key)s”", key=data.key))
    if data.status is EntryStatus.CONDITIONAL and not (data.condition_service or "").strip():
        raise EntryInvalid(_("Enter the service a conditional entry depends on"))
    if data.status is EntryStatus.PLANNED and data.effective_on is None:
        raise EntryInvalid(_("Enter the date a planned entry takes effect"))
    for name, message in problems(EntryFacts.from_json(data.facts_data)):
        raise EntryInvalid(message, field=name)


def add_entry(draft: RegisterVersion, data: EntryData, *, actor: Actor) -> RegisterEntry:
    """Add an entry at the end of the draft."""
    require_draft(draft)
    _check_entry(draft, data, None)
    position = max((e.position for e in draft.entries), default=0) + 1
    entry = RegisterEntry(**dataclasses.asdict(data), position=position)
    draft.entries.append(entry)
    db.session.flush()
    record(
        "register.entry_added",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"key": data.key},
    )
    return entry


def update_entry(draft: RegisterVersion, entry: RegisterEntry, data: EntryData, *, actor: Actor) -> RegisterEntry:
    """Change an entry of the draft; the audit row lists the fields that changed."""
    require_draft(draft)
    if entry.version_id != draft.id:
        raise EntryInvalid(_("That entry is not in this draft"))
    _check_entry(draft, data, entry)
    changed = {}
    for name, value in dataclasses.asdict(data).items():
        if getattr(entry, name) != value:
            changed[name] = {"from": _plain(getattr(entry, name)), "to": _plain(value)}
            setattr(entry, name, value)
    db.session.flush()
    record(
        "register.entry_changed",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"key": entry.key, "changed": changed},
    )
    return entry


def remove_entry(draft: RegisterVersion, entry: RegisterEntry, *, actor: Actor) -> None:
    """Remove an entry from the draft (to retire a supplier visibly, set its status instead)."""
    require_draft(draft)
    if entry.version_id != draft.id:
        raise EntryInvalid(_("That entry is not in this draft"))
    draft.entries.remove(entry)
    db.session.flush()
    record(
        "register.entry_removed",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"key": entry.key},
    )


def add_statement(
    draft: RegisterVersion, *, supplier: str, reason: str, actor: Actor, reason_cy: str | None = None
) -> NotSubProcessor:
    """Add a "not a sub-processor" statement with its reason."""
    require_draft(draft)
    if not supplier.strip() or not reason.strip():
        raise EntryInvalid(_("Enter the supplier and the reason it is not a sub-processor"))
    position = max((s.position for s in draft.statements), default=0) + 1
    statement = NotSubProcessor(
        supplier=supplier.strip(), reason=reason.strip(), reason_cy=(reason_cy or "").strip() or None, position=position
    )
    draft.statements.append(statement)
    db.session.flush()
    record(
        "register.statement_added",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"supplier": supplier},
    )
    return statement


def update_statement(
    draft: RegisterVersion,
    statement: NotSubProcessor,
    *,
    supplier: str,
    reason: str,
    actor: Actor,
    reason_cy: str | None = None,
) -> None:
    """Change a "not a sub-processor" statement of the draft."""
    require_draft(draft)
    if statement.version_id != draft.id:
        raise EntryInvalid(_("That statement is not in this draft"))
    if not supplier.strip() or not reason.strip():
        raise EntryInvalid(_("Enter the supplier and the reason it is not a sub-processor"))
    before = {"supplier": statement.supplier, "reason": statement.reason, "reason_cy": statement.reason_cy}
    statement.supplier, statement.reason = supplier.strip(), reason.strip()
    statement.reason_cy = (reason_cy or "").strip() or None
    db.session.flush()
    record(
        "register.statement_changed",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={
            "from": before,
            "to": {"supplier": statement.supplier, "reason": statement.reason, "reason_cy": statement.reason_cy},
        },
    )


def remove_statement(draft: RegisterVersion, statement: NotSubProcessor, *, actor: Actor) -> None:
    """Remove a "not a sub-processor" statement from the draft."""
    require_draft(draft)
    if statement.version_id != draft.id:
        raise EntryInvalid(_("That statement is not in this draft"))
    draft.statements.remove(statement)
    db.session.flush()
    record(
        "register.statement_removed",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"supplier": statement.supplier},
    )


def discard_draft(draft: RegisterVersion, *, actor: Actor) -> None:
    """Throw the draft away; published versions are untouched."""
    require_draft(draft)
    number = draft.number
    db.session.delete(draft)
    db.session.flush()
    record("register.draft_discarded", actor=actor, object_type="register_version", details={"number": number})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (EntryKind, EntryStatus)):
        return value.value
    return value
