"""The security overview: drafts, publication (a published version never changes), and what it inherits.

The certifications inherited from sub-processors are read from the register, never typed here;
what the overview says about the portal itself comes from the running configuration (claims.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit import service as audit
from portal.dates import now
from portal.extensions import db
from portal.register import service as register
from portal.register.models import EntryStatus, RegisterVersion
from portal.trusthub.errors import TrustHubError
from portal.trusthub.models import OVERVIEW_SECTIONS, OverviewStatus, SecurityOverviewVersion

NUMBER_FIELDS = ("rto_hours", "rpo_hours", "backup_retention_days", "acknowledge_business_days", "triage_business_days")
EDITABLE = ("summary", *OVERVIEW_SECTIONS, *NUMBER_FIELDS)
# Only suppliers in use pass their certifications on.
INHERITING = (EntryStatus.ACTIVE, EntryStatus.ACTIVE_TEMPORARY, EntryStatus.CONDITIONAL)


def _published() -> Any:
    return select(SecurityOverviewVersion).where(SecurityOverviewVersion.status == OverviewStatus.PUBLISHED)


def current_overview() -> SecurityOverviewVersion | None:
    """The published version with the highest sequence."""
    found: SecurityOverviewVersion | None = db.session.scalar(
        _published().order_by(SecurityOverviewVersion.sequence.desc()).limit(1)
    )
    return found


def published_overviews() -> list[SecurityOverviewVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(_published().order_by(SecurityOverviewVersion.sequence.desc())))


def published_overview(sequence: int) -> SecurityOverviewVersion | None:
    found: SecurityOverviewVersion | None = db.session.scalar(
        _published().where(SecurityOverviewVersion.sequence == sequence)
    )
    return found


def draft_overview() -> SecurityOverviewVersion | None:
    return db.session.scalar(
        select(SecurityOverviewVersion).where(SecurityOverviewVersion.status == OverviewStatus.DRAFT)
    )


def start_draft(*, actor: audit.Actor) -> SecurityOverviewVersion:
    """A draft copied from the current version (or empty), unless one is open already."""
    existing = draft_overview()
    if existing is not None:
        return existing
    base = current_overview()
    sequence = (db.session.scalar(select(func.max(SecurityOverviewVersion.sequence))) or 0) + 1
    draft = SecurityOverviewVersion(sequence=sequence, status=OverviewStatus.DRAFT)
    if base is not None:
        for name in EDITABLE:
            setattr(draft, name, getattr(base, name))
        draft.summary = ""
    db.session.add(draft)
    db.session.flush()
    audit.record("security_overview.draft_started", actor=actor, object_type="SecurityOverview", object_id=sequence)
    return draft


def save_draft(draft: SecurityOverviewVersion, values: dict[str, Any], *, actor: audit.Actor) -> None:
    """Change the draft's sections and figures (a published version is refused)."""
    if draft.is_published:
        raise TrustHubError(_("A published version never changes: start a new draft"))
    changed = []
    for name in EDITABLE:
        if name in values and getattr(draft, name) != values[name]:
            setattr(draft, name, values[name])
            changed.append(name)
    db.session.flush()
    audit.record(
        "security_overview.draft_saved",
        actor=actor,
        object_type="SecurityOverview",
        object_id=draft.sequence,
        details={"changed": changed},
    )


def publish_overview(*, actor: audit.Actor, user_id: int | None = None) -> SecurityOverviewVersion:
    """Publish the draft: from now on it never changes, and it records the register version it inherits from."""
    draft = draft_overview()
    if draft is None:
        raise TrustHubError(_("There is no draft to publish"))
    missing = [name for name in ("summary", *OVERVIEW_SECTIONS) if not (getattr(draft, name) or "").strip()]
    if missing:
        raise TrustHubError(_("Complete every section and the summary before publishing"))
    current_register = register.current_published()
    draft.register_sequence = current_register.sequence if current_register is not None else None
    draft.status = OverviewStatus.PUBLISHED
    draft.published_at = now()
    draft.published_by_id = user_id
    db.session.flush()
    audit.record(
        "security_overview.published",
        actor=actor,
        object_type="SecurityOverview",
        object_id=draft.sequence,
        details={"register_sequence": draft.register_sequence},
    )
    return draft


@dataclass(frozen=True)
class Inherited:
    supplier: str
    services: str
    certifications: str
    location: str


@dataclass(frozen=True)
class Inheritance:
    register_version: RegisterVersion | None
    rows: list[Inherited]


def inherited_certifications(overview: SecurityOverviewVersion | None, *, current: bool) -> Inheritance:
    """Sub-processors' certifications from the register: its current version for the current overview,
    the version recorded at publication for an earlier one."""
    if current or overview is None or overview.register_sequence is None:
        version = register.current_published()
    else:
        version = register.published_version(overview.register_sequence)
    if version is None:
        return Inheritance(None, [])
    rows = [
        Inherited(entry.supplier, entry.services_used, entry.certifications, entry.location)
        for entry in version.entries
        if entry.status in INHERITING and entry.certifications.strip()
    ]
    return Inheritance(version, rows)
