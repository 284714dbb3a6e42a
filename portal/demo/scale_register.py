"""The scale set's register: ten published versions of forty entries, an option and exclusions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, update

from portal.dates import now, uk_today
from portal.demo.bulk import insert_rows
from portal.extensions import db
from portal.register.facts import AIFacts, AIModel, EntryFacts
from portal.register.models import (
    EntryKind,
    EntryStatus,
    RegisterEntry,
    RegisterVersion,
    TenancyExclusion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
    VersionStatus,
)
from portal.register.vocabulary import Activity, DataSubject, TransferMechanism

PLANNED_KEY = "scale-planned"
OPTION_KEY, OPTION_ENTRY_KEY, EXCLUDED_KEY = "scale-ai-fallback", "scale-supplier-01", "scale-supplier-02"


def register(versions: int, entries: int) -> None:
    """Ten published versions; entries go in while each is a draft (the database freezes published ones)."""
    today = uk_today()
    for n in range(1, versions + 1):
        latest = n == versions
        version_id = db.session.execute(
            insert(RegisterVersion).returning(RegisterVersion.id),
            {
                "sequence": n,
                "number": f"{n}.0",
                "status": VersionStatus.DRAFT,
                "owner_name": "Scale Data Protection Officer",
                "contact_email": "dpo@scale.example",
                "reviewed_on": today - dt.timedelta(days=30 * (versions - n)),
                "next_review_on": today + dt.timedelta(days=365),
                "summary": f"Version {n}.0 of the scale register.",
            },
        ).scalar_one()
        rows = [_entry(version_id, k, n, today) for k in range(entries - (1 if latest else 0))]
        if latest:
            rows.append(
                _entry(version_id, entries, n, today)
                | {"key": PLANNED_KEY, "status": EntryStatus.PLANNED, "effective_on": today + dt.timedelta(days=40)}
            )
        insert_rows(RegisterEntry, rows)
        db.session.execute(
            update(RegisterVersion)
            .where(RegisterVersion.id == version_id)
            .values(status=VersionStatus.PUBLISHED, published_at=now())
        )


def options(schools: list[int]) -> tuple[int, int]:
    """An AI-fallback option (on by default) governing one entry, switched off by every fifth school,
    and another entry excluded for every hundredth school after an accommodated objection. The
    first school has both, so the benchmarked effective-set page decides every kind of line."""
    option_id = db.session.execute(
        insert(TenancyOption).returning(TenancyOption.id),
        {
            "key": OPTION_KEY,
            "name": "AI feedback fallback",
            "description": "A second AI provider answers when the first is unavailable.",
            "default_enabled": True,
        },
    ).scalar_one()
    db.session.execute(insert(TenancyOptionEntry), {"option_id": option_id, "entry_key": OPTION_ENTRY_KEY})
    at = now()
    opted_out = schools[::5]
    # Each school switched at a time of its own, as real ones do (its lines then show its own date).
    insert_rows(
        TenancyOptionSetting,
        (
            {"tenancy_id": school, "option_id": option_id, "enabled": False, "updated_at": at - dt.timedelta(minutes=n)}
            for n, school in enumerate(opted_out)
        ),
    )
    excluded = schools[::100]
    insert_rows(
        TenancyExclusion,
        (
            {"tenancy_id": school, "entry_key": EXCLUDED_KEY, "reason": "Objection accommodated.", "since": at}
            for school in excluded
        ),
    )
    return len(opted_out), len(excluded)


def _entry(version_id: int, k: int, n: int, today: dt.date) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "key": f"scale-supplier-{k:02d}",
        "supplier": f"Scale Supplier {k} Ltd",
        "parent_entity": f"Scale Holdings {k % 7} plc",
        "services_used": "Hosting, storage and support tooling for the learning platform.",
        "purpose": f"Provides part of the service (revision {n}).",
        "data_categories": "Pupil names, class membership, learning progress.",
        "location": "United Kingdom" if k % 3 else "European Economic Area",
        "certifications": "ISO/IEC 27001:2022; Cyber Essentials Plus",
        "dpa_reference": f"DPA-{k:03d}",
        "privacy_contact": f"privacy{k}@supplier.example",
        "kind": EntryKind.DATA_SUBPROCESSOR if k % 4 else EntryKind.PLATFORM_UTILITY,
        "status": EntryStatus.ACTIVE,
        "listed_since": today - dt.timedelta(days=300),
        "position": k,
        "facts_data": _facts(k).to_json(),
    }


def _facts(k: int) -> EntryFacts:
    """Facts for the k-th scale supplier: a third in Ireland under UK adequacy, every fifth an AI service."""
    in_uk = bool(k % 3)
    ai = None
    if k % 5 == 0:
        model = AIModel(f"Scale Model {k}", f"Scale Holdings {k % 7} plc", "Feedback on pupils' work")
        ai = AIFacts(models=(model,), inference_country="GB" if in_uk else "IE", prompt_retention="30 days")
    return EntryFacts(
        subjects=(DataSubject.PUPILS, DataSubject.STAFF),
        categories=("contact_details", "class_membership", "learning_profile"),
        activities=(Activity.HOSTING,) if ai is None else (Activity.HOSTING, Activity.AI_INFERENCE),
        pupil_facing=ai is not None,
        parent_country="GB",
        countries=("GB",) if in_uk else ("IE",),
        transfer=TransferMechanism.NONE if in_uk else TransferMechanism.ADEQUACY,
        retention="For the life of the agreement.",
        ai=ai,
    )
