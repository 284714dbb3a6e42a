"""The risks one supplier brings, derived from its facts in the register.

Each derivation reads a controlled fact, never prose: a parent headquartered in the United States
gives a government-access risk naming that supplier; processing or access outside the UK gives a
transfer risk with the supplier's transfer mechanism; speech recognition gives a pupil-voice risk;
automated moderation gives a monitoring risk and one about decisions taken without a person (UK
GDPR Arts 22A-22D); administrative access to production gives a contractor-access risk; an AI
service that trains on customer data gives a training risk. The measures are facts too: where the
supplier holds the data, what it keeps, its transfer safeguard, the agreement's clauses, and what
the school's own option changes.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.dates import govuk_date
from portal.dpia.content import Risk
from portal.dpia.dpa_text import clause_ref, measure_items
from portal.dpia.rating import (
    Derivation,
    data_named,
    in_countries,
    kept,
    lower,
    places,
    risk,
    setting_for,
    severity_of,
)
from portal.register.models import EntryStatus, RegisterEntry
from portal.register.vocabulary import Activity, DataSubject, TransferMechanism


def supplier_risks(entry: RegisterEntry, known: Derivation) -> list[Risk]:
    """Every risk this supplier's facts give, in a fixed order."""
    found: list[Risk] = []
    for derive in (_government_access, _transfer, _voice, _moderation, _automated_decisions, _admin, _training):
        made = derive(entry, known)
        if made is not None:
            found.append(made)
    return found


def _common(entry: RegisterEntry, known: Derivation) -> tuple[list[str], str]:
    """The option's measure and effect, when an option governs the supplier."""
    setting = setting_for(entry, known.states)
    if setting is None:
        return [], str(_("Reduced"))
    return [setting.measure(entry.supplier)], setting.effect()


