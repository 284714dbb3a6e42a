"""The register as documents for machines: JSON (see sub-processors.schema.json) and an Atom feed (RFC 4287)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.dates import govuk_date
from portal.register import materiality
from portal.register.ai import jurisdiction_notes
from portal.register.compare import compare_versions
from portal.register.effective import EffectiveSet
from portal.register.facts import EntryFacts
from portal.register.materiality import EntryDifference
from portal.register.models import (
    ENTRY_TEXT_FIELDS,
    ENTRY_WELSH_FIELDS,
    EntryKind,
    EntryStatus,
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
)
from portal.register.upcoming import UpcomingChange, announced_changes
from portal.register.welsh import localised
from portal.tenancy.models import Tenancy
from portal.web.language import current as current_language
from portal.web.urls import public_url

SCHEMA_PATH = Path(__file__).with_name("sub-processors.schema.json")
# The major version changes when a consumer's reading could break (see the schema's changelog).
SCHEMA_VERSION = "2.1.0"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def facts_json(facts: EntryFacts) -> dict[str, Any]:
    """An entry's controlled facts for machines: codes, with their labels and what the law makes of them."""
    data = facts.to_json()
    data["categories"] = [
        {"key": c.key, "label": c.name, "sensitivity": c.sensitivity.value} for c in facts.category_objects
    ]
    data["special_category"], data["criminal_offence"] = facts.special_category, facts.criminal_offence
    data["transfer"] = {
        "mechanism": facts.transfer.value,
        "label": facts.transfer.label,
        "countries": list(facts.outside_uk),
        "dpf_checked_on": data.pop("dpf_checked_on"),
    }
    note = facts.jurisdiction_note
    data["jurisdiction_note"] = note.anchor if note else None
    return data


def change_json(difference: EntryDifference | None) -> dict[str, Any] | None:
    """How an entry changed from the previous published version, and whether that was material."""
    if difference is None:
        return None
    return {
        "change": difference.change,
        "classification": difference.classification or None,
        "material": difference.material,
        "reasons": list(difference.reasons),
    }


def entry_json(entry: RegisterEntry, difference: EntryDifference | None = None) -> dict[str, Any]:
    """One entry with every field the public page shows, its facts and how it changed."""
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
        facts=facts_json(entry.facts),
        change=change_json(difference),
    )
    _add_welsh(data, entry, ENTRY_WELSH_FIELDS)
    return data


def _add_welsh(data: dict[str, Any], thing: Any, fields: dict[str, str]) -> None:
    """The vendor's Welsh beside the English (#29, schema 2.1.0): only the fields that have it."""
    welsh = {name: value for name, column in fields.items() if (value := (getattr(thing, column) or "").strip())}
    if welsh:
        data["welsh"] = welsh


def _change_json(change: UpcomingChange) -> dict[str, Any]:
    return {"date": _iso(change.on), "change": change.kind, "key": change.entry.key, "supplier": change.entry.supplier}


def _notice_period_days() -> int:
    from portal.changes.window import notice_period_days

    return notice_period_days()  # the contract's period, in clear days (#21)


def version_json(version: RegisterVersion, today: dt.date, history: Sequence[RegisterVersion] = ()) -> dict[str, Any]:
    """A published version as the documented JSON of /sub-processors.json (schema 2.1.0).

    `history` is the published versions up to this one, newest first: the previous one decides
    each entry's change, and the run of them decides which version first announced each change.
    """
    config = current_app.config
    history = [version, *(v for v in history if v.sequence < version.sequence)]
    previous = history[1] if len(history) > 1 else None
    differences = {d.key: d for d in materiality.compare_versions(previous, version)}

    def entries(kind: EntryKind) -> list[dict[str, Any]]:
        return [entry_json(e, differences.get(e.key)) for e in version.entries if e.kind is kind]

    document: dict[str, Any] = {
        "schema": public_url("register.schema"),
        "schema_version": SCHEMA_VERSION,
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
            "url": public_url("register.version", sequence=version.sequence),
            "previous": previous.number if previous is not None else None,
            "material": version.material,
            "removed": [
                {"key": d.key, "supplier": d.supplier, "reasons": list(d.reasons)}
                for d in differences.values()
                if d.change == "removed"
            ],
        },
        "notice_period_days": _notice_period_days(),
        "data_sub_processors": entries(EntryKind.DATA_SUBPROCESSOR),
        "platform_utilities": entries(EntryKind.PLATFORM_UTILITY),
        "jurisdiction_notes": [
            {
                "anchor": note.anchor,
                "heading": str(note.heading),
                "text": str(note.text),
                "applies_to": [e.key for e in covered],
            }
            for note, covered in jurisdiction_notes(version.entries)
        ],
        "not_sub_processors": [_statement_json(s) for s in version.statements],
        "upcoming_changes": [
            _change_json(c) | {"announced_in": _announced_in(first_announced(c, history))}
            for c in announced_changes(version.entries, today)
        ],
    }
    _add_welsh(document["version"], version, {"summary": "summary_cy", "notes": "notes_cy"})
    return document


def _statement_json(statement: NotSubProcessor) -> dict[str, Any]:
    data: dict[str, Any] = {"supplier": statement.supplier, "reason": statement.reason}
    _add_welsh(data, statement, {"reason": "reason_cy"})
    return data


def _announced_in(version: RegisterVersion) -> dict[str, Any]:
    return {"version": version.number, "published_at": _iso(version.published_at)}


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
        "upcoming_changes": [
            dict(_change_json(c), applies=c.applies, note=c.note) | ({"title": c.title} if c.title else {})
            for c in found.upcoming
        ],
    }


