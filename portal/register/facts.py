"""An entry's facts: the controlled values kept beside its prose, as a frozen value.

Stored as one JSON document on the entry (`RegisterEntry.facts`), read through `EntryFacts`:
a published entry never changes, so neither do its facts, and a draft replaces the whole value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from portal.register.vocabulary import (
    CATEGORIES,
    COUNTRIES,
    JURISDICTION_NOTES,
    UK,
    Activity,
    AIUse,
    Category,
    DataSubject,
    JurisdictionNote,
    TransferMechanism,
)


@dataclass(frozen=True)
class AIModel:
    """One model an AI service runs for us."""

    name: str
    provider: str
    purpose: str


@dataclass(frozen=True)
class AIFacts:
    """What an AI service does with the data it is sent."""

    models: tuple[AIModel, ...] = ()
    inference_country: str = UK
    inference_region: str = ""
    prompt_retention: str = ""
    # May the supplier use customer data to train or improve models?
    trains_on_customer_data: bool = False
    # The signed instruction that allows it (required to publish "yes" for a data sub-processor).
    training_instruction: str = ""
    use: AIUse = AIUse.PRIMARY

    @property
    def model_names(self) -> frozenset[str]:
        return frozenset(m.name.strip().lower() for m in self.models)


@dataclass(frozen=True)
class EntryFacts:
    """The controlled facts of one register entry."""

    subjects: tuple[DataSubject, ...] = ()
    other_subjects: str = ""
    categories: tuple[str, ...] = ()
    activities: tuple[Activity, ...] = ()
    pupil_facing: bool = False
    parent_country: str = ""
    countries: tuple[str, ...] = ()
    region: str = ""
    transfer: TransferMechanism = TransferMechanism.NONE
    dpf_checked_on: dt.date | None = None
    retention: str = ""
    ai: AIFacts | None = field(default=None)

    @property
    def is_empty(self) -> bool:
        return self == EntryFacts()

    @property
    def category_objects(self) -> list[Category]:
        return [CATEGORIES[key] for key in self.categories if key in CATEGORIES]

    @property
    def special_category(self) -> bool:
        return any(c.special for c in self.category_objects)

    @property
    def criminal_offence(self) -> bool:
        return any(c.criminal for c in self.category_objects)

    @property
    def outside_uk(self) -> tuple[str, ...]:
        """Countries other than the UK where the data is processed or accessed (AI inference included)."""
        found = [c for c in self.countries if c != UK]
        if self.ai is not None and self.ai.inference_country != UK and self.ai.inference_country not in found:
            found.append(self.ai.inference_country)
        return tuple(found)

    @property
    def jurisdiction_note(self) -> JurisdictionNote | None:
        """The note on foreign law that reaches this supplier through its parent's headquarters."""
        return JURISDICTION_NOTES.get(self.parent_country)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "subjects": [s.value for s in self.subjects],
            "other_subjects": self.other_subjects,
            "categories": list(self.categories),
            "activities": [a.value for a in self.activities],
            "pupil_facing": self.pupil_facing,
            "parent_country": self.parent_country,
            "countries": list(self.countries),
            "region": self.region,
            "transfer": self.transfer.value,
            "dpf_checked_on": self.dpf_checked_on.isoformat() if self.dpf_checked_on else None,
            "retention": self.retention,
            "ai": None,
        }
        if self.ai is not None:
            data["ai"] = {
                "models": [{"name": m.name, "provider": m.provider, "purpose": m.purpose} for m in self.ai.models],
                "inference_country": self.ai.inference_country,
                "inference_region": self.ai.inference_region,
                "prompt_retention": self.ai.prompt_retention,
                "trains_on_customer_data": self.ai.trains_on_customer_data,
                "training_instruction": self.ai.training_instruction,
                "use": self.ai.use.value,
            }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EntryFacts:
        if not data:
            return cls()
        ai = data.get("ai")
        checked = data.get("dpf_checked_on")
        return cls(
            subjects=tuple(DataSubject(s) for s in data.get("subjects", ())),
            other_subjects=data.get("other_subjects", ""),
            categories=tuple(data.get("categories", ())),
            activities=tuple(Activity(a) for a in data.get("activities", ())),
            pupil_facing=bool(data.get("pupil_facing", False)),
            parent_country=data.get("parent_country", ""),
            countries=tuple(data.get("countries", ())),
            region=data.get("region", ""),
            transfer=TransferMechanism(data.get("transfer", "none")),
            dpf_checked_on=dt.date.fromisoformat(checked) if checked else None,
            retention=data.get("retention", ""),
            ai=None
            if not ai
            else AIFacts(
                models=tuple(AIModel(m["name"], m.get("provider", ""), m.get("purpose", "")) for m in ai["models"]),
                inference_country=ai.get("inference_country", UK),
                inference_region=ai.get("inference_region", ""),
                prompt_retention=ai.get("prompt_retention", ""),
                trains_on_customer_data=bool(ai.get("trains_on_customer_data", False)),
                training_instruction=ai.get("training_instruction", ""),
                use=AIUse(ai.get("use", "primary")),
            ),
        )


