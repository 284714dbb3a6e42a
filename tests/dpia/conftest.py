"""A small published register for DPIA tests: a UK host, an Azure fallback with a CLOUD Act note, and more."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from portal.audit.service import Actor
from portal.dates import now, uk_today
from portal.extensions import db
from portal.register.facts import AIFacts, AIModel, EntryFacts
from portal.register.models import EntryKind, EntryStatus, RegisterEntry, RegisterVersion, TenancyOption, VersionStatus
from portal.register.options import define_option, set_option
from portal.register.vocabulary import Activity, AIUse, DataSubject, TransferMechanism
from portal.tenancy.models import Tenancy
from tests.pages import squeeze

CLOUD_ACT = (
    "Microsoft is headquartered in the United States: under the US CLOUD Act, US authorities could in principle "
    "compel it to produce data held in its UK South region."
)


PUPILS, STAFF = DataSubject.PUPILS, DataSubject.STAFF


def _ai(use: AIUse, retention: str, model: str = "Test model") -> AIFacts:
    return AIFacts(models=(AIModel(model, "Test provider", "Answers"),), prompt_retention=retention, use=use)


def facts(today: dt.date) -> dict[str, EntryFacts]:
    """Each entry's controlled facts, which the DPIA's risks are derived from."""
    return {
        "wold-cloud": EntryFacts(
            subjects=(PUPILS, STAFF),
            categories=("contact_details", "chat_prompts", "ai_outputs", "accessibility_send"),
            activities=(Activity.HOSTING, Activity.AI_INFERENCE),
            pupil_facing=True,
            parent_country="GB",
            countries=("GB",),
            region="York",
            retention="For the life of the agreement.",
            ai=_ai(AIUse.PRIMARY, "Chat history kept for 12 months."),
        ),
        "azure-openai": EntryFacts(
            subjects=(PUPILS, STAFF),
            categories=("pseudonymous_identifier", "chat_prompts", "ai_outputs"),
            activities=(Activity.AI_INFERENCE,),
            pupil_facing=True,
            parent_country="US",
            countries=("GB", "US"),
            region="Azure UK South",
            transfer=TransferMechanism.DPF,
            dpf_checked_on=today - dt.timedelta(days=30),
            retention="Nothing kept after the response.",
            ai=_ai(AIUse.FALLBACK, "Not stored.", "gpt-4.1-mini"),
        ),
        "speech": EntryFacts(
            subjects=(PUPILS,),
            categories=("pseudonymous_identifier", "voice_recordings"),
            activities=(Activity.SPEECH,),
            pupil_facing=True,
            parent_country="GB",
            countries=("GB",),
            retention="Audio deleted once transcribed.",
        ),
        "postmark": EntryFacts(
            subjects=(STAFF,),
            categories=("contact_details", "message_content"),
            activities=(Activity.EMAIL,),
            parent_country="US",
            countries=("US",),
            transfer=TransferMechanism.DPF,
            dpf_checked_on=today - dt.timedelta(days=30),
            retention="Kept for 30 days.",
        ),
        "newco": EntryFacts(
            subjects=(PUPILS,),
            categories=("pseudonymous_identifier", "chat_prompts", "safeguarding_flags"),
            activities=(Activity.MODERATION,),
            parent_country="GB",
            countries=("GB",),
            retention="Flagged excerpts kept for 90 days.",
        ),
    }


def entries(today: dt.date) -> list[dict[str, Any]]:
    """The register's entries, each with its key, supplier, status and facts."""
    data, utility = EntryKind.DATA_SUBPROCESSOR, EntryKind.PLATFORM_UTILITY
    known = facts(today)
    rows = [
        {
            "key": "wold-cloud",
            "supplier": "Wold Cloud Ltd",
            "kind": data,
            "status": EntryStatus.ACTIVE,
            "purpose": "Hosting and primary AI inference",
            "data_categories": "Staff names, prompts",
            "location": "United Kingdom (York)",
            "certifications": "ISO 27001, Cyber Essentials Plus",
        },
        {
            "key": "azure-openai",
            "supplier": "Microsoft Azure OpenAI Service",
            "kind": data,
            "status": EntryStatus.ACTIVE,
            "parent_entity": "Microsoft Corporation",
            "purpose": "Fallback AI inference",
            "data_categories": "Prompts",
            "location": "United Kingdom (Azure UK South)",
            "residency_note": "Pinned to UK South.",
            "certifications": "ISO 27001, SOC 2",
            "risk_note": CLOUD_ACT,
        },
        {
            "key": "speech",
            "supplier": "Fenland Speech Ltd",
            "kind": data,
            "status": EntryStatus.CONDITIONAL,
            "condition_service": "Voice input",
            "purpose": "Speech to text",
            "location": "United Kingdom",
        },
        {
            "key": "postmark",
            "supplier": "Harbour Mail Inc",
            "kind": utility,
            "status": EntryStatus.ACTIVE,
            "purpose": "Transactional email",
            "data_categories": "Staff email addresses",
            "location": "United States",
            "residency_note": "Under the UK Extension to the EU-US Data Privacy Framework.",
        },
        {
            "key": "newco",
            "supplier": "Moorland Models Ltd",
            "kind": data,
            "status": EntryStatus.PLANNED,
            "effective_on": today + dt.timedelta(days=40),
            "purpose": "Safeguarding moderation",
            "location": "United Kingdom",
        },
    ]
    return [dict(row, facts_data=known[row["key"]].to_json()) for row in rows]


