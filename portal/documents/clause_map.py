"""The clause map: each requirement of the law (and of the EU's Art. 28(7) clauses as a checklist) -> clause.

`PROVISIONS` says what each provision the text cites is about, as a small set of topics; a clause
cites (provision, topic) pairs, and a citation whose provision is not about that topic is wrong
(Art. 28(10) is about a processor becoming a controller, not about suspension). `REQUIREMENTS`
names, for each requirement, the clause that meets it and the provision that clause must cite.
"""

from __future__ import annotations

from dataclasses import dataclass

# What each cited provision is about (UK GDPR unless it says otherwise).
PROVISIONS: dict[str, tuple[str, frozenset[str]]] = {
    "4": ("Article 4: definitions", frozenset({"definitions"})),
    "5(1)(b)": ("Article 5(1)(b): purpose limitation", frozenset({"purpose limitation"})),
    "6": ("Article 6: lawfulness of processing", frozenset({"lawful basis"})),
    "9": (
        "Article 9: special categories of personal data",
        frozenset({"special category data", "special category conditions"}),
    ),
    "10": ("Article 10: criminal convictions and offences data", frozenset({"criminal offence data"})),
    "13-14": ("Articles 13 and 14: information to be provided to data subjects", frozenset({"transparency"})),
    "20": ("Article 20: right to data portability", frozenset({"data portability"})),
    "24": ("Article 24: responsibility of the controller", frozenset({"controller responsibility"})),
    "28(2)": (
        "Article 28(2): prior written authorisation of sub-processors; told of changes; right to object",
        frozenset({"sub-processor authorisation"}),
    ),
    "28(3)": (
        "Article 28(3): a binding contract setting out subject matter, duration, nature and purpose, type of "
        "personal data, categories of data subjects and the controller's obligations and rights",
        frozenset({"controller obligations and rights", "duration of processing", "processing particulars"}),
    ),
    "28(3)(a)": (
        "Article 28(3)(a): process only on documented instructions, including transfers, unless required by law "
        "(telling the controller first)",
        frozenset({"documented instructions", "legal requirement to process"}),
    ),
    "28(3)(b)": ("Article 28(3)(b): persons authorised are bound by confidentiality", frozenset({"confidentiality"})),
    "28(3)(c)": ("Article 28(3)(c): all measures required under Article 32", frozenset({"security"})),
    "28(3)(d)": (
        "Article 28(3)(d): conditions in (2) and (4) for engaging another processor",
        frozenset({"sub-processor conditions"}),
    ),
    "28(3)(e)": (
        "Article 28(3)(e): assistance with data subjects' rights (Chapter III)",
        frozenset({"data subject rights"}),
    ),
    "28(3)(f)": (
        "Article 28(3)(f): assistance with Articles 32 to 36",
        frozenset({"assistance with Articles 32 to 36"}),
    ),
    "28(3)(g)": ("Article 28(3)(g): deletion or return at the end of the services", frozenset({"deletion or return"})),
    "28(3)(h)": (
        "Article 28(3)(h): information to demonstrate compliance; allow and contribute to audits",
        frozenset({"information and audits"}),
    ),
    "28(3) second subparagraph": (
        "Article 28(3), after point (h): inform the controller immediately if an instruction infringes the law",
        frozenset({"infringing instruction"}),
    ),
    "28(4)": (
        "Article 28(4): same obligations imposed on sub-processors; the processor remains fully liable",
        frozenset({"sub-processor flow-down and liability"}),
    ),
    "28(9)": ("Article 28(9): the contract in writing, including electronic form", frozenset({"written form"})),
    "28(10)": (
        "Article 28(10): a processor that determines purposes and means is a controller for that processing",
        frozenset({"processor becomes controller"}),
    ),
    "29": ("Article 29: processing under the authority of the controller", frozenset({"processing under authority"})),
    "30(2)": ("Article 30(2): the processor's records of processing", frozenset({"processor records"})),
    "32": ("Article 32: security of processing", frozenset({"security"})),
    "33": (
        "Article 33: notification of a personal data breach to the Commissioner",
        frozenset({"breach notification"}),
    ),
    "33(2)": (
        "Article 33(2): the processor notifies the controller without undue delay",
        frozenset({"processor breach notice"}),
    ),
    "33(3)": ("Article 33(3): what a breach notification contains", frozenset({"breach notice contents"})),
    "33(4)": ("Article 33(4): information given in phases", frozenset({"information in phases"})),
    "34": ("Article 34: communication of a breach to the data subject", frozenset({"breach communication"})),
    "35": ("Article 35: data protection impact assessment", frozenset({"impact assessment"})),
    "36": ("Article 36: prior consultation with the Commissioner", frozenset({"prior consultation"})),
    "45A": (
        "Article 45A (Data (Use and Access) Act 2025): transfers approved by regulations",
        frozenset({"transfers approved by regulations"}),
    ),
    "46": (
        "Article 46: transfers subject to appropriate safeguards (IDTA, Addendum)",
        frozenset({"appropriate safeguards"}),
    ),
    "58(2)": ("Article 58(2): the Commissioner's corrective powers", frozenset({"Commissioner corrective powers"})),
    "Chapter III": ("Chapter III (Articles 12 to 22D): rights of the data subject", frozenset({"data subject rights"})),
    "Chapter V": (
        "Chapter V (Articles 44 to 49): transfers outside the United Kingdom",
        frozenset({"international transfers"}),
    ),
    "DPA 2018 s.164A": (
        "Data Protection Act 2018, section 164A: complaints by data subjects to controllers",
        frozenset({"complaints to controllers"}),
    ),
}


