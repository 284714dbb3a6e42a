"""Annex III: the vendor's technical and organisational measures (Art. 32), as structured data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeasureGroup:
    """A heading and the measures under it."""

    heading: str
    items: tuple[str, ...]


MEASURES: tuple[MeasureGroup, ...] = (
    MeasureGroup(
        "Encryption",
        (
            "TLS 1.3 for all traffic between users and the service; HSTS preloaded; modern cipher suites only.",
            "AES-256 encryption at rest for the production database, object storage and backups.",
            "Secrets scoped to each environment, rotated when staff leave, never kept in source control.",
        ),
    ),
    MeasureGroup(
        "Access control",
        (
            "Role-based access for users and staff, least privilege by default.",
            "Sign-in with Microsoft 365 or Google Workspace; resetting a password or changing an account ends "
            "every active session.",
            "Production database access limited to a named on-call list, and every access logged.",
            "Leadership reporting aggregated so that no individual's content is shown to those who should not see it.",
        ),
    ),
    MeasureGroup(
        "Logging and monitoring",
        (
            "Sign-ins, permission checks and administrative actions logged centrally and kept for at least 12 months.",
            "Application errors and unusual request rates raised to the on-call team.",
            "Failed sign-ins and lockouts shown to the user concerned and to our operations team.",
        ),
    ),
    MeasureGroup(
        "Vulnerability management",
        (
            "Dependencies scanned on every change; security fixes prioritised by severity and exploitability.",
            "Vulnerability reports to {vendor_security_email} acknowledged within one working day and triaged "
            "within five.",
            "Independent penetration tests at least once a year.",
        ),
    ),
    MeasureGroup(
        "Incidents and breaches",
        (
            "A documented incident procedure: detection, containment, eradication, recovery and review.",
            "Controllers told of a personal data breach without undue delay and within 72 hours.",
        ),
    ),
    MeasureGroup(
        "Backups and continuity",
        (
            "Encrypted database backups at least daily, kept for 30 days in the United Kingdom.",
            "Restores rehearsed every quarter; recovery time objective 4 hours, recovery point objective 24 hours.",
        ),
    ),
    MeasureGroup(
        "Special category data",
        ("Where special category data is processed: access limited to named staff and every access logged.",),
    ),
)