def problems(facts: EntryFacts) -> list[tuple[str, str]]:
    """What is wrong with some facts, as (field, message) pairs in GOV.UK style; empty when they hold."""
    found: list[tuple[str, str]] = []
    unknown = [c for c in facts.categories if c not in CATEGORIES]
    if unknown:
        found.append(("categories", _("Choose data categories from the list")))
    if any(c not in COUNTRIES for c in (*facts.countries, facts.parent_country) if c):
        found.append(("countries", _("Choose countries from the list")))
    if DataSubject.OTHERS in facts.subjects and not facts.other_subjects.strip():
        found.append(("other_subjects", _("Name the other data subjects")))
    if facts.outside_uk and facts.transfer is TransferMechanism.NONE:
        found.append(("transfer", _("Choose the transfer mechanism: the data is processed or accessed outside the UK")))
    if not facts.outside_uk and facts.transfer is not TransferMechanism.NONE:
        found.append(("transfer", _("Choose “No restricted transfer”: every country chosen is the UK")))
    if facts.transfer is TransferMechanism.DPF:
        if "US" not in facts.outside_uk:
            found.append(("transfer", _("The UK Extension to the Data Privacy Framework covers only the US")))
        if facts.dpf_checked_on is None:
            found.append(("dpf_checked_on", _("Enter the date the supplier's certification was checked")))
    if facts.transfer is TransferMechanism.ADEQUACY and any(
        not COUNTRIES[c].adequate for c in facts.outside_uk if c in COUNTRIES
    ):
        found.append(("transfer", _("UK adequacy regulations do not cover every country chosen")))
    if facts.ai is not None:
        if not facts.ai.models:
            found.append(("ai_models", _("Enter at least one model the AI service runs")))
        if facts.ai.inference_country not in COUNTRIES:
            found.append(("ai_inference_country", _("Choose where inference runs")))
    return found


def summary(facts: EntryFacts) -> str:
    """The facts in one line of plain English, for comparing two versions side by side."""
    if facts.is_empty:
        return ""
    parts = [
        _("Subjects: %(names)s", names=", ".join(s.label for s in facts.subjects) or _("none")),
        _("Categories: %(names)s", names=", ".join(c.name for c in facts.category_objects) or _("none")),
        _("Countries: %(names)s", names=", ".join(COUNTRIES[c].name for c in facts.countries if c in COUNTRIES)),
        _("Transfer: %(mechanism)s", mechanism=facts.transfer.label),
    ]
    if facts.retention:
        parts.append(_("Kept: %(retention)s", retention=facts.retention))
    if facts.ai is not None:
        parts.append(_("AI models: %(names)s", names=", ".join(m.name for m in facts.ai.models)))
        parts.append(
            _("Trains on customer data: %(answer)s", answer=_("yes") if facts.ai.trains_on_customer_data else _("no"))
        )
        parts.append(facts.ai.use.label)
    return "; ".join(parts)
