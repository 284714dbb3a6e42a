"""Builders for register tests: published versions written set-based, fast enough for thousands of rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select, update

from portal.dates import start_of_uk_day, uk_today
from portal.extensions import db
from portal.register.models import (
    EntryKind,
    EntryStatus,
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
    TenancyOption,
    TenancyOptionEntry,
    VersionStatus,
)


def entry(key: str, **fields: Any) -> dict[str, Any]:
    """One entry's columns with plausible defaults."""
    row: dict[str, Any] = {
        "key": key,
        "supplier": fields.pop("supplier", f"{key.replace('-', ' ').title()} Ltd"),
        "kind": EntryKind.DATA_SUBPROCESSOR,
        "status": EntryStatus.ACTIVE,
        "purpose": f"Purpose of {key}",
        "location": "United Kingdom",
        "listed_since": uk_today() - dt.timedelta(days=100),
    }
    row.update(fields)
    return row


def publish_version(
    entries: list[dict[str, Any]],
    *,
    number: str | None = None,
    published_on: dt.date | None = None,
    statements: list[tuple[str, str]] = (),  # type: ignore[assignment]
    summary: str = "",
    published_at: dt.datetime | None = None,
) -> RegisterVersion:
    """Write a published version directly (entries first, as a draft, then frozen): the one builder.

    Published at 09:00 of `published_on` (ten days ago unless given), or at `published_at` exactly."""
    sequence = (db.session.scalar(select(func.max(RegisterVersion.sequence))) or 0) + 1
    if published_at is not None:
        published_on = uk_today(published_at)
    published_on = published_on or uk_today() - dt.timedelta(days=10)
    published_at = published_at or start_of_uk_day(published_on) + dt.timedelta(hours=9)
    if number is None:
        # "1.<sequence>" unless a version loaded another way (the demo's) already has that number.
        taken = db.session.scalar(select(RegisterVersion.id).where(RegisterVersion.number == f"1.{sequence}"))
        number = f"{sequence}.0" if taken else f"1.{sequence}"
    version = RegisterVersion(
        sequence=sequence,
        number=number,
        status=VersionStatus.DRAFT,
        owner_name="Helen Marsh, Chief Executive",
        contact_email="privacy@larkspur.example",
        summary=summary,
    )
    db.session.add(version)
    db.session.flush()
    if entries:
        db.session.execute(
            insert(RegisterEntry), [dict(row, version_id=version.id, position=i) for i, row in enumerate(entries, 1)]
        )
    for position, (supplier, reason) in enumerate(statements, 1):
        db.session.add(NotSubProcessor(version_id=version.id, supplier=supplier, reason=reason, position=position))
    db.session.flush()
    db.session.execute(
        update(RegisterVersion)
        .where(RegisterVersion.id == version.id)
        .values(
            status=VersionStatus.PUBLISHED,
            published_at=published_at,
            reviewed_on=published_on,
            next_review_on=published_on + dt.timedelta(days=330),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return version


def make_option(key: str, *, default: bool, governs: list[str], name: str | None = None) -> TenancyOption:
    option = TenancyOption(
        key=key,
        name=name or key.replace("-", " ").capitalize(),
        description=f"What {key} does.",
        default_enabled=default,
        governed=[TenancyOptionEntry(entry_key=k) for k in governs],
    )
    db.session.add(option)
    db.session.flush()
    return option
