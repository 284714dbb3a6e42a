"""The register's controlled vocabularies: data subjects, data categories, countries, transfer
mechanisms, what a supplier does, and how an AI service is used.

Every document (annex II, the DPIA, the records of processing, the public notes, the notice
trigger) derives from these values, never from prose. Labels are marked for translation and
resolved when read (`lazy_gettext`), so pages in another language get their own words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Sensitivity(enum.StrEnum):
    """Whether a data category is ordinary, special category (Art. 9) or criminal offence data (Art. 10)."""

    ORDINARY = "ordinary"
    SPECIAL = "special_category"
    CRIMINAL = "criminal_offence"


class DataSubject(enum.StrEnum):
    PUPILS = "pupils"
    STAFF = "staff"
    PARENTS = "parents_carers"
    GOVERNORS = "governors"
    OTHERS = "others"

    @property
    def label(self) -> str:
        return str(SUBJECT_LABELS[self])


SUBJECT_LABELS = {
    DataSubject.PUPILS: _l("Pupils"),
    DataSubject.STAFF: _l("Staff"),
    DataSubject.PARENTS: _l("Parents and carers"),
    DataSubject.GOVERNORS: _l("Governors and trustees"),
    DataSubject.OTHERS: _l("Others"),
}


@dataclass(frozen=True)
class Category:
    """One data category of the vocabulary, and whether the law treats it as sensitive."""

    key: str
    label: object  # a lazy string
    sensitivity: Sensitivity = Sensitivity.ORDINARY

    @property
    def name(self) -> str:
        return str(self.label)

    @property
    def special(self) -> bool:
        return self.sensitivity is Sensitivity.SPECIAL

    @property
    def criminal(self) -> bool:
        return self.sensitivity is Sensitivity.CRIMINAL


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("contact_details", _l("names and contact details")),
        Category("account_identifiers", _l("account identifiers and sign-in records")),
        Category("pseudonymous_identifier", _l("pseudonymous pupil identifiers")),
        Category("class_membership", _l("class and group membership")),
        Category("pupil_work", _l("pupils' work and assignments")),
        Category("teaching_materials", _l("lesson plans and teaching materials")),
        Category("chat_prompts", _l("AI chat messages and prompts")),
        Category("ai_outputs", _l("AI-generated responses")),
        Category("learning_profile", _l("learning profiles and progress")),
        Category("voice_recordings", _l("voice recordings")),
        Category("images", _l("images and video")),
        Category("usage_logs", _l("usage data and logs")),
        Category("message_content", _l("email content")),
        Category("billing_details", _l("billing and payment details")),
        Category("safeguarding_flags", _l("safeguarding flags and concerns")),
        # Art. 9: data concerning health, which includes SEND and accessibility needs.
        Category("accessibility_send", _l("accessibility and SEND needs"), Sensitivity.SPECIAL),
        Category("health", _l("health information"), Sensitivity.SPECIAL),
        # Art. 9 only where biometric data is processed to identify someone.
        Category("biometric_identification", _l("biometric data used to identify a person"), Sensitivity.SPECIAL),
        Category("criminal_offences", _l("criminal allegations and offences"), Sensitivity.CRIMINAL),
    )
}


class Activity(enum.StrEnum):
    """What a supplier does with the data: the "nature of the processing" of annex II."""

    HOSTING = "hosting"
    AI_INFERENCE = "ai_inference"
    SPEECH = "speech"
    MODERATION = "moderation"
    EMAIL = "email"
    PAYMENTS = "payments"
    SUPPORT = "support"

    @property
    def label(self) -> str:
        return str(ACTIVITY_LABELS[self])


ACTIVITY_LABELS = {
    Activity.HOSTING: _l("hosting and storage of the service and its data"),
    Activity.AI_INFERENCE: _l("AI inference: generating responses to prompts"),
    Activity.SPEECH: _l("speech recognition: turning voice into text"),
    Activity.MODERATION: _l("automated moderation for safeguarding"),
    Activity.EMAIL: _l("sending transactional email"),
    Activity.PAYMENTS: _l("billing and payment processing"),
    Activity.SUPPORT: _l("administrative access for infrastructure management and support"),
}


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    label: object
    # Covered by UK adequacy regulations (the UK's "data bridges"; Art. 45A UK GDPR since the
    # Data (Use and Access) Act 2025). The US is covered only for certified organisations.
    adequate: bool = False

    @property
    def name(self) -> str:
        return str(self.label)


COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("GB", _l("United Kingdom"), True),
        Country("IE", _l("Ireland"), True),
        Country("DE", _l("Germany"), True),
        Country("FR", _l("France"), True),
        Country("NL", _l("Netherlands"), True),
        Country("BE", _l("Belgium"), True),
        Country("SE", _l("Sweden"), True),
        Country("FI", _l("Finland"), True),
        Country("DK", _l("Denmark"), True),
        Country("ES", _l("Spain"), True),
        Country("IT", _l("Italy"), True),
        Country("PL", _l("Poland"), True),
        Country("CH", _l("Switzerland"), True),
        Country("CA", _l("Canada"), True),
        Country("JP", _l("Japan"), True),
        Country("KR", _l("South Korea"), True),
        Country("NZ", _l("New Zealand"), True),
        Country("US", _l("United States")),
        Country("IN", _l("India")),
        Country("AU", _l("Australia")),
    )
}
UK = "GB"


class TransferMechanism(enum.StrEnum):
    """The safeguard for a restricted transfer (processing or access outside the UK)."""

    NONE = "none"
    ADEQUACY = "uk_adequacy"
    DPF = "uk_dpf_extension"
    IDTA = "idta"
    ADDENDUM = "addendum"

    @property
    def label(self) -> str:
        return str(MECHANISM_LABELS[self])


MECHANISM_LABELS = {
    TransferMechanism.NONE: _l("No restricted transfer"),
    TransferMechanism.ADEQUACY: _l(
        "UK adequacy regulations (transfers approved by regulations under Article 45A UK GDPR, "
        "as amended by the Data (Use and Access) Act 2025)"
    ),
    TransferMechanism.DPF: _l("UK Extension to the EU-US Data Privacy Framework (the supplier is certified)"),
    TransferMechanism.IDTA: _l("International Data Transfer Agreement (IDTA)"),
    TransferMechanism.ADDENDUM: _l("International Data Transfer Addendum to the EU standard contractual clauses"),
}


class AIUse(enum.StrEnum):
    """When an AI service is used, from the widest to the narrowest."""

    PRIMARY = "primary"
    FALLBACK = "fallback"
    OPTION = "option"

    @property
    def label(self) -> str:
        return str(USE_LABELS[self])

    @property
    def breadth(self) -> int:
        """Larger is used more: moving to a larger breadth loosens the condition."""
        return {"option": 0, "fallback": 1, "primary": 2}[self.value]


USE_LABELS = {
    AIUse.PRIMARY: _l("Primary: used for every request"),
    AIUse.FALLBACK: _l("Fallback: used only when the primary service is unavailable"),
    AIUse.OPTION: _l("Only where a school has switched the option on"),
}


@dataclass(frozen=True)
class JurisdictionNote:
    """A note every entry whose parent is headquartered in a country links to, shown once per page."""

    anchor: str
    heading: object
    text: object


# Countries whose law reaches a supplier's data wherever it is stored, by headquarters country.
JURISDICTION_NOTES: dict[str, JurisdictionNote] = {
    "US": JurisdictionNote(
        anchor="us-law",
        heading=_l("US law and your data"),
        text=_l(
            "Some of our suppliers belong to groups headquartered in the United States. Under the US "
            "CLOUD Act (the Clarifying Lawful Overseas Use of Data Act 2018), a US court or authority can "
            "order a US company to hand over data it controls, even when that data is stored in the United "
            "Kingdom. Keeping the data in a UK region therefore limits, but does not remove, the chance that "
            "US authorities obtain it. The supplier can challenge such an order, and we ask each supplier to "
            "tell us of any request it may lawfully disclose. We list every supplier this applies to, so "
            "that your school can weigh this risk in its data protection impact assessment; where a supplier "
            "is governed by an option, your school can switch it off."
        ),
    ),
}


def subject_choices() -> list[tuple[str, str]]:
    return [(s.value, s.label) for s in DataSubject]


def category_choices() -> list[tuple[str, str]]:
    return [(c.key, _category_text(c)) for c in CATEGORIES.values()]


def _category_text(category: Category) -> str:
    name = category.name[0].upper() + category.name[1:]
    if category.special:
        return f"{name} ({_l('special category data')})"
    if category.criminal:
        return f"{name} ({_l('criminal offence data')})"
    return name


def country_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in COUNTRIES.values()]


def country_name(code: str | None) -> str:
    found = COUNTRIES.get(code or "")
    return found.name if found else (code or "")
