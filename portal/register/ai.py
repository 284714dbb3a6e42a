"""AI services for schools: each service's models and handling, and how the vendor meets the
data-protection expectations of the DfE's generative AI product safety standards, from facts.

Each point is derived from the entries' controlled facts (where inference runs, retention of
prompts and outputs, training use, conditions, sensitive categories, parents' home law), so it
changes when the register changes and cannot say more than the register does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from portal.register.effective import EffectiveLine
from portal.register.facts import EntryFacts
from portal.register.models import EntryKind, EntryStatus, RegisterEntry
from portal.register.processing import AIServiceLine, ai_service_line
from portal.register.vocabulary import CATEGORIES, UK, AIUse, JurisdictionNote, country_name


@dataclass(frozen=True)
class StandardPoint:
    """One expectation, whether the facts show it met, and how."""

    heading: str
    met: bool
    text: str


def ai_lines(entries: Iterable[RegisterEntry], reasons: dict[str, str] | None = None) -> list[AIServiceLine]:
    """The AI services among some entries; `reasons` says why each is in use (a tenancy's view)."""
    found = []
    for entry in entries:
        facts = entry.facts
        if facts.ai is None or entry.status is EntryStatus.RETIRED:
            continue
        found.append(ai_service_line(entry, (reasons or {}).get(entry.key, facts.ai.use.label)))
    return found


def _names(lines: Sequence[AIServiceLine]) -> str:
    return ", ".join(line.supplier for line in lines)


def standard_points(lines: Sequence[AIServiceLine], facts: dict[str, EntryFacts]) -> list[StandardPoint]:
    """The data-protection expectations, point by point, for these AI services."""
    if not lines:
        return [StandardPoint(_("AI services"), True, _("No AI service processes your data."))]
    points = []
    abroad = [line for line in lines if line.inference_country != UK]
    if abroad:
        where = "; ".join(f"{line.supplier}: {country_name(line.inference_country)}" for line in abroad)
        points.append(
            StandardPoint(_("Where data is processed"), False, _("Inference outside the UK: %(where)s.", where=where))
        )
    else:
        points.append(
            StandardPoint(
                _("Where data is processed"), True, _("Every AI service runs its inference in the United Kingdom.")
            )
        )
    training = [line for line in lines if line.trains_on_customer_data]
    if training:
        detail = "; ".join(
            f"{line.supplier} ({line.training_instruction or _('no instruction recorded')})" for line in training
        )
        points.append(
            StandardPoint(
                _("No training on pupils' data without permission"),
                all(line.training_instruction for line in training),
                _(
                    "These suppliers may use customer data to train or improve models, only as instructed: %(detail)s.",
                    detail=detail,
                ),
            )
        )
    else:
        points.append(
            StandardPoint(
                _("No training on pupils' data without permission"),
                True,
                _("No AI supplier may use your data, or pupils' work, to train or improve its models."),
            )
        )
    unknown = [line for line in lines if not line.prompt_retention]
    points.append(
        StandardPoint(
            _("How long prompts and outputs are kept"),
            not unknown,
            _("Each service's retention of prompts and outputs is listed above.")
            if not unknown
            else _("Retention not yet stated for: %(names)s.", names=_names(unknown)),
        )
    )
    count = sum(len(line.models) for line in lines)
    points.append(
        StandardPoint(
            _("Which models are used"),
            all(line.models for line in lines),
            _(
                "%(count)s models from %(services)s services are listed above. A new model is a material change, "
                "announced with notice before it is used.",
                count=count,
                services=len(lines),
            ),
        )
    )
    special = sorted(
        {
            CATEGORIES[c].name
            for line in lines
            for c in facts[line.key].categories
            if c in CATEGORIES and CATEGORIES[c].special
        }
    )
    pupil = [line for line in lines if line.pupil_facing]
    text = (
        _("Pupils use these services directly: %(names)s.", names=_names(pupil))
        if pupil
        else _("Pupils do not use these services directly.")
    )
    if special:
        text += " " + _("Special category data they may see: %(names)s.", names=", ".join(special))
    else:
        text += " " + _("No special category data is sent to them.")
    points.append(StandardPoint(_("Children's and sensitive data"), True, text))
    narrow = [line for line in lines if line.use is not AIUse.PRIMARY]
    if narrow:
        points.append(
            StandardPoint(
                _("Your school's choice"),
                True,
                _(
                    "Used only as a fallback or where an option is on: %(names)s. Your school can switch such options "
                    "off.",
                    names=_names(narrow),
                ),
            )
        )
    foreign = [line for line in lines if facts[line.key].jurisdiction_note is not None]
    if foreign:
        points.append(
            StandardPoint(
                _("Foreign law"),
                False,
                _(
                    "Owned by groups headquartered outside the UK, whose home law may reach the data: %(names)s.",
                    names=_names(foreign),
                ),
            )
        )
    return points


def jurisdiction_notes(entries: Iterable[RegisterEntry]) -> list[tuple[JurisdictionNote, list[RegisterEntry]]]:
    """Each note on foreign law that applies to some entries, with the entries it applies to, once."""
    found: dict[str, tuple[JurisdictionNote, list[RegisterEntry]]] = {}
    for entry in entries:
        note = entry.facts.jurisdiction_note
        if note is not None:
            found.setdefault(note.anchor, (note, []))[1].append(entry)
    return list(found.values())


def needs_training_instruction(entry: RegisterEntry) -> bool:
    """A data sub-processor that may train on customer data without a signed instruction recorded."""
    ai = entry.facts.ai
    return (
        entry.kind is EntryKind.DATA_SUBPROCESSOR
        and ai is not None
        and ai.trains_on_customer_data
        and not ai.training_instruction.strip()
    )


@dataclass(frozen=True)
class AISection:
    """The AI section of a page: the services (with why each runs, or does not) and the points."""

    lines: list[AIServiceLine]
    points: list[StandardPoint]


def public_section(entries: Sequence[RegisterEntry]) -> AISection:
    """Every AI service of a published version, and the points for them all."""
    lines = ai_lines(entries)
    return AISection(lines, standard_points(lines, {e.key: e.facts for e in entries}))


def tenancy_section(lines: Sequence[EffectiveLine]) -> AISection:
    """A tenancy's AI services today: each with why it runs or not; the points for those that run."""
    reasons = {line.entry.key: line.reason for line in lines}
    shown = ai_lines([line.entry for line in lines], reasons)
    running = {line.entry.key for line in lines if line.included}
    facts = {line.entry.key: line.entry.facts for line in lines}
    return AISection(shown, standard_points([line for line in shown if line.key in running], facts))