def publish(number: str, rows: list[dict[str, Any]]) -> RegisterVersion:
    """Publish a register version with these entries, straight into the tables."""
    today = uk_today()
    sequence = (db.session.query(db.func.max(RegisterVersion.sequence)).scalar() or 0) + 1
    version = RegisterVersion(
        sequence=sequence,
        number=number,
        status=VersionStatus.DRAFT,
        owner_name="Test owner",
    )
    version.entries = [
        RegisterEntry(**row, position=n, listed_since=today - dt.timedelta(days=100)) for n, row in enumerate(rows)
    ]
    db.session.add(version)
    db.session.flush()
    # Entries go in while it is a draft: the database refuses changes to a published version.
    version.status = VersionStatus.PUBLISHED
    version.reviewed_on, version.next_review_on = today, today + dt.timedelta(days=300)
    version.published_at = now()
    db.session.flush()
    return version


@dataclass
class Register:
    version: RegisterVersion
    azure: TenancyOption
    voice: TenancyOption

    def switch(self, tenancy: Tenancy, option: TenancyOption, enabled: bool, user: Any = None) -> None:
        from portal.register.choices import tenancy_choices

        state = tenancy_choices([tenancy.id]).states[tenancy.id][option.id]
        actor = Actor.of(user) if user is not None else Actor.system()
        set_option(tenancy, option, enabled, expected_version=state.version, actor=actor)
        db.session.flush()


def make_register() -> Register:
    """Version 1.3 with its options: the Azure fallback (on by default) and voice input (off by default)."""
    version = publish("1.3", entries(uk_today()))
    actor = Actor.system()
    azure = define_option(
        key="azure-fallback",
        name="Azure OpenAI fallback",
        description="Fallback inference.",
        default_enabled=True,
        entry_keys=["azure-openai"],
        actor=actor,
    )
    voice = define_option(
        key="voice-input",
        name="Voice input",
        description="Speech to text.",
        default_enabled=False,
        entry_keys=["speech"],
        actor=actor,
    )
    return Register(version, azure, voice)


@pytest.fixture
def register(app: Any) -> Register:
    return make_register()


def docx_text(body: bytes) -> tuple[str, list[list[list[str]]], list[tuple[str, str]]]:
    """All the text of a DOCX, its tables as rows of cells, and its (style, text) headings."""
    document = Document(io.BytesIO(body))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    text = "\n".join(paragraphs + [cell for table in tables for row in table for cell in row])
    return text, tables, headings


def table_named(tables: list[list[list[str]]], first_headers: tuple[str, ...]) -> list[list[str]]:
    """The table whose header row starts with these headers."""
    found = [t for t in tables if tuple(t[0][: len(first_headers)]) == first_headers]
    assert len(found) == 1, [t[0] for t in tables]
    return found[0]


def pdf_text(body: bytes) -> str:
    """The PDF's text, whitespace folded so wrapped lines still match."""
    reader = PdfReader(io.BytesIO(body))
    return squeeze(" ".join(page.extract_text() or "" for page in reader.pages))
