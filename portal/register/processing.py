"""One description of processing for a tenancy on a date, from the facts of its effective set.

Annex II of the agreement, the DPIA's step 2 and the records of processing all print this; no
document keeps a fixed description of its own. Everything here is derived from the controlled
facts of the entries in use for that tenancy that day, so two schools whose effective sets differ
get descriptions that differ in exactly the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from portal.dates import end_of_uk_day, uk_today
from portal.extensions import db
from portal.register.effective import EffectiveLine, effective_set
from portal.register.facts import AIModel
from portal.register.models import RegisterEntry, RegisterVersion, VersionStatus
from portal.register.vocabulary import (
    CATEGORIES,
    UK,
    Activity,
    AIUse,
    DataSubject,
    JurisdictionNote,
    TransferMechanism,
    country_name,
)
from portal.tenancy.models import Tenancy


@dataclass(frozen=True)
class CategoryLine:
    """A data category processed, whether the law treats it as sensitive, and by which suppliers."""

    key: str
    name: str
    special_category: bool
    criminal_offence: bool
    suppliers: tuple[str, ...]


@dataclass(frozen=True)
class TransferLine:
    """Processing or access outside the UK by one supplier, and its safeguard."""

    key: str
    supplier: str
    countries: tuple[str, ...]  # ISO codes
    country_names: tuple[str, ...]
    mechanism: TransferMechanism
    mechanism_label: str
    dpf_checked_on: dt.date | None
    activities: tuple[Activity, ...]


@dataclass(frozen=True)
class AIServiceLine:
    """An AI service in use for the tenancy, what it runs, and why it runs for this tenancy."""

    key: str
    supplier: str
    models: tuple[AIModel, ...]
    inference_country: str
    inference_region: str
    prompt_retention: str
    trains_on_customer_data: bool
    training_instruction: str
    use: AIUse
    pupil_facing: bool
    why: str


@dataclass(frozen=True)
class ForeignLaw:
    """A supplier whose parent's home law can reach the data wherever it is held."""

    key: str
    supplier: str
    country: str
    note: JurisdictionNote


@dataclass(frozen=True)
class ProcessingDescription:
    """What annex II, the DPIA and the records of processing say the processing is."""

    tenancy_id: int
    on: dt.date
    register_version: str | None
    suppliers: tuple[str, ...]
    subjects: tuple[str, ...]  # labels, in the vocabulary's order
    subject_keys: tuple[DataSubject, ...]
    categories: tuple[CategoryLine, ...]
    special_category: bool
    criminal_offence: bool
    pupil_facing: bool
    nature: tuple[str, ...]
    purposes: tuple[str, ...]  # "Supplier: purpose"
    locations: tuple[str, ...]  # "United Kingdom (Manchester; Azure UK South)"
    transfers: tuple[TransferLine, ...]
    ai_services: tuple[AIServiceLine, ...]
    foreign_law: tuple[ForeignLaw, ...]


def ai_service_line(entry: RegisterEntry, why: str) -> AIServiceLine:
    """An AI entry as a line of the AI services, with why it runs (or when it is used)."""
    facts = entry.facts
    ai = facts.ai
    assert ai is not None
    return AIServiceLine(
        entry.key,
        entry.supplier,
        ai.models,
        ai.inference_country,
        ai.inference_region,
        ai.prompt_retention,
        ai.trains_on_customer_data,
        ai.training_instruction,
        ai.use,
        facts.pupil_facing,
        why,
    )


def _version_on(on: dt.date) -> RegisterVersion | None:
    """The version that was current on a UK date (the current one for today and later)."""
    from portal.register.service import current_published, published_version

    if on >= uk_today():
        return current_published()
    sequence = db.session.scalar(
        select(RegisterVersion.sequence)
        .where(RegisterVersion.status == VersionStatus.PUBLISHED, RegisterVersion.published_at < end_of_uk_day(on))
        .order_by(RegisterVersion.sequence.desc())
        .limit(1)
    )
    return published_version(sequence) if sequence is not None else None


def describe_processing(tenancy: Tenancy, on: dt.date) -> ProcessingDescription:
    """The description of processing for this tenancy's effective set on this UK date."""
    found = effective_set(tenancy, today=on, version=_version_on(on))
    return describe_lines(tenancy.id, on, found.version.number if found.version else None, found.included)


def describe_lines(
    tenancy_id: int, on: dt.date, version: str | None, lines: list[EffectiveLine]
) -> ProcessingDescription:
    """The description made from some included lines (for callers that already hold the set)."""
    subjects: set[DataSubject] = set()
    others: list[str] = []
    categories: dict[str, list[str]] = {}
    activities: set[Activity] = set()
    places: dict[str, list[str]] = {}
    transfers, ai_services, foreign = [], [], []
    for line in lines:
        entry, facts = line.entry, line.entry.facts
        subjects.update(facts.subjects)
        if facts.other_subjects and DataSubject.OTHERS in facts.subjects:
            others.append(facts.other_subjects)
        for key in facts.categories:
            categories.setdefault(key, []).append(entry.supplier)
        activities.update(facts.activities)
        for code in facts.countries:
            regions = places.setdefault(code, [])
            if facts.region and facts.region not in regions:
                regions.append(facts.region)
        if facts.outside_uk:
            transfers.append(
                TransferLine(
                    entry.key,
                    entry.supplier,
                    facts.outside_uk,
                    tuple(country_name(c) for c in facts.outside_uk),
                    facts.transfer,
                    facts.transfer.label,
                    facts.dpf_checked_on,
                    facts.activities,
                )
            )
        if facts.ai is not None:
            places.setdefault(facts.ai.inference_country, [])
            ai_services.append(ai_service_line(entry, line.reason))
        note = facts.jurisdiction_note
        if note is not None:
            foreign.append(ForeignLaw(entry.key, entry.supplier, facts.parent_country, note))
    subject_keys = tuple(s for s in DataSubject if s in subjects)
    labels = [s.label for s in subject_keys if s is not DataSubject.OTHERS] + others
    category_lines = tuple(
        CategoryLine(key, c.name, c.special, c.criminal, tuple(categories[key]))
        for key, c in CATEGORIES.items()
        if key in categories
    )
    return ProcessingDescription(
        tenancy_id=tenancy_id,
        on=on,
        register_version=version,
        suppliers=tuple(line.entry.supplier for line in lines),
        subjects=tuple(labels),
        subject_keys=subject_keys,
        categories=category_lines,
        special_category=any(c.special_category for c in category_lines),
        criminal_offence=any(c.criminal_offence for c in category_lines),
        pupil_facing=any(line.entry.facts.pupil_facing for line in lines),
        nature=tuple(a.label for a in Activity if a in activities),
        purposes=tuple(f"{line.entry.supplier}: {line.entry.purpose}" for line in lines if line.entry.purpose),
        locations=tuple(_place(code, regions) for code, regions in sorted(places.items(), key=_uk_first)),
        transfers=tuple(transfers),
        ai_services=tuple(ai_services),
        foreign_law=tuple(foreign),
    )


def _uk_first(item: tuple[str, list[str]]) -> tuple[bool, str]:
    return (item[0] != UK, country_name(item[0]))


def _place(code: str, regions: list[str]) -> str:
    return f"{country_name(code)} ({'; '.join(regions)})" if regions else country_name(code)
