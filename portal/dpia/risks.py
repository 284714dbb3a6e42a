"""The risks the pack lists: derived from the facts of the suppliers in the school's effective set, then
those of using the service at all.

Ratings are the vendor's suggestion on the ICO's scale (likelihood remote, possible or probable;
severity minimal, significant or severe); the school confirms or changes them. A supplier switched
off or excluded for the school brings none of its risks; switching an option on brings them in; an
announced addition that will apply to the school brings its risks ahead of its date, with the last
day to object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from portal.changes.window import object_until
from portal.dates import govuk_date
from portal.dpia.content import Risk, overall
from portal.dpia.derived import supplier_risks
from portal.dpia.dpa_text import clause_ref, measure_items
from portal.dpia.rating import Derivation, risk
from portal.dpia.shared_risks import shared_risks
from portal.register.effective import EffectiveLine, EffectiveSet
from portal.register.models import RegisterEntry
from portal.register.upcoming import UpcomingChange
from portal.register.vocabulary import Activity


def derive(found: EffectiveSet, text: dict[str, Any], *, vendor: str, notice_days: int) -> tuple[list[Risk], list[str]]:
    """The numbered risks for this effective set, and sentences saying which the school's settings remove."""
    included = [line.entry for line in found.included]
    additions = [c for c in found.upcoming if c.kind == "addition" and c.applies]
    moderation: tuple[tuple[str, dt.date | None], ...] = tuple(
        (e.supplier, None) for e in included if Activity.MODERATION in e.facts.activities
    )
    moderation += tuple((c.entry.supplier, c.on) for c in additions if Activity.MODERATION in c.entry.facts.activities)
    known = Derivation(text=text, states=found.options_by_id, vendor=vendor, moderation=moderation)

    found_risks = shared_risks(included, known)
    for entry in included:
        found_risks += supplier_risks(entry, known) or _noted(entry)
    for change in additions:
        found_risks += announced(change, known)
    found_risks += service_risks(text, notice_days=notice_days)
    numbered = [dataclasses.replace(r, ref=f"R{n}") for n, r in enumerate(found_risks, 1)]
    return numbered, removed_risks(found.lines, known)


def announced(change: UpcomingChange, known: Derivation) -> list[Risk]:
    """The risks an announced addition will bring, marked with its date and the last day to object."""
    entry = change.entry
    source = _(
        "Announced change: %(supplier)s is used for your school from %(date)s",
        supplier=entry.supplier,
        date=govuk_date(change.on),
    )
    objection = _(
        "This change is announced, not yet applied: your school may object until %(date)s on its changes page, "
        "and while an objection is open the change does not apply to your school.",
        date=govuk_date(object_until(change.on)),
    )
    return [
        dataclasses.replace(r, source=str(source), measures=(str(objection), *r.measures))
        for r in supplier_risks(entry, known) or _noted(entry)
    ]


def _noted(entry: RegisterEntry) -> list[Risk]:
    """A supplier whose facts give no risk but whose register entry carries a risk note keeps it as a risk."""
    if not entry.risk_note:
        return []
    measures = [
        m
        for m in (
            entry.residency_note,
            _("Certified: %(list)s.", list=entry.certifications) if entry.certifications else "",
        )
        if m
    ]
    return [
        risk(
            "register_note",
            _("Risk noted in the register for %(supplier)s", supplier=entry.supplier),
            entry.risk_note,
            [entry],
            ("Remote", "Significant"),
            measures,
            effect=str(_("Reduced")),
            residual="Low",
        )
    ]


def removed_risks(lines: Sequence[EffectiveLine], known: Derivation) -> list[str]:
    """For each supplier the school's settings or objections keep out, the risks it would otherwise bring."""
    removed = []
    for line in lines:
        if line.included:
            continue
        switched_off = line.option is not None and not known.states[line.option.id].enabled
        if not (line.excluded_by_objection or switched_off or line.standstill):
            continue
        titles = [r.title for r in supplier_risks(line.entry, known) or _noted(line.entry)]
        if not titles:
            continue
        since = _(" (since %(date)s)", date=govuk_date(line.since)) if line.since else ""
        removed.append(
            _(
                "%(supplier)s is not used for your school%(since)s: %(reason)s So these risks do not apply to your "
                "school: %(titles)s.",
                supplier=line.entry.supplier,
                since=since,
                reason=line.reason,
                titles="; ".join(titles),
            )
        )
    return removed


def service_risks(text: dict[str, Any], *, notice_days: int) -> list[Risk]:
    """The risks of using the service at all, whatever its suppliers, with the vendor's measures."""
    access = measure_items(text, "Access control")
    incidents = measure_items(text, "Incidents and breaches")
    backups = measure_items(text, "Backups and continuity")
    rows = [
        (
            _("Staff enter more about pupils than a task needs"),
            _(
                "Staff may type pupils' names or sensitive details (health, behaviour, family circumstances) into "
                "prompts and content, where the task could be done without them."
            ),
            "Possible",
            "Significant",
            [
                _("Your school's guidance to staff on what not to enter (see step 4)."),
                _(
                    "The data is used only to provide the service and never to train models: %(clause)s.",
                    clause=clause_ref(text, "purpose"),
                ),
                *measure_items(text, "Special category data"),
            ],
        ),
        (
            _("Someone gets into a staff account or sees content they should not"),
            _("A compromised or shared account, or a wrongly granted role, could expose staff and pupil information."),
            "Remote",
            "Severe",
            [
                *access,
                _(
                    "Your school's own sign-in rules in Microsoft 365 or Google Workspace, such as multi-factor "
                    "authentication, and removing leavers promptly."
                ),
            ],
        ),
        (
            _("A personal data breach at the vendor or one of its sub-processors"),
            _("Data could be lost, altered or disclosed through a security incident outside your school."),
            "Remote",
            "Significant",
            [
                *incidents,
                _("Sub-processors bound by the same duties: %(clause)s.", clause=clause_ref(text, "subprocessors")),
            ],
        ),
        (
            _("Personal data kept longer than needed"),
            _("Accounts and content of staff who have left, or of past pupils, could stay in the service."),
            "Possible",
            "Minimal",
            [
                _("Deletion or return at the end: %(clause)s.", clause=clause_ref(text, "end")),
                *backups[:1],
                _("Your school's own retention schedule for content in the service."),
            ],
        ),
        (
            _("A new sub-processor is used without your school being able to respond"),
            _("A change of supplier could expose your school's data to an organisation you have not assessed."),
            "Remote",
            "Significant",
            [
                _(
                    "At least %(days)s clear days' notice of a new or replacement sub-processor, with the right to "
                    "object, and no change applied to your school's data while your objection is open: %(clause)s.",
                    days=notice_days,
                    clause=clause_ref(text, "subprocessors"),
                ),
                _(
                    "Each announced change that would affect your school is emailed to its data leads, its trust's "
                    "administrators and the contact for notices named in its signed agreement, with a link to "
                    "object; it is also listed, with the last day to object, on your school's sub-processors page."
                ),
                _(
                    "The portal's DPIA page says when the suppliers used for your school change, and what changed "
                    "since this pack was downloaded."
                ),
            ],
        ),
    ]
    return [
        Risk(
            ref="",
            title=title,
            description=description,
            source=str(_("The service")),
            likelihood=likelihood,
            severity=severity,
            overall=overall(likelihood, severity),
            measures=tuple(m for m in measures if m),
            effect=str(_("Reduced")),
            residual="Low",
        )
        for title, description, likelihood, severity, measures in rows
    ]
