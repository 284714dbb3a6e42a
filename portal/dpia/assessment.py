"""The words of the DPIA draft's second part: steps 4 to 7 of the ICO's sample template and the Art. 30 annex."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import (
    YOURS,
    Block,
    Bullets,
    Known,
    Paragraph,
    Part,
    RecordField,
    Risk,
    Section,
    Table,
    ToComplete,
)
from portal.dpia.dpa_text import points


def _option_rows(known: Known) -> tuple[tuple[str, ...], ...]:
    rows = []
    for state in known.states.values():
        value = "On" if state.enabled else "Off"
        if state.setting is None:
            how = f"{value} (the default)"
        else:
            how = f"{value} (set by your school on {govuk_date(state.setting.updated_at)})"
        suppliers = [line.entry.supplier for line in known.found.lines if line.entry.key in state.option.entry_keys]
        rows.append((state.option.name, how, ", ".join(suppliers) or "None in the current register"))
    return tuple(rows)


def necessity(known: Known) -> Section:
    options: Block = (
        Table("options", ("Option", "Setting for your school", "Suppliers it governs"), _option_rows(known))
        if known.states
        else Paragraph("The service has no options for schools to set.")
    )
    return Section(
        "necessity",
        "Step 4: Assess necessity and proportionality",
        (
            Part(
                "What the agreement already provides",
                (
                    Paragraph(known.signed),
                    Bullets(
                        (
                            f"The data is used only to provide the service: {known.clause('purpose')}.",
                            f"Processing only on your documented instructions: {known.clause('instructions')}.",
                            f"Help with requests from people exercising their rights: {known.clause('rights')}.",
                            f"Export, return and deletion: {known.clause('exit')} and {known.clause('end')}.",
                            f"At least {known.notice_days} days' notice of a new or replacement sub-processor, with "
                            f"the right to object: {known.clause('subprocessors')}.",
                        )
                    ),
                ),
            ),
            Part("Options your school has set", (options,)),
            Part(
                "Your assessment",
                (
                    ToComplete(
                        (
                            "What is your lawful basis for the processing? Many schools rely on public task "
                            "(Article 6(1)(e)); check which applies to yours.",
                            "Does the processing achieve your purpose? Is there another way to achieve it with "
                            "less personal data?",
                            "How will you prevent function creep and make sure staff enter only what a task needs?",
                            "How will you tell people about the processing and support their rights?",
                            "How will you check that the processor keeps to the agreement?",
                        )
                    ),
                ),
            ),
        ),
    )


def risks(found_risks: Sequence[Risk], removed: Sequence[str], known: Known) -> Section:
    parts = [
        Part(
            "",
            (
                Paragraph(
                    "Each risk is rated as the ICO's template does: the likelihood of harm (remote, possible or "
                    "probable) and its severity (minimal, significant or severe) give an overall risk of low, "
                    f"medium or high. The ratings are {known.vendor['name']}'s suggestion: confirm or change them "
                    "for your school."
                ),
                Table(
                    "risks",
                    ("Ref", "Risk to individuals", "Source", "Likelihood", "Severity", "Overall risk"),
                    tuple(
                        (r.ref, f"{r.title}. {r.description}", r.source, r.likelihood, r.severity, r.overall)
                        for r in found_risks
                    ),
                ),
                ToComplete(
                    (
                        "Add any risks particular to your school, for example pupils with additional needs, "
                        "or staff using personal devices.",
                    )
                ),
            ),
        )
    ]
    effects = option_effects(found_risks, known)
    if effects:
        parts.append(Part(_("What your school's options change"), (Bullets(effects),)))
    if removed:
        parts.append(Part(_("Risks your school's settings keep out"), (Bullets(tuple(removed)),)))
    return Section("risks", "Step 5: Identify and assess risks", tuple(parts))


def option_effects(found_risks: Sequence[Risk], known: Known) -> tuple[str, ...]:
    """For each option that is on, which of the listed risks switching it off would remove or narrow."""
    effects = []
    for state in known.states.values():
        if not state.enabled:
            continue
        governed = set(state.option.entry_keys)
        gone = [r.ref for r in found_risks if r.suppliers and set(r.suppliers) <= governed]
        narrowed = [r.ref for r in found_risks if set(r.suppliers) & governed and not set(r.suppliers) <= governed]
        if not gone and not narrowed:
            continue
        sentence = _("“%(option)s” is on for your school.", option=state.option.name)
        if gone:
            sentence += " " + _("Switching it off removes %(refs)s.", refs=", ".join(gone))
        if narrowed:
            sentence += " " + _(
                "It also takes its suppliers out of %(refs)s, which other suppliers still bring.",
                refs=", ".join(narrowed),
            )
        effects.append(sentence)
    return tuple(effects)


def measures(found_risks: Sequence[Risk], known: Known) -> Section:
    parts = [
        Part(
            "",
            (
                Table(
                    "measures",
                    (
                        "Ref",
                        "Measures to reduce or eliminate the risk",
                        "Effect on risk",
                        "Residual risk",
                        "Measure approved",
                    ),
                    tuple(
                        (r.ref, "\n".join(m for m in r.measures if m), r.effect, r.residual, YOURS) for r in found_risks
                    ),
                ),
            ),
        )
    ]
    parts += [
        Part(f"Processor's security measures: {group['heading']}", (Bullets(points(group)),))
        for group in known.text.get("measures", [])
    ]
    return Section("measures", "Step 6: Identify measures to reduce risk", tuple(parts))


SIGN_OFF = (
    ("Measures approved by", "Put the actions into your plan, with dates and who is responsible."),
    ("Residual risks approved by", "If you accept any high residual risk, consult the ICO before going ahead."),
    ("DPO advice provided", "Your DPO should advise on compliance, the step 6 measures and whether to go ahead."),
    ("Summary of DPO advice", ""),
    ("DPO advice accepted or overruled by", "If overruled, record why."),
    ("Consultation responses reviewed by", "If your decision departs from people's views, record why."),
    ("This DPIA will be kept under review by", "The DPO should also review ongoing compliance with the DPIA."),
)


def sign_off(known: Known) -> Section:
    return Section(
        "sign_off",
        "Step 7: Sign off and record outcomes",
        (
            Part(
                "",
                (
                    Table(
                        "sign_off",
                        ("Item", "Name, date and notes", "Guidance"),
                        tuple((item, YOURS, guidance) for item, guidance in SIGN_OFF),
                    ),
                    Paragraph(
                        "Review this DPIA whenever the sub-processors used for your school change. The portal's "
                        "DPIA page says when that happens and what changed since this pack was downloaded."
                    ),
                ),
            ),
        ),
    )


def record_part(record: Sequence[RecordField]) -> Part:
    rows = tuple((f.article or "-", f.name, "\n".join([f.value, *f.items])) for f in record)
    return Part(
        "",
        (
            Paragraph(
                "The entry for your school's record of processing activities. The same fields come as CSV and JSON "
                "from the portal's DPIA page."
            ),
            Table("record", ("Article", "Field", "Entry"), rows),
        ),
    )