def academies_json(
    trust: Tenancy, academies: Sequence[Tenancy], sets: dict[int, EffectiveSet], today: dt.date
) -> dict[str, Any]:
    """A trust that is the controller for its academies only: each academy's effective set, no set of its own."""
    return {
        "tenancy": {"name": trust.name, "reference": trust.reference, "kind": trust.kind.value},
        "as_of": _iso(today),
        "uses_service_itself": False,
        "academies": [effective_set_json(academy, sets[academy.id]) for academy in academies],
    }


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


# The words of the feed's change lines (#29): one for each value materiality gives.
_CHANGE_WORDS = {"added": _l("Added"), "removed": _l("Removed"), "changed": _l("Changed")}
_KIND_WORDS = {"material": _l("Material"), "editorial": _l("Editorial")}


def _version_text(version: RegisterVersion, previous: RegisterVersion | None) -> str:
    summary, _fallback = localised(version, "summary")
    lines = [summary or str(_("Version %(number)s published.", number=version.number))]
    if previous is not None:
        comparison = compare_versions(previous, version)
        fields = {change.key: change.fields for change in comparison.entries}
        for difference in materiality.compare_versions(previous, version):
            if difference.change == "unchanged":
                continue
            detail = ", ".join(f.label.lower() for f in fields.get(difference.key, []))
            why = "; ".join(difference.reasons)
            change = str(_CHANGE_WORDS.get(difference.change, difference.change))
            kind = str(_KIND_WORDS.get(difference.classification, difference.classification))
            values = {"change": change, "supplier": difference.supplier, "detail": detail, "kind": kind, "why": why}
            if detail:
                lines.append(str(_("%(change)s: %(supplier)s (%(detail)s). %(kind)s: %(why)s.", **values)))
            else:
                lines.append(str(_("%(change)s: %(supplier)s. %(kind)s: %(why)s.", **values)))
    return "\n".join(lines)


def first_announced(change: UpcomingChange, versions: Sequence[RegisterVersion]) -> RegisterVersion:
    """The earliest version, in the unbroken run back from the newest, that announced this change."""
    first = versions[0]
    for version in versions[1:]:
        entry = next((e for e in version.entries if e.key == change.entry.key), None)
        if entry is None:
            break
        dated = entry.effective_on if change.kind == "addition" else entry.retires_on
        if dated != change.on or (change.kind == "addition" and entry.status is not EntryStatus.PLANNED):
            break
        first = version
    return first


def atom_feed(versions: Sequence[RegisterVersion], today: dt.date, notices: Sequence[Any] = ()) -> bytes:
    """An Atom feed: one entry per published version (newest first), per dated change, and per change notice.

    `notices` are the change notices' own entries (id, title, updated, url, summary), supplied by
    the view so that the register does not depend on the changes capability.
    """
    ET.register_namespace("", ATOM)
    config = current_app.config
    register_url = public_url("register.public_register")
    feed = ET.Element(f"{{{ATOM}}}feed")
    feed.set(XML_LANG, current_language())  # the reader's language, as the register page's (#29)
    _add(feed, "id", register_url)
    _add(feed, "title", _("%(vendor)s sub-processor register", vendor=config["VENDOR_NAME"]))
    _add(feed, "subtitle", _("Published versions of the register and announced changes to sub-processors."))
    latest = max((v.published_at for v in versions if v.published_at), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    _add(feed, "updated", _iso(latest))
    author = _add(feed, "author")
    _add(author, "name", config["VENDOR_LEGAL_ENTITY"])
    _add(author, "email", config["VENDOR_PRIVACY_EMAIL"])
    _add(feed, "link", rel="self", type="application/atom+xml", href=public_url("register.feed"))
    _add(feed, "link", rel="alternate", type="text/html", href=register_url)
    if versions:
        current = versions[0]
        for change in announced_changes(current.entries, today):
            # Dated by the version that first announced it, so a later version does not re-date it.
            first = first_announced(change, versions)
            entry = _add(feed, "entry")
            _add(entry, "id", f"{register_url}#{change.kind}-{change.entry.key}-{change.on.isoformat()}")
            on = govuk_date(change.on)
            if change.kind == "addition":
                title = _("%(supplier)s to be added on %(date)s", supplier=change.entry.supplier, date=on)
            else:
                title = _("%(supplier)s to be removed on %(date)s", supplier=change.entry.supplier, date=on)
            _add(entry, "title", title)
            _add(entry, "updated", _iso(first.published_at))
            _add(entry, "published", _iso(first.published_at))
            _add(entry, "link", rel="alternate", type="text/html", href=f"{register_url}#entry-{change.entry.key}")
            _add(entry, "category", term="material" if change.kind == "addition" else "editorial")
            announced = _(
                "Announced in version %(number)s on %(date)s.", number=first.number, date=govuk_date(first.published_at)
            )
            purpose, fallback = localised(change.entry, "purpose")
            summary = _add(entry, "summary", f"{announced} {purpose}".strip())
            if fallback and purpose:
                summary.set(XML_LANG, "en")  # the vendor has not written this purpose in Welsh yet
    for notice in notices:
        entry = _add(feed, "entry")
        _add(entry, "id", notice.id)
        _add(entry, "title", notice.title)
        _add(entry, "updated", _iso(notice.updated))
        _add(entry, "link", rel="alternate", type="text/html", href=notice.url)
        _add(entry, "summary", notice.summary)
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        url = public_url("register.version", sequence=version.sequence)
        entry = _add(feed, "entry")
        _add(entry, "id", url)
        _add(entry, "title", _("Version %(number)s published", number=version.number))
        _add(entry, "updated", _iso(version.published_at))
        _add(entry, "published", _iso(version.published_at))
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        _add(entry, "category", term="material" if version.material else "editorial")
        content = _add(entry, "content", _version_text(version, previous), type="text")
        if localised(version, "summary")[1]:
            content.set(XML_LANG, "en")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