@dataclass(frozen=True)
class Requirement:
    """One requirement, the clause (or annex) that meets it, and the provision that place must cite."""

    source: str
    about: str
    clause: str
    cites: str | None = None


# Art. 28(2)-(4), Art. 28(3)'s particulars and Art. 33(2).
UK_GDPR: tuple[Requirement, ...] = (
    Requirement("28(2)", "general authorisation, told of changes, right to object", "subprocessors", "28(2)"),
    Requirement("28(3)(a)", "only on documented instructions", "instructions", "28(3)(a)"),
    Requirement("28(3)(b)", "confidentiality", "confidentiality", "28(3)(b)"),
    Requirement("28(3)(c)", "Article 32 security", "security", "28(3)(c)"),
    Requirement("28(3)(d)", "conditions for sub-processors", "subprocessors", "28(3)(d)"),
    Requirement("28(3)(e)", "help with data subjects' rights", "rights", "28(3)(e)"),
    Requirement("28(3)(f)", "help with Articles 32 to 36", "assistance", "28(3)(f)"),
    Requirement("28(3)(g)", "deletion or return", "end", "28(3)(g)"),
    Requirement("28(3)(h)", "information and audits", "audits", "28(3)(h)"),
    Requirement(
        "28(3) second subparagraph", "tell of an infringing instruction", "instructions", "28(3) second subparagraph"
    ),
    Requirement("28(3) obligations and rights", "the controller's obligations and rights", "controller", "28(3)"),
    Requirement("28(3) duration", "duration of the processing", "duration", "28(3)"),
    Requirement("28(3) subject matter", "subject matter", "annex:II"),
    Requirement("28(3) nature and purpose", "nature and purpose", "annex:II"),
    Requirement("28(3) type of data", "type of personal data", "annex:II"),
    Requirement("28(3) data subjects", "categories of data subjects", "annex:II"),
    Requirement("28(4)", "flow-down and liability for sub-processors", "subprocessors", "28(4)"),
    Requirement("33(2)", "breach notified to the controller without undue delay", "breach", "33(2)"),
)

# Commission Implementing Decision (EU) 2021/915, the Art. 28(7) clauses, as a checklist of topics.
EU_2021_915: tuple[Requirement, ...] = (
    Requirement("Clause 1", "purpose and scope", "introduction"),
    Requirement("Clause 2", "invariability of the clauses", "law"),
    Requirement("Clause 3", "interpretation", "interpretation", "4"),
    Requirement("Clause 4", "hierarchy", "introduction"),
    Requirement("Clause 6", "description of processing", "annex:II"),
    Requirement("Clause 7.1", "instructions", "instructions", "28(3)(a)"),
    Requirement("Clause 7.2", "purpose limitation", "purpose", "5(1)(b)"),
    Requirement("Clause 7.3", "duration of the processing", "duration", "28(3)"),
    Requirement("Clause 7.4", "security of processing", "security", "32"),
    Requirement("Clause 7.5", "sensitive data", "sensitive", "9"),
    Requirement("Clause 7.6", "documentation and compliance", "audits", "28(3)(h)"),
    Requirement("Clause 7.7", "use of sub-processors", "subprocessors", "28(4)"),
    Requirement("Clause 7.8", "international transfers", "transfers", "Chapter V"),
    Requirement("Clause 8", "assistance to the controller", "assistance", "28(3)(f)"),
    Requirement("Clause 9", "notification of a personal data breach", "breach", "33(2)"),
    Requirement("Clause 10", "non-compliance and termination", "noncompliance"),
    Requirement("Annex I", "list of parties", "annex:I"),
    Requirement("Annex II", "description of the processing", "annex:II"),
    Requirement("Annex III", "technical and organisational measures", "annex:III"),
    Requirement("Annex IV", "list of sub-processors", "annex:IV"),
)

# What the text has besides: the portal's own promises and the checklist.
OWN: tuple[Requirement, ...] = (
    Requirement("no training", "no model training on customer data without written instruction", "purpose", "28(10)"),
    Requirement("government access", "requests from public authorities", "government"),
    Requirement("complaints", "help with complaints (DPA 2018 s.164A)", "complaints", "DPA 2018 s.164A"),
    Requirement("breach contents", "Article 33(3) contents and updates", "breach", "33(3)"),
    Requirement("transfer mechanisms", "adequacy regulations, UK Extension, IDTA, Addendum", "transfers", "45A"),
)

ANNEXES = frozenset({"annex:I", "annex:II", "annex:III", "annex:IV", "introduction"})
REQUIREMENTS: tuple[Requirement, ...] = UK_GDPR + EU_2021_915 + OWN


def cite_label(provision: str) -> str:
    """How a citation is printed under its clause."""
    if provision.startswith("DPA 2018 s."):
        return "Data Protection Act 2018, section " + provision.removeprefix("DPA 2018 s.")
    if provision.startswith("Chapter"):
        return f"UK GDPR {provision}"
    if provision.startswith("28(3) second"):
        return "UK GDPR Article 28(3), second subparagraph"
    return f"UK GDPR Article {provision}"
