"""Demo trust hub: a published security overview, the NDA, three documents (PDFs drawn up now), one approved request.

The overview follows the seed security page's headings for the fictional vendor. Its prose is about
the vendor's service; what it says about this portal comes from claims.py. Idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from portal.audit.service import Actor
from portal.auth.models import User
from portal.dates import govuk_date, uk_today
from portal.extensions import db
from portal.tenancy.models import Tenancy
from portal.trusthub import access, library, nda, overview
from portal.trusthub.models import AccessLevel, AccessRequest, DiligenceDocument

DEMO = Actor.system("demo")

OVERVIEW = {
    "summary": (
        "This page summarises the technical and organisational measures we take to protect the personal data "
        "schools and trusts entrust to Larkspur Learning. Our contractual commitments are in the data "
        "processing agreement (Annex III, security measures)."
    ),
    "encryption": (
        "In transit: TLS 1.2 or later for all traffic between browsers, our apps and our services, with modern "
        "cipher suites only.\n\n"
        "At rest: AES-256 for the production database, file storage and backups, with keys held in a managed "
        "key vault.\n\n"
        "Secrets are scoped to each environment, rotated when staff leave, and never committed to source control."
    ),
    "access_control": (
        "Role-based access for school users and for our own staff, granted on least privilege.\n\n"
        "School and trust staff sign in with Microsoft 365 or Google Workspace through their own directory.\n\n"
        "Access to production data is limited to a named on-call list, needs multi-factor authentication and "
        "is logged. Leadership reports are aggregated, so no individual pupil's work is shown to those who "
        "should not see it."
    ),
    "logging_monitoring": (
        "Sign-ins, refused requests and administrative actions are logged centrally and kept for at least 12 "
        "months.\n\n"
        "Application errors and unusual request rates alert our on-call engineer. Failed sign-ins are visible "
        "to the person concerned and to our operations team."
    ),
    "vulnerability_management": (
        "Dependencies are scanned on every change; security fixes are prioritised by severity and by how "
        "easily the weakness can be exploited.\n\n"
        "An independent firm tests the service at least once a year. A summary of the latest report is "
        "available to customers on request, under our non-disclosure terms."
    ),
    "incident_response": (
        "A written incident procedure covers detection, containment, eradication, recovery and a review "
        "afterwards. We tell each affected school or trust about a personal data breach without undue delay "
        "and in any event within 72 hours of becoming aware of it, with the information Article 33(3) UK GDPR "
        "asks for as far as we know it, and we keep them updated as we learn more."
    ),
    "business_continuity": (
        "The production database is backed up at least daily; backups are encrypted and kept in UK data "
        "centres.\n\n"
        "We rehearse a full restore every quarter. The recovery point objective below is the most data we "
        "would expect to lose; usually it is much less."
    ),
    "certifications": "Larkspur Learning holds Cyber Essentials Plus, renewed every year.",
}

DOCUMENTS = [
    ("Certificate summary", AccessLevel.PUBLIC, "Our Cyber Essentials Plus certificate and those our suppliers hold."),
    (
        "Security inheritance letter",
        AccessLevel.ON_REQUEST,
        "What we inherit from our hosting and AI suppliers, with answers to common trust questionnaires.",
    ),
    (
        "Penetration test summary",
        AccessLevel.ON_REQUEST,
        "The scope, method and findings of our latest independent penetration test, and what we fixed.",
    ),
]


def load() -> Iterator[str]:
    """Load every part, each only if absent."""
    yield from load_overview()
    if nda.latest_nda() is None:
        version = nda.publish_nda(actor=DEMO, summary="First version of the terms.")
        yield f"trust hub: non-disclosure terms version {version.number} published"
    yield from _load_documents()
    yield from _load_request()


def load_overview() -> Iterator[str]:
    """Publish version 1 of the security overview, if there is none."""
    if overview.current_overview() is not None or overview.draft_overview() is not None:
        return
    draft = overview.start_draft(actor=DEMO)
    overview.save_draft(
        draft,
        {
            **OVERVIEW,
            "rto_hours": 4,
            "rpo_hours": 24,
            "backup_retention_days": 30,
            "acknowledge_business_days": 1,
            "triage_business_days": 5,
        },
        actor=DEMO,
    )
    published = overview.publish_overview(actor=DEMO)
    yield f"trust hub: security overview version {published.sequence} published"


def _load_documents() -> Iterator[str]:
    for title, level, description in DOCUMENTS:
        if db.session.scalar(select(DiligenceDocument.id).where(DiligenceDocument.title == title)):
            continue
        new = library.NewDocument(
            title=title,
            description=description,
            access_level=level,
            review_on=uk_today().replace(year=uk_today().year + 1, day=1),
            filename=library.safe_filename(title),
            data=_demo_pdf(title),
        )
        library.upload_document(new, actor=DEMO)
        yield f"trust hub: {title} ({level.value}) uploaded"


def _load_request() -> Iterator[str]:
    """Amira Shah (Aurora Primary Academy) asked for the inheritance letter; approved for 30 days."""
    if db.session.scalar(select(AccessRequest.id).limit(1)):
        return
    user = db.session.scalar(select(User).where(User.email == "amira.shah@northernlights.example"))
    school = db.session.scalar(select(Tenancy).where(Tenancy.slug == "aurora-primary-academy"))
    letter = db.session.scalar(
        select(DiligenceDocument).where(DiligenceDocument.title == "Security inheritance letter")
    )
    if user is None or school is None or letter is None:
        return
    made = access.request_access(
        letter, tenancy=school, user=user, purpose="Our DPIA review before the new school year.", actor=DEMO
    )
    access.approve(made, days=30, actor=DEMO)
    yield "trust hub: Amira Shah's request for the security inheritance letter approved for 30 days"


def _demo_pdf(title: str) -> bytes:
    """A small PDF drawn up now from a print template (nothing binary is committed)."""
    from portal.documents.render import render_pdf
    from portal.register import service as register

    config = current_app.config
    sections: list[dict[str, Any]] = []
    version = register.current_published()
    rows = [
        [e.supplier, e.certifications, e.location]
        for e in (version.entries if version else [])
        if e.certifications.strip()
    ]
    if title == "Certificate summary":
        sections = [
            {"heading": "Our own certification", "paragraphs": [OVERVIEW["certifications"]]},
            {
                "heading": "Our suppliers' certifications",
                "paragraphs": ["As listed in our sub-processor register."],
                "header": ["Supplier", "Certifications", "Location"],
                "rows": rows,
            },
        ]
    elif title == "Security inheritance letter":
        sections = [
            {
                "heading": "To whom it may concern",
                "paragraphs": [
                    f"{config['VENDOR_LEGAL_ENTITY']} runs its service on the suppliers below. Each holds the "
                    "certifications shown, which cover the infrastructure our service uses.",
                ],
                "header": ["Supplier", "Certifications", "Location"],
                "rows": rows,
            },
            {
                "heading": "Questions trusts often ask",
                "new_page": True,
                "paragraphs": [
                    "Where is pupil data stored? In UK data centres; see our sub-processor register for each supplier.",
                    "Do you train AI models on pupil data? No.",
                    "How are breaches reported? Without undue delay and within 72 hours, as our agreement says.",
                ],
            },
        ]
    else:
        sections = [
            {
                "heading": "Scope and method",
                "paragraphs": [
                    "An independent CREST-accredited tester examined the web application, its API and the "
                    "hosting configuration over five days, with and without school-user credentials.",
                ],
            },
            {
                "heading": "Findings",
                "new_page": True,
                "header": ["Severity", "Finding", "Status"],
                "rows": [
                    ["Medium", "Verbose error message on one API endpoint", "Fixed"],
                    ["Low", "Missing rate limit on a password-less sign-in link", "Fixed"],
                    ["Informational", "Outdated library with no exploitable path", "Updated"],
                ],
                "paragraphs": ["No critical or high-severity findings were made."],
            },
        ]
    html = render_template(
        "pdf/trusthub_demo.html",
        title=title,
        subtitle="Demo document",
        dated=govuk_date(uk_today()),
        vendor_legal_entity=config["VENDOR_LEGAL_ENTITY"],
        sections=sections,
    )
    return render_pdf(html)
