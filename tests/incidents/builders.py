"""Builders for incident tests: a register with an option-governed AI fallback, schools, an incident."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from portal.audit.service import Actor
from portal.dates import now, start_of_uk_day, uk_today
from portal.extensions import db
from portal.incidents import service
from portal.incidents.models import Incident
from portal.register.models import EntryStatus, TenancyExclusion, TenancyOption, TenancyOptionSetting
from portal.tenancy.models import Tenancy
from tests.register.builders import entry, make_option, publish_version

HOST, FALLBACK, SPEECH = "hostwell", "azure-openai", "azure-speech"
ART33 = {
    "nature": ("Prompts of 40 pupils were readable by another tenant for two hours.", ""),
    "consequences": ("", "The supplier is still investigating what was read."),
    "measures": ("The fallback is switched off for every school until the supplier reports.", ""),
    "contact": ("Our DPO, dpo@larkspur.example, 01632 960000.", ""),
}


def register(published_on: dt.date | None = None) -> dict[str, TenancyOption]:
    """A published register: an active host, the AI fallback (option, on by default), voice input (conditional)."""
    publish_version(
        [
            entry(HOST, supplier="Hostwell Cloud Ltd"),
            entry(FALLBACK, supplier="Microsoft Azure OpenAI"),
            entry(
                SPEECH,
                supplier="Microsoft Azure AI Speech",
                status=EntryStatus.CONDITIONAL,
                condition_service="voice input",
            ),
        ],
        published_on=published_on or uk_today() - dt.timedelta(days=200),
    )
    return {
        "fallback": make_option("azure-fallback", default=True, governs=[FALLBACK]),
        "voice": make_option("voice-input", default=False, governs=[SPEECH]),
    }


def set_option(tenancy: Tenancy, option: TenancyOption, enabled: bool, at: dt.datetime, version: int = 1) -> None:
    """A tenancy's own setting, last changed at `at` (written directly: the date is the point)."""
    setting = TenancyOptionSetting(tenancy_id=tenancy.id, option_id=option.id, enabled=enabled, version=version)
    db.session.add(setting)
    db.session.flush()
    db.session.execute(update(TenancyOptionSetting).where(TenancyOptionSetting.id == setting.id).values(updated_at=at))


def exclude(tenancy: Tenancy, key: str, since: dt.datetime) -> None:
    db.session.add(TenancyExclusion(tenancy_id=tenancy.id, entry_key=key, reason="Objection accommodated", since=since))
    db.session.flush()


def last_week() -> tuple[dt.date, dt.date]:
    today = uk_today()
    return today - dt.timedelta(days=7), today - dt.timedelta(days=1)


def details(**overrides: Any) -> service.Details:
    start, end = last_week()
    values: dict[str, Any] = {
        "title": "Azure OpenAI fallback: prompts visible to another tenant",
        "aware_at": now() - dt.timedelta(hours=3),
        "what_happened": "Microsoft told us a caching fault exposed prompts sent to the fallback.",
        "entry_keys": [FALLBACK],
        "services": "AI tutor (fallback inference)",
        "data_categories": "Pupils' prompts and AI responses",
        "period_start": start,
        "period_end": end,
        "art33": dict(ART33),
    }
    values.update(overrides)
    return service.Details(**values)


def open_incident(actor: Actor | None = None, **overrides: Any) -> Incident:
    return service.open_incident(details(**overrides), actor=actor or Actor.system("test"))


def uk_morning(day: dt.date) -> dt.datetime:
    return start_of_uk_day(day) + dt.timedelta(hours=9)
