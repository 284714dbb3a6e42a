"""Demo register: Larkspur Learning's sub-processors in two published versions, and the tenancy options.

What the versions say is in `portal.demo.register_data`. Dates are relative to the day of loading,
so the upcoming changes are always upcoming.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal.dates import start_of_uk_day, uk_today
from portal.demo import register_data as data
from portal.extensions import db
from portal.register.facts import AIModel
from portal.register.models import (
    NotSubProcessor,
    RegisterEntry,
    RegisterVersion,
    TenancyOption,
    TenancyOptionEntry,
    TenancyOptionSetting,
    VersionStatus,
)
from portal.tenancy.models import Tenancy


def _entries(today: dt.date) -> list[dict[str, Any]]:
    facts = data.facts(today)
    return [dict(row, facts=facts[row["key"]]) for row in data.rows()]


def _version(
    number: str, sequence: int, published: dt.date, entries: list[dict[str, Any]], summary: str
) -> RegisterVersion:
    """Write one published version with backdated dates (rows are frozen once published)."""
    version = RegisterVersion(
        sequence=sequence,
        number=number,
        status=VersionStatus.DRAFT,
        owner_name="Helen Marsh, Chief Executive",
        contact_email=current_app.config["VENDOR_PRIVACY_EMAIL"],
        notes=data.NOTES,
        summary=summary,
        material=True,
        material_since=number,
    )
    version.entries = [
        RegisterEntry(
            position=i,
            listed_since=row.pop("listed_since", published),
            facts_data=row.pop("facts").to_json(),
            **row,
        )
        for i, row in enumerate(entries, 1)
    ]
    version.statements = [NotSubProcessor(supplier=data.CDN[0], reason=data.CDN[1], position=1)]
    db.session.add(version)
    db.session.flush()
    db.session.execute(
        update(RegisterVersion)
        .where(RegisterVersion.id == version.id)
        .values(
            status=VersionStatus.PUBLISHED,
            published_at=start_of_uk_day(published) + dt.timedelta(hours=10),
            reviewed_on=published,
            next_review_on=published.replace(year=published.year + 1) - dt.timedelta(days=30),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(version)
    return version


def load_register(today: dt.date | None = None) -> Iterator[str]:
    """Versions 1.3 and 1.4 and the option definitions, unless they are there already."""
    today = today or uk_today()
    if db.session.scalar(select(RegisterVersion.id).where(RegisterVersion.number == "1.3")) is None:
        first = today - dt.timedelta(days=170)
        _version("1.3", 1, first, _entries(today), "Annual review: no change of supplier.")
        second = today - dt.timedelta(days=12)
        rows = _entries(today)
        for row in rows:
            row["listed_since"] = first
        rows[1]["services_used"] = "Azure OpenAI (gpt-4.1-mini, gpt-4.1)"
        azure = data.facts(today)["azure-openai"]
        assert azure.ai is not None
        more = (*azure.ai.models, AIModel("gpt-4.1", "OpenAI, through Microsoft Azure", "Fallback for longer tasks"))
        rows[1]["facts"] = dataclasses.replace(azure, ai=dataclasses.replace(azure.ai, models=more))
        rows[3]["retires_on"] = today + dt.timedelta(days=40)
        moderation = dict(data.MODERATION, facts=data.facts(today)["kestrel-moderation"], listed_since=second)
        rows.insert(4, dict(moderation, effective_on=second + dt.timedelta(days=35)))
        _version(
            "1.4",
            2,
            second,
            rows,
            "Kestrel Moderation Ltd is added for automated safeguarding checks, taking effect after the 30-day "
            "notice. Fellside Infrastructure's temporary engagement ends. The Azure OpenAI fallback adds the "
            "gpt-4.1 model.",
        )
        yield "register: versions 1.3 and 1.4 published"
    for position, spec in enumerate(data.OPTIONS, 1):
        if db.session.scalar(select(TenancyOption.id).where(TenancyOption.key == spec["key"])) is None:
            keys = spec["entry_keys"]
            fields = {k: v for k, v in spec.items() if k != "entry_keys"}
            option = TenancyOption(
                position=position, governed=[TenancyOptionEntry(entry_key=k) for k in keys], **fields
            )
            db.session.add(option)
            yield f"register: option {option.name}"
    db.session.flush()


def load_settings() -> Iterator[str]:
    """Demo schools whose options differ from the defaults, so their effective sets differ."""
    options = {o.key: o for o in db.session.scalars(select(TenancyOption))}
    schools = {t.urn: t for t in db.session.scalars(select(Tenancy).where(Tenancy.urn.in_(list(data.SETTINGS))))}
    for urn, settings in data.SETTINGS.items():
        school = schools.get(urn)
        if school is None:
            continue
        for key, enabled in settings:
            option = options[key]
            exists = db.session.scalar(
                select(TenancyOptionSetting.id).where(
                    TenancyOptionSetting.tenancy_id == school.id, TenancyOptionSetting.option_id == option.id
                )
            )
            if exists is None:
                # Set when the school joined (the register's first version): an incident at the
                # fallback since then does not concern a school that switched it off.
                since = start_of_uk_day(uk_today() - dt.timedelta(days=170)) + dt.timedelta(hours=11)
                db.session.add(
                    TenancyOptionSetting(tenancy_id=school.id, option_id=option.id, enabled=enabled, updated_at=since)
                )
                yield f"register: {school.name} has {option.name} {'on' if enabled else 'off'}"
    db.session.flush()


def load() -> Iterator[str]:
    """The register, its options, and the demo schools' own settings."""
    yield from load_register()
    yield from load_settings()
