"""The register's versions: read the current one, edit the one draft, publish it (never to change again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from portal.audit.service import Actor, record
from portal.dates import now, uk_today
from portal.extensions import db
from portal.notify.fanout import Notice, announce
from portal.notify.tokens import mail_url
from portal.register import materiality
from portal.register.cache import register_cache
from portal.register.compare import EntryChange, VersionComparison, compare_versions
from portal.register.drafts import (
    EntryData,
    add_entry,
    add_statement,
    copy_entry,
    discard_draft,
    remove_entry,
    remove_statement,
    require_draft,
    update_draft_notes,
    update_entry,
    update_statement,
)
from portal.register.errors import (
    DraftExists,
    EntryInvalid,
    OptionConflict,
    PublishError,
    RegisterError,
    VersionImmutable,
)
from portal.register.models import (
    EntryKind,
    EntryStatus,
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
    VersionStatus,
)
from portal.register.options import (
    define_option,
    set_option,
    set_option_for_academies,
    update_option,
)

__all__ = [
    "DraftExists",
    "EntryChange",
    "EntryData",
    "EntryInvalid",
    "OptionConflict",
    "PublishError",
    "RegisterError",
    "VersionComparison",
    "VersionImmutable",
    "add_entry",
    "add_statement",
    "compare_versions",
    "current_published",
    "current_published_id",
    "current_version",
    "define_option",
    "discard_draft",
    "draft_version",
    "get_version",
    "publish_register",
    "published_version",
    "published_versions",
    "remove_entry",
    "remove_statement",
    "set_option",
    "set_option_for_academies",
    "start_draft",
    "update_draft_notes",
    "update_entry",
    "update_option",
    "update_statement",
]


def _with_content() -> Any:
    return (selectinload(RegisterVersion.entries), selectinload(RegisterVersion.statements))


def current_version() -> RegisterVersion | None:
    """The published version with the highest sequence, with its entries and statements (three queries)."""
    query = (
        select(RegisterVersion)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED)
        .order_by(RegisterVersion.sequence.desc())
        .limit(1)
        .options(*_with_content())
    )
    return db.session.scalar(query)


def current_published_id() -> Select[Any]:
    """The statement that finds the current published version's id (the highest sequence)."""
    return _published_ids().order_by(RegisterVersion.sequence.desc()).limit(1)


def current_published() -> RegisterVersion | None:
    """The current published version for reading only: one query, its content from the cache.

    The returned object is detached and shared with other requests (see register/cache.py):
    pages, JSON and effective sets read it; anything that writes uses `current_version()`.
    """
    return _from_cache(current_published_id())


# How far ahead `?on=` answers: beyond that, today's knowledge says too little.
MAX_DAYS_AHEAD = 730


def first_published_on() -> dt.date | None:
    """The UK date the first register version was published (None before any)."""
    first = db.session.scalar(select(func.min(RegisterVersion.published_at)))
    return uk_today(first) if first is not None else None


def published_version(sequence: int) -> RegisterVersion | None:
    """A published version by its sequence, for reading only (as `current_published`)."""
    return _from_cache(_published_ids().where(RegisterVersion.sequence == sequence))


def _published_ids() -> Select[Any]:
    return select(RegisterVersion.id).where(RegisterVersion.status == VersionStatus.PUBLISHED)


def _from_cache(ids: Select[Any]) -> RegisterVersion | None:
    """The published version whose id the query finds, from the register's cache."""
    version_id = db.session.scalar(ids)
    return register_cache().version(version_id) if version_id is not None else None


def published_versions(
    *, with_content: bool = False, limit: int | None = None, up_to: int | None = None
) -> list[RegisterVersion]:
    """Published versions, newest first (those up to a sequence, if asked); with their entries and
    statements if asked (three queries)."""
    query = (
        select(RegisterVersion)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED)
        .order_by(RegisterVersion.sequence.desc())
        .limit(limit)
    )
    if up_to is not None:
        query = query.where(RegisterVersion.sequence <= up_to)
    if with_content:
        query = query.options(*_with_content())
    return list(db.session.scalars(query))


def get_version(sequence: int, *, published_only: bool = True) -> RegisterVersion | None:
    """One version by its sequence, with its content."""
    query = select(RegisterVersion).where(RegisterVersion.sequence == sequence).options(*_with_content())
    if published_only:
        query = query.where(RegisterVersion.status == VersionStatus.PUBLISHED)
    return db.session.scalar(query)


def draft_version() -> RegisterVersion | None:
    """The one draft being edited, if any."""
    query = select(RegisterVersion).where(RegisterVersion.status == VersionStatus.DRAFT).options(*_with_content())
    return db.session.scalar(query)


def start_draft(*, actor: Actor, number: str | None = None) -> RegisterVersion:
    """Start the one draft as a copy of the current version (or empty if nothing is published yet)."""
    if draft_version() is not None:
        raise DraftExists(_("A draft is already being edited. Publish or discard it first."))
    base = current_version()
    sequence = (db.session.scalar(select(func.max(RegisterVersion.sequence))) or 0) + 1
    draft = RegisterVersion(
        sequence=sequence,
        number=number or _next_number(base),
        status=VersionStatus.DRAFT,
        owner_name=base.owner_name if base else "",
        contact_email=base.contact_email if base else "",
        notes=base.notes if base else "",
        notes_cy=base.notes_cy if base else None,
        created_by_id=actor.user_id,
    )
    if base is not None:
        draft.entries = [copy_entry(entry) for entry in base.entries]
        draft.statements = [
            NotSubProcessor(supplier=s.supplier, reason=s.reason, reason_cy=s.reason_cy, position=s.position)
            for s in base.statements
        ]
    db.session.add(draft)
    db.session.flush()
    record(
        "register.draft_started",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={"number": draft.number, "from": base.number if base else None},
    )
    return draft


