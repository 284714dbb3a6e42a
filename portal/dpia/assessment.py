"""The words of the DPIA draft's second part: steps 4 to 7 of the ICO's sample template and the Art. 30 annex."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.dates import govuk_date
from portal.dpia.content import (
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
    rating_label,
    yours,
)
from portal.dpia.dpa_text import points


def _option_rows(known: Known) -> tuple[tuple[str, ...], ...]:
    rows = []
    for state in known.states.values():
        value = _("On") if state.enabled else _("Off")
        if state.setting is None:
            how = _("%(value)s (the default)", value=value)
        else:
            how = _(
                "%(value)s (set by your school on %(date)s)", value=value, date=govuk_date(state.setting.updated_at)
            )
        suppliers = [line.entry.supplier for line in known.found.lines if line.entry.key in state.option.entry_keys]
        rows.append((state.option.name, how, ", ".join(suppliers) or _("None in the current register")))
    return tuple(rows)


def necessity(known: Known) -> Section:
    options: Block = (
        Table("options", (_("Option"), _("Setting for your school"), _("Suppliers it governs")), _option_rows(known))
        if known.states
        else Paragraph(_("The service has no options for schools to set."))
    )
    return Section(
        "necessity",
        _("Step 4: Assess necessity and proportionality"),
        (
            Part(
                _("What the agreement already provides"),
                (
                    Paragraph(known.signed),
                    Bullets(
                        (
                            _(
                                "The data is used only to provide the service: %(clause)s.",
                                clause=known.clause("purpose"),
                            ),
                            _(
                                "Processing only on your documented instructions: %(clause)s.",
                                clause=known.clause("instructions"),
                            ),
                            _(
                                "Help with requests from people exercising their rights: %(clause)s.",
                                clause=known.clause("rights"),
                            ),
                            _(
                                "Export, return and deletion: %(exit)s and %(end)s.",
                                exit=known.clause("exit"),
                                end=known.clause("end"),
                            ),
                            _(
                                "At least %(days)s days' notice of a new or replacement sub-processor, with the right "
                                "to object: %(clause)s.",
                                days=known.notice_days,
                                clause=known.clause("subprocessors"),
                            ),
                        )
                    ),
                ),
            ),
            Part(_("Options your school has set"), (options,)),
            Part(
                _("Your assessment"),
                (
                    ToComplete(
                        (
                            _(
                                "What is your lawful basis for the processing? Many schools rely on public task "
                                "(Article 6(1)(e)); check which applies to yours."
                            ),
                            _(
                                "Does the processing achieve your purpose? Is there another way to achieve it with "
                                "less personal data?"
                            ),
                            _("How will you prevent function creep and make sure staff enter only what a task needs?"),
                            _("How will you tell people about the processing and support their rights?"),
                            _("How will you check that the processor keeps to the agreement?"),
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
                    _(
                        "Each risk is rated as the ICO's template does: the likelihood of harm (remote, possible or "
                        "probable) and its severity (minimal, significant or severe) give an overall risk of low, "
                        "medium or high. The ratings are %(vendor)s's suggestion: confirm or change them for your "
                        "school.",
                        vendor=known.vendor["name"],
                    )
                ),
                Table(
                    "risks",
                    (
                        _("Ref"),
                        _("Risk to individuals"),
                        _("Source"),
                        _("Likelihood"),
                        _("Severity"),
                        _("Overall risk"),
                    ),
                    tuple(
                        (
                            r.ref,
                            f"{r.title}. {r.description}",
                            r.source,
                            rating_label(r.likelihood),
                            rating_label(r.severity),
                            rating_label(r.overall),
                        )
                        for r in found_risks
                    ),
                ),
                ToComplete(
                    (
                        _(
                            "Add any risks particular to your school, for example pupils with additional needs, "
                            "or staff using personal devices."
                        ),
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
    return Section("risks", _("Step 5: Identify and assess risks"), tuple(parts))


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
                        _("Ref"),
                        _("Measures to reduce or eliminate the risk"),
                        _("Effect on risk"),
                        _("Residual risk"),
                        _("Measure approved"),
                    ),
                    tuple(
                        (r.ref, "\n".join(m for m in r.measures if m), r.effect, rating_label(r.residual), yours())
                        for r in found_risks
                    ),
                ),
            ),
        )
    ]
    parts += [
        Part(_("Processor's security measures: %(heading)s", heading=group["heading"]), (Bullets(points(group)),))
        for group in known.text.get("measures", [])
    ]
    return Section("measures", _("Step 6: Identify measures to reduce risk"), tuple(parts))


SIGN_OFF = (
    (_l("Measures approved by"), _l("Put the actions into your plan, with dates and who is responsible.")),
    (_l("Residual risks approved by"), _l("If you accept any high residual risk, consult the ICO before going ahead.")),
    (
        _l("DPO advice provided"),
        _l("Your DPO should advise on compliance, the step 6 measures and whether to go ahead."),
    ),
    (_l("Summary of DPO advice"), ""),
    (_l("DPO advice accepted or overruled by"), _l("If overruled, record why.")),
    (_l("Consultation responses reviewed by"), _l("If your decision departs from people's views, record why.")),
    (_l("This DPIA will be kept under review by"), _l("The DPO should also review ongoing compliance with the DPIA.")),
)


def sign_off(known: Known) -> Section:
    return Section(
        "sign_off",
        _("Step 7: Sign off and record outcomes"),
        (
            Part(
                "",
                (
                    Table(
                        "sign_off",
                        (_("Item"), _("Name, date and notes"), _("Guidance")),
                        tuple((str(item), yours(), str(guidance)) for item, guidance in SIGN_OFF),
                    ),
                    Paragraph(
                        _(
                            "Review this DPIA whenever the sub-processors used for your school change. The portal's "
                            "DPIA page says when that happens and what changed since this pack was downloaded."
                        )
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
                _(
                    "The entry for your school's record of processing activities. The same fields come as CSV and "
                    "JSON from the portal's DPIA page."
                )
            ),
            Table("record", (_("Article"), _("Field"), _("Entry")), rows),
        ),
    )
