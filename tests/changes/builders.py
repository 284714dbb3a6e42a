"""Builders for change tests: a published register with a planned supplier, and an announced change."""

from __future__ import annotations

import datetime as dt
import itertools

from portal.audit.service import Actor
from portal.changes import service
from portal.changes.models import ChangeKind, ChangeNotice
from portal.dates import now, start_of_uk_day, uk_today
from portal.extensions import db
from portal.register.models import EntryKind, EntryStatus, RegisterEntry, RegisterVersion, VersionStatus

_sequence = itertools.count(100)
PLANNED_KEY = "quillmark"
ACTIVE_KEY = "hostwell"


def drop_planned() -> RegisterVersion:
    """Publish a version without the planned supplier (before its notice may be withdrawn)."""
    return publish_register(planned_on=uk_today(), planned=False)


def publish_version(entries: list[RegisterEntry], *, at: dt.datetime | None = None) -> RegisterVersion:
    """A published register version of these entries, published at this instant (now by default)."""
    n = next(_sequence)
    at = at or now()
    version = RegisterVersion(
        sequence=n,
        number=f"{n}.0",
        status=VersionStatus.DRAFT,
        owner_name="Priya Raman",
        contact_email="dpo@larkspur.example",
        reviewed_on=uk_today(at),
        next_review_on=uk_today() + dt.timedelta(days=365),
    )
    version.entries = entries
    db.session.add(version)
    db.session.flush()
    # Entries go in while it is a draft: the database refuses to change a published version.
    version.status, version.published_at = VersionStatus.PUBLISHED, at
    db.session.flush()
    return version


def publish_register(
    *, planned_on: dt.date, retires_on: dt.date | None = None, planned: bool = True
) -> RegisterVersion:
    """A published register version: an active host (maybe retiring) and a planned supplier."""
    entries = [
        RegisterEntry(
            key=ACTIVE_KEY,
            supplier="Hostwell Cloud Ltd",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.ACTIVE,
            listed_since=uk_today(),
            retires_on=retires_on,
            position=1,
        ),
        RegisterEntry(
            key=PLANNED_KEY,
            supplier="Quillmark Analytics Ltd",
            kind=EntryKind.DATA_SUBPROCESSOR,
            status=EntryStatus.PLANNED,
            effective_on=planned_on,
            position=2,
        ),
    ]
    return publish_version(entries if planned else entries[:1])


def announced(
    *,
    days_ahead: int = 40,
    published_days_ago: int = 0,
    kind: ChangeKind = ChangeKind.ADDITION,
    actor: Actor | None = None,
) -> ChangeNotice:
    """Publish a register with a planned supplier and announce it (published some days ago if asked)."""
    # Noon (UK) of the UK day that many days ago: 24 hours times 30 before 23:30 UTC just after
    # the October clock change is already the next UK day, which moved every date by one.
    at = now()
    if published_days_ago:
        at = start_of_uk_day(uk_today() - dt.timedelta(days=published_days_ago)) + dt.timedelta(hours=12)
    effective_on = uk_today(at) + dt.timedelta(days=days_ahead)
    publish_register(planned_on=effective_on, retires_on=effective_on if kind is not ChangeKind.ADDITION else None)
    return service.announce_change(
        kind=kind,
        entry_key=PLANNED_KEY if kind is not ChangeKind.REMOVAL else ACTIVE_KEY,
        replaces_key=ACTIVE_KEY if kind is ChangeKind.REPLACEMENT else None,
        title="We plan to add Quillmark Analytics",
        reason="Quillmark measures reading progress so teachers can see it.",
        effective_on=effective_on,
        actor=actor or Actor.system("test"),
        at=at,
    )
