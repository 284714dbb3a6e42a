"""The register as documents for machines: JSON (see sub-processors.schema.json) and an Atom feed (RFC 4287)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from flask import current_app, url_for

from portal.dates import govuk_date
from portal.register.compare import compare_versions
from portal.register.effective import EffectiveSet, UpcomingChange, announced_changes, effective_set
from portal.register.models import ENTRY_TEXT_FIELDS, EntryKind, RegisterEntry, RegisterVersion
from portal.tenancy.models import Tenancy

SCHEMA_PATH = Path(__file__).with_name("sub-processors.schema.json")
ATOM = "http://www.w3.org/2005/Atom"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def entry_json(entry: RegisterEntry) -> dict[str, Any]:
    """One entry with every field the public page shows."""
    data: dict[str, Any] = {"key": entry.key}
    data.update({name: getattr(entry, name) or "" for name in ENTRY_TEXT_FIELDS})
    data.update(
        kind=entry.kind.value,
        status=entry.status.value,
        status_label=entry.status.label,
        condition_service=entry.condition_service or None,
        effective_on=_iso(entry.effective_on),
        retires_on=_iso(entry.retires_on),
        listed_since=_iso(entry.listed_since),
    )
    return data


def _change_json(change: UpcomingChange) -> dict[str, Any]:
    return {"date": _iso(change.on), "change": change.kind, "key": change.entry.key, "supplier": change.entry.supplier}


def _notice_period_days() -> int:
    from portal.changes.window import notice_period_days

    return notice_period_days()  # the contract's period, in clear days (#21)


def version_json(version: RegisterVersion, today: dt.date) -> dict[str, Any]:
    """A published version as the documented JSON of /sub-processors.json."""
    config = current_app.config
    return {
        "schema": url_for("register.schema", _external=True),
        "vendor": {
            "name": config["VENDOR_NAME"],
            "legal_entity": config["VENDOR_LEGAL_ENTITY"],
            "dpo_email": config["VENDOR_DPO_EMAIL"],
        },
        "version": {
            "number": version.number,
            "sequence": version.sequence,
            "published_at": _iso(version.published_at),
            "reviewed_on": _iso(version.reviewed_on),
            "next_review_on": _iso(version.next_review_on),
            "owner": version.owner_name,
            "contact_email": version.contact_email,
            "summary": version.summary,
            "notes": [line for line in version.notes.splitlines() if line.strip()],
            "url": url_for("register.version", sequence=version.sequence, _external=True),
        },
        "notice_period_days": _notice_period_days(),
        "data_sub_processors": [entry_json(e) for e in version.entries if e.kind is EntryKind.DATA_SUBPROCESSOR],
        "platform_utilities": [entry_json(e) for e in version.entries if e.kind is EntryKind.PLATFORM_UTILITY],
        "not_sub_processors": [{"supplier": s.supplier, "reason": s.reason} for s in version.statements],
        "upcoming_changes": [_change_json(c) for c in announced_changes(version.entries, today)],
    }


def effective_set_json(tenancy: Tenancy, found: EffectiveSet) -> dict[str, Any]:
    """A tenancy's effective set as JSON: every line with why it is in or out and since when."""
    version = found.version
    return {
        "tenancy": {"name": tenancy.name, "reference": tenancy.reference, "kind": tenancy.kind.value},
        "as_of": _iso(found.today),
        "register_version": version.number if version else None,
        "lines": [
            {
                "key": line.entry.key,
                "supplier": line.entry.supplier,
                "kind": line.entry.kind.value,
                "status": line.entry.status.value,
                "included": line.included,
                "reason": line.reason,
                "since": _iso(line.since),
                "option": line.option.key if line.option else None,
            }
            for line in found.lines
        ],
        "upcoming_changes": [dict(_change_json(c), applies=c.applies, note=c.note) for c in found.upcoming],
    }


def tenancy_effective_json(tenancy: Tenancy) -> dict[str, Any]:
    """The JSON of /t/<tenancy>/sub-processors.json."""
    return effective_set_json(tenancy, effective_set(tenancy))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _version_text(version: RegisterVersion, previous: RegisterVersion | None) -> str:
    lines = [version.summary or f"Version {version.number} published."]
    if previous is not None:
        comparison = compare_versions(previous, version)
        for change in comparison.entries:
            detail = ", ".join(f.label.lower() for f in change.fields)
            lines.append(f"{change.change.capitalize()}: {change.supplier}" + (f" ({detail})" if detail else ""))
    return "\n".join(lines)


def atom_feed(versions: Sequence[RegisterVersion], today: dt.date, notices: Sequence[Any] = ()) -> bytes:
    """An Atom feed: one entry per published version (newest first), per dated change, and per change notice.

    `notices` are the change notices' own entries (id, title, updated, url, summary), supplied by
    the view so that the register does not depend on the changes capability.
    """
    ET.register_namespace("", ATOM)
    config = current_app.config
    register_url = url_for("register.public_register", _external=True)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", register_url)
    _add(feed, "title", f"{config['VENDOR_NAME']} sub-processor register")
    _add(feed, "subtitle", "Published versions of the register and announced changes to sub-processors.")
    latest = max((v.published_at for v in versions if v.published_at), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    _add(feed, "updated", _iso(latest))
    author = _add(feed, "author")
    _add(author, "name", config["VENDOR_LEGAL_ENTITY"])
    _add(author, "email", config["VENDOR_PRIVACY_EMAIL"])
    _add(feed, "link", rel="self", type="application/atom+xml", href=url_for("register.feed", _external=True))
    _add(feed, "link", rel="alternate", type="text/html", href=register_url)
    if versions:
        current = versions[0]
        for change in announced_changes(current.entries, today):
            entry = _add(feed, "entry")
            verb = "to be added" if change.kind == "addition" else "to be removed"
            _add(entry, "id", f"{register_url}#{change.kind}-{change.entry.key}-{change.on.isoformat()}")
            _add(entry, "title", f"{change.entry.supplier} {verb} on {govuk_date(change.on)}")
            _add(entry, "updated", _iso(current.published_at))
            _add(entry, "link", rel="alternate", type="text/html", href=f"{register_url}#entry-{change.entry.key}")
            _add(entry, "summary", f"Announced in version {current.number}. {change.entry.purpose}".strip())
    for notice in notices:
        entry = _add(feed, "entry")
        _add(entry, "id", notice.id)
        _add(entry, "title", notice.title)
        _add(entry, "updated", _iso(notice.updated))
        _add(entry, "link", rel="alternate", type="text/html", href=notice.url)
        _add(entry, "summary", notice.summary)
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        url = url_for("register.version", sequence=version.sequence, _external=True)
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", f"Version {version.number} published")
        _add(entry, "updated", _iso(version.published_at))
        _add(entry, "published", _iso(version.published_at))
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "content", _version_text(version, previous), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