def _government_access(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if facts.parent_country != "US":
        return None
    option, effect = _common(entry, known)
    parent = entry.parent_entity.strip()
    if parent and parent != entry.supplier:
        owned = _(
            "%(supplier)s belongs to %(parent)s, a group headquartered in the United States.",
            supplier=entry.supplier,
            parent=parent,
        )
    else:
        owned = _("%(supplier)s is headquartered in the United States.", supplier=entry.supplier)
    description = (
        owned
        + " "
        + _(
            "US law can make a US "
            "company hand over data it controls wherever the data is stored: under the CLOUD Act (2018) a US court "
            "can order disclosure for a criminal investigation, and under section 702 of the Foreign Intelligence "
            "Surveillance Act US intelligence agencies can require a provider of communication services to disclose "
            "communications of people outside the United States. Your school would not usually be told. Here this "
            "concerns %(data)s.",
            data=data_named(facts),
        )
    )
    measures = [
        *option,
        _where(entry),
        _what_it_keeps(entry),
        _pseudonymous(entry),
        _fallback(entry),
        _dpf(entry),
        _(
            "If a public authority asks for your data, %(vendor)s tells you unless the law forbids it and "
            "challenges a request it considers unlawful or too broad: %(clause)s.",
            vendor=known.vendor,
            clause=clause_ref(known.text, "government"),
        ),
    ]
    title = _("US authorities could obtain the data %(supplier)s holds", supplier=entry.supplier)
    return risk(
        "government_access", title, description, [entry], ("Remote", severity_of(facts)), measures, effect=effect
    )


def _transfer(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if not facts.outside_uk:
        return None
    option, effect = _common(entry, known)
    countries = in_countries(facts.outside_uk)
    mechanism = facts.transfer
    likelihood = {
        TransferMechanism.ADEQUACY: "Remote",
        TransferMechanism.DPF: "Remote",
        TransferMechanism.IDTA: "Possible",
        TransferMechanism.ADDENDUM: "Possible",
    }.get(mechanism, "Probable")
    description = _(
        "%(supplier)s processes or accesses the data in %(countries)s. There it is protected by the transfer "
        "safeguard below rather than by UK law directly, and people may find their rights harder to enforce. "
        "Here this concerns %(data)s.",
        supplier=entry.supplier,
        countries=countries,
        data=data_named(facts),
    )
    measures = [
        *option,
        _("Transfer mechanism: %(mechanism)s.", mechanism=mechanism.label)
        if mechanism is not TransferMechanism.NONE
        else _("The register names no transfer mechanism for %(supplier)s: ask for one.", supplier=entry.supplier),
        _dpf(entry),
        _where(entry),
        _(
            "Transfers only where data protection law allows, after a check that protection is not materially "
            "lower than in the UK: %(clause)s.",
            clause=clause_ref(known.text, "transfers"),
        ),
    ]
    title = _(
        "Personal data processed or accessed in %(countries)s by %(supplier)s",
        countries=countries,
        supplier=entry.supplier,
    )
    # A transfer under a safeguard harms no one by itself: rated a step below exposure of the data.
    rated = (likelihood, lower(severity_of(facts)))
    return risk("transfer", title, description, [entry], rated, measures, effect=effect)


def _voice(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if Activity.SPEECH not in facts.activities and "voice_recordings" not in facts.categories:
        return None
    option, effect = _common(entry, known)
    identifies = "biometric_identification" in facts.categories
    description = _(
        "Pupils' spoken answers are recorded and sent to %(supplier)s to be turned into text. A recording can "
        "carry more than the answer: a child's voice, accent or distress, and other voices in the room. A child "
        "may not understand that what they say is recorded.",
        supplier=entry.supplier,
    )
    measures = [
        *option,
        _what_it_keeps(entry),
        _where(entry),
        ""
        if identifies
        else _(
            "The register lists no biometric identification for %(supplier)s: voices are turned into text, "
            "not used to recognise who is speaking.",
            supplier=entry.supplier,
        ),
        _("Tell pupils and parents, in words pupils understand, when and why their voice is recorded."),
    ]
    title = _("Pupils' voices recorded and processed by %(supplier)s", supplier=entry.supplier)
    rated = ("Possible", "Severe" if identifies else "Significant")
    return risk("voice", title, description, [entry], rated, measures, effect=effect, residual="Low")


def _moderation(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if Activity.MODERATION not in facts.activities:
        return None
    option, effect = _common(entry, known)
    description = _(
        "%(supplier)s checks pupils' messages automatically for safeguarding concerns. A wrong flag can label a "
        "child as a concern; a missed one can give false reassurance; and pupils who know they are monitored may "
        "stop asking for help. Flags about a child are sensitive in themselves.",
        supplier=entry.supplier,
    )
    measures = [
        *option,
        _what_it_keeps(entry),
        _pseudonymous(entry),
        _where(entry),
        _no_training(entry, known),
        _("Tell pupils and parents that messages are checked automatically, and why."),
    ]
    title = _("Pupils' messages monitored automatically by %(supplier)s", supplier=entry.supplier)
    return risk(
        "moderation", title, description, [entry], ("Possible", "Significant"), measures, effect=effect, residual="Low"
    )


def _automated_decisions(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if Activity.MODERATION not in facts.activities or DataSubject.PUPILS not in facts.subjects:
        return None
    option, effect = _common(entry, known)
    description = _(
        "If %(supplier)s blocking a message or flagging a pupil led to something that affects the pupil (a "
        "sanction, a referral, losing access) with no one considering it first, that would be a significant "
        "decision based solely on automated processing. Articles 22A to 22D of the UK GDPR (inserted by the "
        "Data (Use and Access) Act 2025) then require safeguards, and Article 22B restricts such decisions based "
        "on special category data.",
        supplier=entry.supplier,
    )
    measures = [
        *option,
        _(
            "A member of your staff, such as the designated safeguarding lead, reviews every flag before anything "
            "follows from it, so no significant decision is taken by the moderation alone."
        ),
        _(
            "The safeguards Article 22C requires where a decision is solely automated: tell the pupil and parents "
            "about the decision; let them make representations; let them obtain a person's intervention; and let "
            "them contest the decision."
        ),
        _(
            "%(vendor)s helps you answer requests about automated decisions: %(clause)s.",
            vendor=known.vendor,
            clause=clause_ref(known.text, "rights"),
        ),
        _what_it_keeps(entry),
    ]
    title = _("Decisions about pupils taken on automated moderation by %(supplier)s alone", supplier=entry.supplier)
    return risk(
        "automated_decisions",
        title,
        description,
        [entry],
        ("Possible", "Significant"),
        measures,
        effect=effect,
        residual="Low",
    )


def _admin(entry: RegisterEntry, known: Derivation) -> Risk | None:
    facts = entry.facts
    if Activity.SUPPORT not in facts.activities:
        return None
    option, effect = _common(entry, known)
    description = _(
        "%(supplier)s has administrative access to the production systems that hold %(data)s. Its staff could "
        "see or change the data, and a compromised account of theirs would reach all of it.",
        supplier=entry.supplier,
        data=data_named(facts),
    )
    temporary = entry.status is EntryStatus.ACTIVE_TEMPORARY
    measures = [
        *option,
        _what_it_keeps(entry),
        _("A temporary engagement (%(status)s in the register).", status=entry.status.label) if temporary else "",
        _("Its access ends on %(date)s, when the register removes it.", date=govuk_date(entry.retires_on))
        if entry.retires_on
        else "",
        _("Certified: %(list)s.", list=entry.certifications) if entry.certifications else "",
        _("Where %(supplier)s works: %(places)s.", supplier=entry.supplier, places=places(facts)),
        *measure_items(known.text, "Access control")[2:3],
    ]
    title = _("Administrative access to production by the contractor %(supplier)s", supplier=entry.supplier)
    return risk("admin_access", title, description, [entry], ("Remote", severity_of(facts)), measures, effect=effect)


def _training(entry: RegisterEntry, known: Derivation) -> Risk | None:
    ai = entry.facts.ai
    if ai is None or not ai.trains_on_customer_data:
        return None
    option, effect = _common(entry, known)
    description = _(
        "%(supplier)s may use customer data to train or improve models. For that use it decides why and how the "
        "data is processed, and so becomes a controller of it outside your school's instructions.",
        supplier=entry.supplier,
    )
    measures = [
        *option,
        _("The written instruction the register records for it: %(instruction)s.", instruction=ai.training_instruction)
        if ai.training_instruction
        else "",
        _(
            "No training unless your school instructs it in writing: %(clause)s.",
            clause=clause_ref(known.text, "purpose"),
        ),
    ]
    title = _("%(supplier)s trains models on your school's data", supplier=entry.supplier)
    return risk(
        "training", title, description, [entry], ("Probable", severity_of(entry.facts)), measures, effect=effect
    )


def _where(entry: RegisterEntry) -> str:
    return str(_("Where %(supplier)s holds the data: %(places)s.", supplier=entry.supplier, places=places(entry.facts)))


def _what_it_keeps(entry: RegisterEntry) -> str:
    said = kept(entry.facts)
    return str(_("What %(supplier)s keeps: %(kept)s", supplier=entry.supplier, kept=said)) if said else ""


def _pseudonymous(entry: RegisterEntry) -> str:
    categories = entry.facts.categories
    if "pseudonymous_identifier" in categories and "contact_details" not in categories:
        return str(
            _(
                "%(supplier)s receives a pseudonymous pupil identifier, not names or contact details.",
                supplier=entry.supplier,
            )
        )
    return ""


def _fallback(entry: RegisterEntry) -> str:
    ai = entry.facts.ai
    if ai is None or ai.use.value == "primary":
        return ""
    return str(_("When it is used: %(use)s.", use=ai.use.label))


def _dpf(entry: RegisterEntry) -> str:
    facts = entry.facts
    if facts.transfer is not TransferMechanism.DPF or facts.dpf_checked_on is None:
        return ""
    return str(
        _(
            "%(supplier)s's certification under the UK Extension to the EU-US Data Privacy Framework was checked "
            "on %(date)s; the framework rests on the limits on US intelligence access and the route to redress "
            "set by US Executive Order 14086.",
            supplier=entry.supplier,
            date=govuk_date(facts.dpf_checked_on),
        )
    )


def _no_training(entry: RegisterEntry, known: Derivation) -> str:
    ai = entry.facts.ai
    if ai is None or ai.trains_on_customer_data:
        return ""
    return str(
        _(
            "The register records that %(supplier)s does not train on customer data; %(clause)s forbids it.",
            supplier=entry.supplier,
            clause=clause_ref(known.text, "purpose"),
        )
    )
