"""The risks the pack lists: the register's own risk notes for suppliers in use, and those of the service itself.

Ratings are the vendor's suggestion on the ICO's scale (likelihood remote, possible or probable;
severity minimal, significant or severe); the school confirms or changes them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from portal.dates import govuk_date
from portal.dpia.content import Risk, overall
from portal.dpia.dpa_text import clause_ref, measure_items
from portal.register.choices import OptionState
from portal.register.effective import EffectiveLine

_UK = ("united kingdom", "uk ", "uk)", "(uk", "england", "scotland", "wales", "northern ireland")


def in_uk(location: str) -> bool:
    """Whether a register location places the processing in the UK."""
    padded = f" {location.lower()} "
    return any(word in padded for word in _UK)


def _risk(n: int, title: str, description: str, source: str, likelihood: str, severity: str, **rest: Any) -> Risk:
    return Risk(
        ref=f"R{n}",
        title=title,
        description=description,
        source=source,
        likelihood=likelihood,
        severity=severity,
        overall=overall(likelihood, severity),
        measures=tuple(rest["measures"]),
        effect=rest["effect"],
        residual=rest["residual"],
    )


def supplier_risks(lines: Sequence[EffectiveLine], text: dict[str, Any], start: int) -> list[Risk]:
    """One risk per supplier in use whose register entry carries a risk note, or that processes outside the UK."""
    risks: list[Risk] = []
    for line in lines:
        entry = line.entry
        source = f"Sub-processor register: {entry.supplier}"
        if entry.risk_note:
            measures = [m for m in (entry.residency_note, _certified(entry.certifications)) if m]
            if line.option is not None:
                measures.insert(
                    0,
                    f"Switch off “{line.option.name}” for your school on the portal's options page. "
                    f"{entry.supplier} is then no longer used for your school's data and this risk no longer applies.",
                )
                effect = "Eliminated if you switch the option off; accepted if you keep it on"
            else:
                effect = "Reduced"
            risks.append(
                _risk(
                    start + len(risks),
                    f"Risk noted in the register for {entry.supplier}",
                    entry.risk_note,
                    source,
                    "Remote",
                    "Significant",
                    measures=measures,
                    effect=effect,
                    residual="Low",
                )
            )
        if entry.location and not in_uk(entry.location):
            risks.append(
                _risk(
                    start + len(risks),
                    f"Personal data processed outside the UK by {entry.supplier}",
                    f"The register gives the location as {entry.location}. Data leaving the UK is protected only as "
                    "far as the transfer safeguards reach.",
                    source,
                    "Possible",
                    "Significant",
                    measures=[f"The transfer safeguards in {clause_ref(text, 'transfers')}.", entry.residency_note],
                    effect="Reduced",
                    residual="Low",
                )
            )
    return risks


def _certified(certifications: str) -> str:
    return f"Certified: {certifications}." if certifications else ""


def service_risks(text: dict[str, Any], *, notice_days: int, start: int) -> list[Risk]:
    """The risks of using the service at all, whatever its suppliers, with the vendor's measures."""
    access = measure_items(text, "Access control")
    incidents = measure_items(text, "Incidents and breaches")
    backups = measure_items(text, "Backups and continuity")
    rows = [
        (
            "Staff enter more about pupils than a task needs",
            "Staff may type pupils' names or sensitive details (health, behaviour, family circumstances) into "
            "prompts and content, where the task could be done without them.",
            "Possible",
            "Significant",
            [
                "Your school's guidance to staff on what not to enter (see step 4).",
                f"The data is used only to provide the service and not to train models for anyone else: "
                f"{clause_ref(text, 'purpose')}.",
                *measure_items(text, "Special category data"),
            ],
            "Reduced",
            "Low",
        ),
        (
            "Someone gets into a staff account or sees content they should not",
            "A compromised or shared account, or a wrongly granted role, could expose staff and pupil information.",
            "Remote",
            "Severe",
            [
                *access,
                "Your school's own sign-in rules in Microsoft 365 or Google Workspace, such as multi-factor "
                "authentication, and removing leavers promptly.",
            ],
            "Reduced",
            "Low",
        ),
        (
            "A personal data breach at the vendor or one of its sub-processors",
            "Data could be lost, altered or disclosed through a security incident outside your school.",
            "Remote",
            "Significant",
            [*incidents, f"Sub-processors bound by the same duties: {clause_ref(text, 'subprocessors')}."],
            "Reduced",
            "Low",
        ),
        (
            "Personal data kept longer than needed",
            "Accounts and content of staff who have left, or of past pupils, could stay in the service.",
            "Possible",
            "Minimal",
            [
                f"Deletion or return at the end: {clause_ref(text, 'end')}.",
                *backups[:1],
                "Your school's own retention schedule for content in the service.",
            ],
            "Reduced",
            "Low",
        ),
        (
            "A new sub-processor is used without your school being able to respond",
            "A change of supplier could expose your school's data to an organisation you have not assessed.",
            "Remote",
            "Significant",
            [
                f"At least {notice_days} clear days' notice of a new or replacement sub-processor, with the right "
                "to object, and no change applied to your school's data while your objection is open: "
                f"{clause_ref(text, 'subprocessors')}.",
                "Changes already announced are listed, with the last day to object, on your school's "
                "sub-processors page and in annex IV of the agreement you sign; this pack is marked out of date "
                "when the sub-processors used for your school change.",
            ],
            "Reduced",
            "Low",
        ),
    ]
    return [
        _risk(
            start + n,
            title,
            description,
            "The service",
            likelihood,
            severity,
            measures=measures,
            effect=effect,
            residual=residual,
        )
        for n, (title, description, likelihood, severity, measures, effect, residual) in enumerate(rows)
    ]


def removed_risks(lines: Sequence[EffectiveLine], states: Mapping[int, OptionState]) -> list[str]:
    """Risk notes that do not apply because the school's settings or objections keep the supplier out."""
    removed = []
    for line in lines:
        if line.included or not line.entry.risk_note:
            continue
        switched_off = line.option is not None and not states[line.option.id].enabled
        if line.excluded_by_objection or switched_off:
            since = f" (since {govuk_date(line.since)})" if line.since else ""
            removed.append(
                f"{line.entry.supplier} is not used for your school{since}: {line.reason} The risk the register "
                "notes for this supplier therefore does not apply to your school."
            )
    return removed
