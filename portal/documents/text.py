"""The data processing agreement, in plain English: clauses mapped to the law they meet, and annex II.

Placeholders in braces are filled from configuration when a version is published, so a
published version's text (and its SHA-256) never changes afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    """One numbered clause: its heading, its paragraphs, and the duties in law it meets."""

    key: str
    heading: str
    paragraphs: tuple[str, ...]
    meets: tuple[str, ...] = ()


TITLE = "Data processing agreement"

INTRODUCTION = (
    "This agreement is between the school or trust named in annex I (the controller, \u201cyou\u201d) and "
    "{vendor_legal_entity} (the processor, \u201cwe\u201d). It sets out how we process personal data for you when "
    "you use {vendor_name}, as Article 28 of the UK General Data Protection Regulation (UK GDPR) and the Data "
    "Protection Act 2018 require. Where this agreement and any other terms between us disagree about personal "
    "data, this agreement wins."
)

CLAUSES: tuple[Clause, ...] = (
    Clause(
        "instructions",
        "We act only on your documented instructions",
        (
            "We process personal data only on your documented instructions. This agreement, the service settings "
            "you choose in the portal and any written instruction from your data lead are those instructions.",
            "If the law requires us to process personal data in another way, we will tell you first, unless that "
            "law forbids telling you on important grounds of public interest.",
            "We will tell you straight away if we think an instruction breaks UK data protection law.",
        ),
        ("28(3)(a)", "28(3) second subparagraph"),
    ),
    Clause(
        "purpose",
        "We use the data only for the service",
        (
            "We use personal data only to provide, secure and support the service described in annex II. We do "
            "not sell it, use it for advertising, or use it to train models for anyone other than you.",
        ),
        ("28(3)", "5(1)(b)"),
    ),
    Clause(
        "duration",
        "How long this agreement lasts",
        (
            "This agreement starts when it is signed and lasts as long as we process personal data for you, "
            "including the time it takes to delete or return it under clause 14.",
        ),
        ("28(3)",),
    ),
    Clause(
        "confidentiality",
        "Our people keep the data confidential",
        (
            "Everyone we allow to process personal data is bound by a duty of confidentiality, in their contract "
            "or by law, and sees only what their role needs.",
        ),
        ("28(3)(b)",),
    ),
    Clause(
        "security",
        "We keep the data secure",
        (
            "We take the technical and organisational measures set out in annex III, which meet Article 32 of "
            "the UK GDPR. We review them at least once a year and will not make them weaker during this "
            "agreement.",
        ),
        ("28(3)(c)", "32"),
    ),
    Clause(
        "sensitive",
        "Special category data",
        (
            "If you ask us to process special category data or criminal offence data, we apply the extra "
            "safeguards in annex III, such as tighter access and logging of every access.",
        ),
        ("9", "10"),
    ),
    Clause(
        "subprocessors",
        "Sub-processors",
        (
            "You give us general written authorisation to use the sub-processors listed in annex IV, which is "
            "the list that applied to you when you signed.",
            "We will tell you at least {notice_period_days} clear days before we add or replace a sub-processor "
            "or change one materially (new data, a new country or transfer, a new use), by email and in the "
            "portal. You may object on reasonable data protection grounds within that period. "
            "If we cannot resolve your objection, you may switch off the affected optional service or end the "
            "affected part of the service without penalty.",
            "We put a written contract in place with each sub-processor that gives the same data protection "
            "duties as this agreement. We remain fully responsible to you for the work of our sub-processors.",
        ),
        ("28(2)", "28(3)(d)", "28(4)"),
    ),
    Clause(
        "transfers",
        "International transfers",
        (
            "We keep personal data in the United Kingdom unless annex IV says otherwise. We transfer personal "
            "data outside the UK only under UK adequacy regulations or with appropriate safeguards under "
            "Chapter V of the UK GDPR, such as the International Data Transfer Addendum, after a transfer risk "
            "assessment.",
        ),
        ("44-49",),
    ),
    Clause(
        "rights",
        "Helping you with people's rights",
        (
            "We help you answer requests from pupils, parents and staff to exercise their rights (access, "
            "correction, erasure, restriction, portability and objection). If someone asks us directly, we pass "
            "the request to you within five working days and do not answer it ourselves unless you ask us to.",
        ),
        ("28(3)(e)",),
    ),
    Clause(
        "assistance",
        "Helping you meet your other duties",
        (
            "Taking into account what we know about the processing, we help you with security (Article 32), "
            "breach notification (Articles 33 and 34), data protection impact assessments (Article 35) and "
            "prior consultation with the Information Commissioner (Article 36).",
        ),
        ("28(3)(f)", "32-36"),
    ),
    Clause(
        "breach",
        "Telling you about a personal data breach",
        (
            "We tell you without undue delay, and in any event within 72 hours of becoming aware, of any "
            "personal data breach affecting your data. We give you what Article 33(3) requires as far as we "
            "know it then: what happened, the kinds and rough numbers of people and records involved, the "
            "likely consequences, and what we are doing about it, and we keep you updated.",
            "Our data protection officer, {vendor_dpo_name} ({vendor_dpo_email}), is your contact for a breach.",
        ),
        ("33", "28(3)(f)"),
    ),
    Clause(
        "audits",
        "Information and audits",
        (
            "We make available all the information you need to show that we meet Article 28, including our "
            "security overview and the sub-processor register. We allow and contribute to audits and "
            "inspections by you or an auditor you appoint, on reasonable notice and under confidentiality.",
        ),
        ("28(3)(h)",),
    ),
    Clause(
        "noncompliance",
        "If either of us does not comply",
        (
            "If we cannot follow this agreement we will tell you promptly, and you may suspend our processing "
            "until we can. You may end the agreement if we materially or repeatedly break it, or if we cannot "
            "comply with it within a month of being told.",
        ),
        ("28(3)(a)", "28(10)"),
    ),
    Clause(
        "end",
        "Deleting or returning the data at the end",
        (
            "When the service ends, at your choice we delete the personal data or return it to you and then "
            "delete it, unless UK law requires us to keep it. Backups are overwritten within the retention "
            "period in annex III.",
        ),
        ("28(3)(g)",),
    ),
    Clause(
        "exit",
        "Exit and data export",
        (
            "At any time, and at the end of the service, you may ask for an export of your data in a common, "
            "machine-readable format. We provide it within {exit_response_days} days, free of charge, and "
            "confirm deletion in writing once you have it.",
        ),
        ("28(3)(g)", "20"),
    ),
    Clause(
        "law",
        "Law and changes to this agreement",
        (
            "This agreement is governed by the law of England and Wales. We may publish a new version of this "
            "agreement; it applies to you only once you sign it, and the version you signed stays in force "
            "until then.",
        ),
    ),
)

# Annex II: the description of processing (Art. 28(3) first paragraph).
PROCESSING: tuple[tuple[str, str], ...] = (
    (
        "Subject matter",
        "Providing {vendor_name}, teaching and planning software, to the controller's school or schools.",
    ),
    ("Duration", "For as long as the controller uses the service, then until deletion or return under clause 14."),
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
        "mention pupils; sign-in and usage records. No special category data is required to use the service.",
    ),
    (
        "Data subjects",
        "Staff of the controller's schools, and pupils only as far as staff mention them in content.",
    ),
)

# Each duty of Art. 28(2)-(4) and Art. 33 and the clause keys that meet it: tests hold the text to this.
DUTIES: dict[str, str] = {
    "28(2)": "prior written authorisation of sub-processors, told of changes, right to object",
    "28(3)(a)": "process only on documented instructions",
    "28(3)(b)": "people authorised are bound by confidentiality",
    "28(3)(c)": "Article 32 security",
    "28(3)(d)": "conditions for engaging sub-processors",
    "28(3)(e)": "help with data-subject rights",
    "28(3)(f)": "help with Articles 32 to 36",
    "28(3)(g)": "delete or return at the end",
    "28(3)(h)": "information and audits",
    "28(4)": "same duties flowed down to sub-processors, processor liable",
    "33": "breach notified without undue delay, within 72 hours",
}