def _next_number(base: RegisterVersion | None) -> str:
    if base is None:
        return "1.0"
    major, _, minor = base.number.partition(".")
    if major.isdigit() and minor.isdigit():
        return f"{major}.{int(minor) + 1}"
    return f"{base.number}.1"


def publish_register(
    draft: RegisterVersion,
    *,
    number: str,
    owner_name: str,
    contact_email: str,
    reviewed_on: dt.date,
    next_review_on: dt.date,
    summary: str,
    actor: Actor,
    summary_cy: str | None = None,
) -> RegisterVersion:
    """Publish the draft as the current version (audited, announced); it never changes afterwards."""
    require_draft(draft)
    base = current_version()
    today = uk_today()
    _check_publishable(draft, base, number=number, reviewed_on=reviewed_on, next_review_on=next_review_on, today=today)
    previous = {e.key: e for e in base.entries} if base else {}
    for entry in draft.entries:
        entry.listed_since = _listed_since(entry, previous.get(entry.key), today)
    # Write the entries while still a draft: once the version is published the database refuses.
    db.session.flush()
    differences = materiality.compare_versions(base, draft)
    draft.material = base is None or materiality.is_material(differences)
    draft.material_since = number.strip() if draft.material or base is None else (base.material_since or base.number)
    draft.number = number.strip()
    draft.owner_name = owner_name.strip()
    draft.contact_email = contact_email.strip()
    draft.reviewed_on, draft.next_review_on = reviewed_on, next_review_on
    draft.summary = summary.strip()
    draft.summary_cy = (summary_cy or "").strip() or None
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = now()
    draft.published_by_id = actor.user_id
    db.session.flush()
    comparison = compare_versions(base, draft) if base else None
    record(
        "register.published",
        actor=actor,
        object_type="register_version",
        object_id=draft.id,
        details={
            "number": draft.number,
            "previous": base.number if base else None,
            "summary": draft.summary,
            "changes": comparison.counts() if comparison else None,
            "material": draft.material,
            "classification": {d.key: d.classification for d in differences if d.classification},
        },
    )
    # Rewording tells nobody anything they must act on: only a material version is announced.
    if draft.material:
        _announce(draft, base)
    return draft


def _check_publishable(
    draft: RegisterVersion,
    base: RegisterVersion | None,
    *,
    number: str,
    reviewed_on: dt.date,
    next_review_on: dt.date,
    today: dt.date,
) -> None:
    number = number.strip()
    if not number:
        raise PublishError(_("Enter the version number"), field="number")
    taken = db.session.scalar(
        select(RegisterVersion.id).where(RegisterVersion.number == number, RegisterVersion.id != draft.id)
    )
    if taken is not None:
        raise PublishError(
            _("Version %(number)s already exists: enter a new version number", number=number), field="number"
        )
    if next_review_on <= reviewed_on:
        raise PublishError(_("The next review date must be after the review date"), field="next_review_on")
    if not draft.entries:
        raise PublishError(_("A register needs at least one entry"))
    for entry in draft.entries:
        if needs_training_instruction(entry):
            raise PublishError(
                _(
                    "%(supplier)s may train on customer data: record the signed instruction that allows it, "
                    "or answer “No”, before publishing",
                    supplier=entry.supplier,
                )
            )
    from portal.register.notice_guard import require_notice

    require_notice(before=base, after=draft)


def needs_training_instruction(entry: RegisterEntry) -> bool:
    """A data sub-processor that may train on customer data without a signed instruction recorded."""
    ai = entry.facts.ai
    return (
        entry.kind is EntryKind.DATA_SUBPROCESSOR
        and ai is not None
        and ai.trains_on_customer_data
        and not ai.training_instruction.strip()
    )


def _listed_since(entry: RegisterEntry, before: RegisterEntry | None, today: dt.date) -> dt.date:
    """Since when this supplier has had this status, unbroken across published versions."""
    if before is None or before.listed_since is None:
        return today
    if before.status is entry.status:
        return before.listed_since
    if before.status is EntryStatus.PLANNED and before.effective_on is not None and before.effective_on <= today:
        return before.effective_on
    return today


def _announce(version: RegisterVersion, base: RegisterVersion | None) -> None:
    """Tell subscribers and every data lead (through the outbox, after the commit), each in their language."""
    urls = current_app.url_map.bind("localhost")
    vendor = current_app.config["VENDOR_NAME"]

    def written() -> Notice:  # once per language (#29)
        links = [(_("Read the register"), mail_url(urls.build("register.public_register")))]
        if base is not None:
            compare = urls.build("register.compare", {"from": base.sequence, "to": version.sequence})
            links.append((_("What changed since version %(number)s", number=base.number), mail_url(compare)))
        welsh = get_locale() is not None and str(get_locale()) == "cy"
        summary = (version.summary_cy if welsh and version.summary_cy else version.summary) or _(
            "Version %(number)s of the register has been published.", number=version.number
        )
        return Notice(
            subject=_(
                "%(vendor)s sub-processor register: version %(number)s published", vendor=vendor, number=version.number
            ),
            summary=summary,
            links=links,
            reference=f"register-version:{version.id}",
        )

    announce(written)
