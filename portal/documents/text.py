"""The data processing agreement, in plain English, written for UK GDPR Art. 28 and the DPA 2018.

Placeholders in braces are filled from configuration when a version is published, so a
published version's text (and its SHA-256) never changes afterwards. Each clause says which
provisions it relies on, and on what point (`cites`): `clause_map.py` holds what each of those
provisions is about, and a test refuses a citation that does not say what the clause relies on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    """One numbered clause: its heading, its paragraphs, and (provision, point relied on) pairs."""

    key: str
    heading: str
    paragraphs: tuple[str, ...]
    cites: tuple[tuple[str, str], ...] = ()

    @property
    def meets(self) -> tuple[str, ...]:
        """The provisions cited, in order, without repeats (printed under the clause)."""
        return tuple(dict.fromkeys(provision for provision, _ in self.cites))


TITLE = "Data processing agreement"

INTRODUCTION = (
    "This agreement is between the controller named in annex I (\u201cyou\u201d) and {vendor_legal_entity} "
    "(the processor, \u201cwe\u201d). It sets out how we process personal data for you when you use "
    "{vendor_name}, as Article 28 of the UK General Data Protection Regulation (UK GDPR) and the Data "
    "Protection Act 2018 require. Where this agreement and any other terms between us disagree about "
    "personal data, this agreement wins."
)

CLAUSES: tuple[Clause, ...] = (
    Clause(
        "interpretation",
        "What the words mean",
        (
            "Words such as personal data, processing, controller, processor, sub-processor, personal data "
            "breach, special category data and data subject have the meaning they have in the UK GDPR and the "
            "Data Protection Act 2018. \u201cData protection law\u201d means both of those, with the regulations "
            "made under them, as in force from time to time.",
            "The annexes are part of this agreement. Annex I names the parties, annex II describes the "
            "processing, annex III sets out our security measures and annex IV lists the sub-processors that "
            "applied to you when this agreement was signed, with the changes already announced.",
            "A reference to days means calendar days. A notice period of a number of clear days does not count "
            "the day the notice is published or the day the change takes effect.",
        ),
        (("4", "definitions"),),
    ),
    Clause(
        "controller",
        "Your obligations and rights",
        (
            "You decide why and how personal data is processed in the service. You are responsible for having "
            "a lawful basis for the processing, and a condition for any special category data, and for telling "
            "pupils, parents, carers and staff about it in your privacy information.",
            "Your instructions to us must comply with data protection law. The people who may instruct us for "
            "you are your data leads and trust administrators in our portal, and anyone you name to us in "
            "writing.",
            "You may at any time give us further documented instructions, switch optional services on or off, "
            "object to a new or replacement sub-processor under clause 9, ask for information and carry out "
            "audits under clause 16, suspend our processing or end this agreement under clause 17, and export "
            "your data under clause 18.",
        ),
        (
            ("28(3)", "controller obligations and rights"),
            ("24", "controller responsibility"),
            ("6", "lawful basis"),
            ("9", "special category conditions"),
            ("13-14", "transparency"),
        ),
    ),
    Clause(
        "instructions",
        "We act only on your documented instructions",
        (
            "We process personal data only on your documented instructions, including for any transfer outside "
            "the United Kingdom. This agreement, the settings you choose in the portal and any written "
            "instruction from a person named in clause 2.2 are those instructions.",
            "If UK law requires us to process personal data in another way, we will tell you before we do, "
            "unless that law forbids telling you on important grounds of public interest.",
            "We will tell you straight away if we think an instruction breaks data protection law, and we may "
            "wait to follow it until you confirm or change it.",
        ),
        (
            ("28(3)(a)", "documented instructions"),
            ("28(3) second subparagraph", "infringing instruction"),
            ("29", "processing under authority"),
        ),
    ),
    Clause(
        "purpose",
        "We use the data only for the service, and never to train models",
        (
            "We use personal data only to provide, secure and support the service described in annex II, for "
            "you. We do not sell it, share it for advertising, or use it to profile anyone.",
            "Neither we nor any sub-processor will use your personal data, or content derived from it, to "
            "train, fine-tune, evaluate or otherwise improve any model, algorithm or product, ours or anyone "
            "else's, unless you instruct us to in writing. We require the same of each sub-processor in its "
            "contract.",
            "If we or a sub-processor used your data for our own purposes, we would become a controller of it "
            "and be responsible as one; this clause forbids that.",
        ),
        (
            ("28(3)(a)", "documented instructions"),
            ("5(1)(b)", "purpose limitation"),
            ("28(10)", "processor becomes controller"),
        ),
    ),
    Clause(
        "duration",
        "How long this agreement lasts",
        (
            "This agreement starts when it is signed and lasts as long as we process personal data for you, "
            "including the time it takes to export, return and delete the data under clause 18.",
        ),
        (("28(3)", "duration of processing"),),
    ),
    Clause(
        "confidentiality",
        "Our people keep the data confidential",
        (
            "Everyone we allow to process personal data is bound by a duty of confidentiality, in their contract "
            "or by law, is trained in data protection, and sees only what their role needs.",
        ),
        (("28(3)(b)", "confidentiality"),),
    ),
    Clause(
        "security",
        "We keep the data secure",
        (
            "We take the technical and organisational measures set out in annex III, which are appropriate to "
            "the risk as Article 32 of the UK GDPR requires. We review them at least once a year and will not "
            "make them weaker during this agreement.",
        ),
        (("28(3)(c)", "security"), ("32", "security")),
    ),
    Clause(
        "sensitive",
        "Special category and criminal offence data",
        (
            "Where the processing includes special category data (such as health information, including "
            "special educational needs and disabilities) or criminal offence data, we apply the extra "
            "safeguards in annex III, such as tighter access and logging of every access. Annex II says "
            "whether the processing includes such data.",
        ),
        (("9", "special category data"), ("10", "criminal offence data"), ("32", "security")),
    ),
    Clause(
        "subprocessors",
        "Sub-processors",
        (
            "You give us general written authorisation to use the sub-processors listed in annex IV, which "
            "shows those that applied to you when you signed and the changes already announced.",
            "We will tell you of any intended addition or replacement of a sub-processor, or a material change "
            "to one (new categories of data, a new country or transfer, a new use of your data), by email to "
            "your contact for notices and in the portal, at least {notice_period_days} clear days before it "
            "takes effect: a change published on one day takes effect no earlier than the day after the "
            "{notice_period_days} days that follow it.",
            "You may object on reasonable data protection grounds, in writing, in the portal, by email or by "
            "letter, until the end of the day (UK time) before the change takes effect. While your objection is "
            "open the change does not apply to your data, even after its date. If we accommodate your "
            "objection, the change never applies to you. If we cannot, we tell you why and you may choose "
            "between accepting the change and ending the affected service under clause 17, without penalty; "
            "the change applies to you only once you choose, or when the {exit_response_days} days we give you "
            "to choose run out without an answer.",
            "We engage each sub-processor under a written contract that imposes on it the same data protection "
            "duties as this agreement, in particular sufficient guarantees of appropriate security. On request "
            "we give you a copy of those terms, or a summary of them where commercial terms must be removed.",
            "We tell you without undue delay if a sub-processor fails to meet its data protection duties in a "
            "way that affects your data. We remain fully liable to you for the performance of each "
            "sub-processor's duties, as if they were our own.",
        ),
        (
            ("28(2)", "sub-processor authorisation"),
            ("28(3)(d)", "sub-processor conditions"),
            ("28(4)", "sub-processor flow-down and liability"),
        ),
    ),
    Clause(
        "transfers",
        "Transfers outside the United Kingdom",
        (
            "We keep personal data in the United Kingdom unless annex IV says otherwise. Annex IV names, for "
            "each sub-processor, where it processes data and how any transfer is protected.",
            "We transfer personal data outside the UK only where data protection law allows: to a country or "
            "organisation approved by regulations under Article 45A of the UK GDPR (called adequacy regulations "
            "before the Data (Use and Access) Act 2025), including the UK Extension to the EU-US Data Privacy "
            "Framework for a certified recipient; or with appropriate safeguards under Article 46, such as the "
            "International Data Transfer Agreement (IDTA) or the International Data Transfer Addendum to the "
            "EU standard contractual clauses; in each case after we have checked that the protection is not "
            "materially lower than in the UK.",
        ),
        (
            ("28(3)(a)", "documented instructions"),
            ("Chapter V", "international transfers"),
            ("45A", "transfers approved by regulations"),
            ("46", "appropriate safeguards"),
        ),
    ),
    Clause(
        "government",
        "Requests from public authorities",
        (
            "If a court, regulator or other public authority, in the UK or elsewhere, asks us or a "
            "sub-processor for your personal data, we tell you promptly unless the law forbids it, disclose "
            "only what we are legally required to, and challenge a request we consider unlawful or too broad "
            "where we have grounds to. Where we may not tell you, we seek permission to do so.",
            "Once a year, and on request, we tell you how many such requests concerned your data, as far as "
            "the law allows.",
        ),
        (("28(3)(a)", "legal requirement to process"), ("Chapter V", "international transfers")),
    ),
    Clause(
        "rights",
        "Helping you with people's rights",
        (
            "We help you, by appropriate technical and organisational measures, to answer requests from pupils, "
            "parents, carers and staff to exercise their rights (access, rectification, erasure, restriction, "
            "portability, objection, and rights about automated decisions). If someone asks us directly, we "
            "pass the request to you within five working days and do not answer it ourselves unless you ask us "
            "to.",
        ),
        (("28(3)(e)", "data subject rights"), ("Chapter III", "data subject rights")),
    ),
    Clause(
        "complaints",
        "Helping you with complaints",
        (
            "If someone complains to us about the processing of their personal data for you, we pass the "
            "complaint to you within five working days. We give you the information and help you need to "
            "acknowledge, investigate and answer complaints under section 164A of the Data Protection Act 2018 "
            "within the times it sets.",
        ),
        (("DPA 2018 s.164A", "complaints to controllers"), ("28(3)(e)", "data subject rights")),
    ),
    Clause(
        "assistance",
        "Helping you meet your other duties",
        (
            "Taking into account the nature of the processing and what we know about it, we help you with "
            "security (Article 32), notifying breaches to the Information Commissioner and to the people "
            "affected (Articles 33 and 34), data protection impact assessments (Article 35) and prior "
            "consultation with the Information Commissioner (Article 36). The portal gives you a draft impact "
            "assessment built from the facts of your own processing.",
        ),
        (
            ("28(3)(f)", "assistance with Articles 32 to 36"),
            ("32", "security"),
            ("33", "breach notification"),
            ("34", "breach communication"),
            ("35", "impact assessment"),
            ("36", "prior consultation"),
        ),
    ),
    Clause(
        "breach",
        "Telling you about a personal data breach",
        (
            "We tell your contact for notices without undue delay, and in any event within 72 hours of "
            "becoming aware, of any personal data breach affecting your data, including one at a "
            "sub-processor.",
            "We give you what Article 33(3) requires as far as we know it then: the nature of the breach, the "
            "categories and approximate numbers of people and records concerned, the name and contact details "
            "of our data protection officer, the likely consequences, and the measures taken or proposed, "
            "including to reduce its effects. Where we do not yet know something, we say so and send updates "
            "as we learn more, without further undue delay.",
            "We do not make any statement about a breach of your data to the Information Commissioner, to "
            "parents, pupils or staff, or to the press, without consulting you first, unless the law requires "
            "us to.",
            "Our data protection officer, {vendor_dpo_name} ({vendor_dpo_email}), is your contact for a breach.",
        ),
        (
            ("33(2)", "processor breach notice"),
            ("33(3)", "breach notice contents"),
            ("33(4)", "information in phases"),
            ("28(3)(f)", "assistance with Articles 32 to 36"),
        ),
    ),
    Clause(
        "audits",
        "Information and audits",
        (
            "We keep records of the processing we carry out for you and make available all the information "
            "you need to show that we meet Article 28, including our security overview (published at "
            "{security_overview_url}), our sub-processor "
            "register and the records of your settings.",
            "We allow and contribute to audits and inspections by you or an auditor you appoint, on reasonable "
            "notice and under confidentiality, and we answer your written questions about this agreement "
            "within 30 days.",
        ),
        (("28(3)(h)", "information and audits"), ("30(2)", "processor records")),
    ),
    Clause(
        "noncompliance",
        "Suspension and ending the agreement",
        (
            "If we cannot follow this agreement, for whatever reason, we tell you promptly. You may then "
            "suspend our processing of your data until we comply again or the agreement ends.",
            "You may end this agreement, or the affected part of the service, by written notice if we have "
            "been suspended and do not comply within a month; if we materially or repeatedly break this "
            "agreement or data protection law; or if we fail to comply with a binding decision of a competent "
            "court or of the Information Commissioner about our duties under this agreement or data "
            "protection law.",
            "We may end the agreement if you insist on an instruction that breaks data protection law after we "
            "have told you so under clause 3.3.",
        ),
        (
            ("28(3)(a)", "documented instructions"),
            ("28(3)(h)", "information and audits"),
            ("58(2)", "Commissioner corrective powers"),
        ),
    ),
    Clause(
        "end",
        "Export, return and deletion at the end",
        (
            "At any time, and when the service ends, you may ask for an export of your data in a common, "
            "machine-readable format (CSV and JSON, with files in their original formats). We provide it "
            "within {export_days} days, free of charge.",
            "When the service ends, at your choice we delete the personal data or return it to you and then "
            "delete it, in our systems and at every sub-processor, within {deletion_days} days of your choice "
            "(or of the end, if you make none), unless UK law requires us to keep it; backups are overwritten "
            "within the retention period in annex III. We then confirm the deletion to you in writing.",
        ),
        (("28(3)(g)", "deletion or return"), ("20", "data portability")),
    ),
    Clause(
        "law",
        "Law, changes and the order of documents",
        (
            "This agreement is governed by the law of England and Wales, and the courts of England and Wales "
            "decide disputes about it, without limiting any right you have to complain to the Information "
            "Commissioner.",
            "We may publish a new version of this agreement; it applies to you only once you sign it, and the "
            "version you signed stays in force until then. This agreement is in writing, including in "
            "electronic form, and each signed copy is sealed so that any later change to it shows.",
            "This agreement is published in Welsh and in English, and the Welsh text and the English text have "
            "equal standing. You sign it in the language you choose, and the signed copy states which language "
            "version was accepted.",
        ),
        (("28(9)", "written form"),),
    ),
)

# The acceptance record's line on the language accepted (clause "law" states the equal standing, #29).
LANGUAGE = {
    "name": "English",
    "label": "Language version accepted",
    "accepted": "English. The Welsh text and the English text have equal standing, as clause {law_clause} states.",
}

# Annex II: the description of processing (Art. 28(3) first paragraph), until `describe_processing`
# (the register's facts) replaces these rows through `processing.annex_ii` (the one seam).
PROCESSING: tuple[tuple[str, str], ...] = (
    (
        "Subject matter",
        "Providing {vendor_name}, teaching and planning software, to the controller's school or schools.",
    ),
    ("Duration", "For as long as the controller uses the service, then until deletion or return under clause 18."),
    (
        "Nature of the processing",
        "Collection, storage, organisation, retrieval, use, transmission to the sub-processors in annex IV, "
        "and erasure.",
    ),
    (
        "Purpose",
        "To let staff plan lessons and produce teaching materials, manage their accounts, secure the service and "
        "give the support the controller asks for.",
    ),
    (
        "Categories of personal data",
        "Staff names, work email addresses and account identifiers; the content staff enter, which may "
        "mention pupils; sign-in and usage records.",
    ),
    (
        "Data subjects",
        "Staff of the controller's schools, and pupils only as far as staff mention them in content.",
    ),
)
