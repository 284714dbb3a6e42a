"""How the pack rates a risk derived from the register's facts, and the measures every derivation shares.

The ratings follow the ICO's DPIA guidance: the likelihood of harm to people (remote, possible,
probable) and how severe it would be (minimal, significant, severe), taken together. How severe
harm from a supplier would be depends on whose data it holds and what kind: pupils' own words,
voices and work, special category and criminal offence data weigh most, because children merit
specific protection (UK GDPR recital 38) and that data reveals the most about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import SEVERITY, Risk, overall
from portal.register.choices import OptionState
from portal.register.facts import EntryFacts
from portal.register.models import RegisterEntry
from portal.register.vocabulary import CATEGORIES, DataSubject, country_name

# Categories that carry what people say, write, show or are: exposed, they reveal far more than a name.
CONTENT = frozenset(
    (
        "chat_prompts",
        "ai_outputs",
        "pupil_work",
        "voice_recordings",
        "images",
        "learning_profile",
        "message_content",
        "safeguarding_flags",
    )
)


def severity_of(facts: EntryFacts) -> str:
    """How severe harm from exposing a supplier's data would be, from its subjects and categories."""
    pupils = DataSubject.PUPILS in facts.subjects
    content = any(key in CONTENT for key in facts.categories)
    if facts.special_category or facts.criminal_offence or (pupils and content):
        return "Severe"
    if pupils or content:
        return "Significant"
    return "Minimal"


def lower(severity: str) -> str:
    """One step less severe (never below minimal)."""
    return SEVERITY[max(SEVERITY.index(severity) - 1, 0)]


def data_named(facts: EntryFacts) -> str:
    """The supplier's categories and subjects in a phrase: "voice recordings of pupils"."""
    categories = ", ".join(CATEGORIES[key].name for key in facts.categories if key in CATEGORIES)
    subjects = ", ".join(s.label.lower() for s in facts.subjects)
    if categories and subjects:
        return str(_("%(categories)s (about %(subjects)s)", categories=categories, subjects=subjects))
    return categories or subjects or str(_("the data the register lists for it"))


def places(facts: EntryFacts) -> str:
    """Where the supplier processes the data, with its region: "United Kingdom, United States (Azure UK South)"."""
    countries = ", ".join(country_name(code) for code in facts.countries) or _("not stated in the register")
    return f"{countries} ({facts.region})" if facts.region else countries


def kept(facts: EntryFacts) -> str:
    """What the register says the supplier keeps, and for how long: prompts and responses (an AI service's
    own fact) apart from the rest, each said once."""
    prompts = facts.ai.prompt_retention.strip() if facts.ai else ""
    other = facts.retention.strip()
    if prompts and other and other.rstrip(".").lower() not in prompts.lower():
        return str(_("Prompts and responses: %(prompts)s Other data: %(other)s", prompts=prompts, other=other))
    return prompts or other


# Country names that read with "the" in a sentence ("in the United States").
_WITH_THE = frozenset(("GB", "US", "NL"))


def in_countries(codes: Sequence[str]) -> str:
    """Countries as a sentence names them: "the United States, Ireland"."""
    return ", ".join(
        (_("the %(country)s", country=country_name(c)) if c in _WITH_THE else country_name(c)) for c in codes
    )


@dataclass(frozen=True)
class Setting:
    """The option that governs a supplier for this school, and its value."""

    state: OptionState

    @property
    def name(self) -> str:
        return self.state.option.name

    def measure(self, supplier: str, *, shared: bool = False) -> str:
        """What the school's option changes for this risk, in its own words (a shared risk stays while
        other suppliers bring it)."""
        state = self.state
        if state.setting is None:
            how = _("“%(option)s” is on by default for your school.", option=state.option.name)
        else:
            how = _(
                "Your school switched “%(option)s” on on %(date)s.",
                option=state.option.name,
                date=govuk_date(state.setting.updated_at),
            )
        if shared:
            then = _(
                "Switch it off on the portal's options page and %(supplier)s is no longer used for your school's "
                "data, nor named in this risk.",
                supplier=supplier,
            )
        else:
            then = _(
                "Switch it off on the portal's options page and %(supplier)s is no longer used for your school's "
                "data: this risk then no longer applies.",
                supplier=supplier,
            )
        return f"{how} {then}"

    def effect(self) -> str:
        return str(_("Eliminated if you switch “%(option)s” off; accepted if you keep it on", option=self.name))


def setting_for(entry: RegisterEntry, states: Mapping[int, OptionState]) -> Setting | None:
    """The option governing an entry, if one does (whatever its value)."""
    for state in states.values():
        if entry.key in state.option.entry_keys:
            return Setting(state)
    return None


@dataclass(frozen=True)
class Derivation:
    """What a derivation needs besides the entry: the agreement text, the options, the vendor's name."""

    text: dict[str, Any]
    states: Mapping[int, OptionState]
    vendor: str
    # Suppliers in the set (or announced for it) that moderate pupils' messages: (name, from which date).
    moderation: tuple[tuple[str, dt.date | None], ...] = ()


def risk(
    kind: str,
    title: str,
    description: str,
    suppliers: Sequence[RegisterEntry],
    rated: tuple[str, str],
    measures: Sequence[str],
    *,
    effect: str,
    residual: str | None = None,
    source: str = "",
) -> Risk:
    """A risk before numbering (the builder gives refs in order); residual defaults to the overall rating."""
    likelihood, severity = rated
    rating = overall(likelihood, severity)
    return Risk(
        ref="",
        title=title,
        description=description,
        source=source or str(_("Register facts: %(names)s", names=", ".join(e.supplier for e in suppliers))),
        likelihood=likelihood,
        severity=severity,
        overall=rating,
        measures=tuple(m for m in measures if m),
        effect=effect,
        residual=residual or rating,
        kind=kind,
        suppliers=tuple(e.key for e in suppliers),
    )
